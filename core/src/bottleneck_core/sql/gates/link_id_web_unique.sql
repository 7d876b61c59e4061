-- level: error
-- en: link_dedup: {count} id_web value(s) linked to several product_id, which would multiply rows in the join: {rows}
-- fr: link_dedup : {count} id_web lié(s) à plusieurs product_id, ce qui multiplierait les lignes de la jointure : {rows}
WITH repeated AS (
    SELECT id_web FROM 'link_dedup.parquet' WHERE id_web IS NOT NULL GROUP BY id_web HAVING count(*) > 1
)
SELECT id_web, list(product_id ORDER BY source_row) AS product_ids
FROM 'link_dedup.parquet'
WHERE id_web IN (FROM repeated)
GROUP BY id_web
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(id_web, '[0-9]{1,18}') THEN id_web END AS BIGINT) NULLS LAST, id_web NULLS LAST;
