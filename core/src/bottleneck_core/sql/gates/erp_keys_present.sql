-- level: error
-- en: erp_clean: {count} row(s) without product_id (expected 0): rows {keys}
-- fr: erp_clean : {count} ligne(s) sans product_id (0 attendue) : lignes {keys}
-- Offending rows: kept rows whose product_id is missing.
SELECT source_row
FROM 'erp_clean.parquet'
WHERE product_id IS NULL
ORDER BY source_row;
