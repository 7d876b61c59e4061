-- level: error
-- en: erp_raw: {non_empty} non-empty row(s) read (expected at least 1)
-- fr: erp_raw : {non_empty} ligne(s) non vide(s) lue(s) (au moins 1 attendue)
-- Offending rows: one row when the raw table has no non-empty row.
SELECT count(*) AS non_empty_rows
FROM 'erp_raw.parquet'
WHERE NOT is_blank
HAVING count(*) = 0;

-- Facts for the message (one row).
SELECT count(*) FILTER (WHERE NOT is_blank) AS non_empty FROM 'erp_raw.parquet';
