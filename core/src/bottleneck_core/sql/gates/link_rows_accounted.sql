-- level: error
-- en: link_clean: {raw} raw row(s) = {clean} kept + {dropped_blank} empty + {dropped_missing_key} without product_id; {count} row(s) unaccounted for: {rows}
-- fr: link_clean : {raw} ligne(s) brute(s) = {clean} gardée(s) + {dropped_blank} vide(s) + {dropped_missing_key} sans product_id ; {count} ligne(s) inexpliquée(s) : {rows}
-- Offending rows: raw rows that should have been kept but were not, rows kept that should
-- have been dropped (empty, or without product_id), rows kept more than once.
WITH expected AS (
    SELECT source_row FROM 'link_raw.parquet' WHERE NOT is_blank AND product_id IS NOT NULL
), kept AS (
    SELECT source_row, count(*) AS times FROM 'link_clean.parquet' GROUP BY source_row
)
SELECT coalesce(expected.source_row, kept.source_row) AS source_row,
       CASE WHEN kept.source_row IS NULL THEN 'lost'
            WHEN expected.source_row IS NULL THEN 'kept, should be dropped'
            ELSE 'kept ' || kept.times || ' times' END AS problem
FROM expected
FULL JOIN kept ON kept.source_row = expected.source_row
WHERE expected.source_row IS NULL OR kept.source_row IS NULL OR kept.times > 1
ORDER BY source_row;

-- Facts for the message (one row).
SELECT count(*) AS raw,
       (SELECT count(*) FROM 'link_clean.parquet') AS clean,
       count(*) FILTER (WHERE is_blank) AS dropped_blank,
       count(*) FILTER (WHERE NOT is_blank AND product_id IS NULL) AS dropped_missing_key
FROM 'link_raw.parquet';
