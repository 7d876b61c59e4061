-- level: warning
-- en: web: {count} row(s) with data but no sku were dropped (rows {keys})
-- fr: web : {count} ligne(s) avec des données mais sans sku écartée(s) (lignes {keys})
-- Offending rows: rows that hold some data but no sku (the clean step drops them).
SELECT source_row
FROM 'web_raw.parquet'
WHERE NOT is_blank AND sku IS NULL
ORDER BY source_row;
