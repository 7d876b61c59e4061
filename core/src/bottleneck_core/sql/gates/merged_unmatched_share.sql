-- level: error
-- en: merged: {web_unmatched} of {web_products} web product(s) and {erp_unmatched} of {erp_online} ERP product(s) marked online find no partner (at most {limit_percent} % allowed each, BOTTLENECK_MAX_UNMATCHED={max_unmatched}); over the limit: {rows}
-- fr: merged : {web_unmatched} produit(s) web sur {web_products} et {erp_unmatched} produit(s) ERP vendus en ligne sur {erp_online} sans partenaire (au plus {limit_percent} % admis de chaque côté, BOTTLENECK_MAX_UNMATCHED={max_unmatched}) ; au-delà de la limite : {rows}
-- hint_en: Usual causes: keys typed differently in the files (4954 vs '4954.0'), leading zeros (0123 vs 123), upper/lower case (ab-1 vs AB-1), spaces around ids, or a link file from another month.
-- hint_fr: Causes habituelles : des clés saisies différemment d'un fichier à l'autre (4954 contre « 4954.0 »), des zéros en tête (0123 contre 123), la casse (ab-1 contre AB-1), des espaces autour des identifiants, ou un fichier de liaison d'un autre mois.
-- Offending rows: each side (web shop, ERP products marked online) whose share of products
-- without a partner in merged exceeds the limit. The runner sets the variable max_unmatched
-- (BOTTLENECK_MAX_UNMATCHED, default 0.05); by hand: SET VARIABLE max_unmatched = 0.05;
WITH web_unmatched AS (
    SELECT sku FROM 'web_dedup.parquet'
    WHERE sku NOT IN (SELECT sku FROM 'merged.parquet')
), erp_unmatched AS (
    SELECT erp.product_id, coalesce(link.id_web, 'no id_web') AS id_web, link.product_id IS NULL AS no_link
    FROM 'erp_dedup.parquet' AS erp
    LEFT JOIN 'link_dedup.parquet' AS link ON link.product_id = erp.product_id
    WHERE erp.onsale_web = 1 AND erp.product_id NOT IN (SELECT product_id FROM 'merged.parquet')
), sides AS (
    SELECT 'web sku' AS side,
           (SELECT count(*) FROM 'web_dedup.parquet') AS products,
           (SELECT count(*) FROM web_unmatched) AS unmatched,
           (SELECT list(sku ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST)[1:5] FROM web_unmatched) AS examples
    UNION ALL
    SELECT 'ERP product_id → id_web',
           (SELECT count(*) FROM 'erp_dedup.parquet' WHERE onsale_web = 1),
           (SELECT count(*) FROM erp_unmatched),
           (SELECT list(product_id || ' → ' || CASE WHEN no_link THEN 'no link row' ELSE id_web END
                        ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST)[1:5] FROM erp_unmatched)
)
SELECT side, unmatched, products, examples
FROM sides
WHERE unmatched > getvariable('max_unmatched') * products
ORDER BY side DESC;

-- Facts for the message (one row).
SELECT (SELECT count(*) FROM 'web_dedup.parquet'
        WHERE sku NOT IN (SELECT sku FROM 'merged.parquet')) AS web_unmatched,
       (SELECT count(*) FROM 'web_dedup.parquet') AS web_products,
       (SELECT count(*) FROM 'erp_dedup.parquet'
        WHERE onsale_web = 1 AND product_id NOT IN (SELECT product_id FROM 'merged.parquet')) AS erp_unmatched,
       (SELECT count(*) FROM 'erp_dedup.parquet' WHERE onsale_web = 1) AS erp_online,
       getvariable('max_unmatched') AS max_unmatched,
       round(getvariable('max_unmatched') * 100, 2) AS limit_percent;
