-- level: warning
-- en: erp: {count} row(s) with data but no product_id were dropped (rows {keys})
-- fr: erp : {count} ligne(s) avec des données mais sans product_id écartée(s) (lignes {keys})
-- Offending rows: rows that hold some data but no product_id (the clean step drops them).
SELECT source_row
FROM 'erp_raw.parquet'
WHERE NOT is_blank AND product_id IS NULL
ORDER BY source_row;
