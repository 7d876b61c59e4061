-- level: error
-- en: merged: {merged} row(s) (expected at least 1)
-- fr: merged : {merged} ligne(s) (au moins 1 attendue)
SELECT count(*) AS merged_rows FROM 'merged.parquet' HAVING count(*) = 0;

-- Facts for the message (one row).
SELECT count(*) AS merged FROM 'merged.parquet';
