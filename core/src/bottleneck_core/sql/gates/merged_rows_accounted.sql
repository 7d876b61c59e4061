-- level: error
-- en: merged: {merged} row(s); ERP lost {erp_lost} ({erp_no_link} without link row, {erp_no_id_web} whose link has no id_web, {erp_not_in_web} whose id_web is not in the web shop; {erp_lost_offline} of them not sold online); web lost {web_lost} (sku not linked); {count} pair(s) unexplained: {rows}
-- fr: merged : {merged} ligne(s) ; l'ERP perd {erp_lost} ({erp_no_link} sans ligne de liaison, {erp_no_id_web} dont la liaison n'a pas d'id_web, {erp_not_in_web} dont l'id_web est absent de la boutique ; {erp_lost_offline} d'entre eux non vendus en ligne) ; le web perd {web_lost} (sku non lié) ; {count} paire(s) inexpliquée(s) : {rows}
-- Offending rows: (product_id, sku) pairs the joins should give but merged lacks, or the reverse.
WITH expected AS (
    SELECT erp.product_id, link.id_web AS sku
    FROM 'erp_dedup.parquet' AS erp
    JOIN 'link_dedup.parquet' AS link ON link.product_id = erp.product_id
    WHERE link.id_web IN (SELECT sku FROM 'web_dedup.parquet')
), actual AS (
    SELECT product_id, sku FROM 'merged.parquet'
)
SELECT *
FROM (SELECT product_id, sku, 'missing from merged' AS problem FROM (FROM expected EXCEPT ALL FROM actual)
      UNION ALL
      SELECT product_id, sku, 'unexpected in merged' FROM (FROM actual EXCEPT ALL FROM expected))
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST, sku;

-- Facts for the message (one row): why each ERP row is kept or lost.
WITH erp AS (
    SELECT erp.product_id, erp.onsale_web, link.id_web, link.product_id IS NULL AS no_link
    FROM 'erp_dedup.parquet' AS erp
    LEFT JOIN 'link_dedup.parquet' AS link ON link.product_id = erp.product_id
), fate AS (
    SELECT *,
           NOT no_link AND id_web IS NULL AS no_id_web,
           NOT no_link AND id_web IS NOT NULL
               AND id_web NOT IN (SELECT sku FROM 'web_dedup.parquet') AS not_in_web
    FROM erp
)
SELECT (SELECT count(*) FROM 'merged.parquet') AS merged,
       count(*) FILTER (WHERE no_link OR no_id_web OR not_in_web) AS erp_lost,
       count(*) FILTER (WHERE no_link) AS erp_no_link,
       count(*) FILTER (WHERE no_id_web) AS erp_no_id_web,
       count(*) FILTER (WHERE not_in_web) AS erp_not_in_web,
       count(*) FILTER (WHERE (no_link OR no_id_web OR not_in_web) AND onsale_web = 0) AS erp_lost_offline,
       (SELECT count(DISTINCT sku) FROM 'web_dedup.parquet'
        WHERE sku NOT IN (SELECT id_web FROM fate
                          WHERE NOT (no_link OR no_id_web OR not_in_web))) AS web_lost
FROM fate;
