-- level: error
-- en: link_clean: {count} row(s) without product_id (expected 0): rows {keys}
-- fr: link_clean : {count} ligne(s) sans product_id (0 attendue) : lignes {keys}
-- Offending rows: kept rows whose product_id is missing.
SELECT source_row
FROM 'link_clean.parquet'
WHERE product_id IS NULL
ORDER BY source_row;
