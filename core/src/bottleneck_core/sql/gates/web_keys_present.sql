-- level: error
-- en: web_clean: {count} row(s) without sku (expected 0): rows {keys}
-- fr: web_clean : {count} ligne(s) sans sku (0 attendue) : lignes {keys}
-- Offending rows: kept rows whose sku is missing.
SELECT source_row
FROM 'web_clean.parquet'
WHERE sku IS NULL
ORDER BY source_row;
