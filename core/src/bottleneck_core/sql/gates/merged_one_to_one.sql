-- level: error
-- en: merged: {merged} row(s), {product_ids} distinct product_id, {skus} distinct sku (all equal expected, at most erp {erp} and web {web}): {rows}
-- fr: merged : {merged} ligne(s), {product_ids} product_id distincts, {skus} sku distincts (tous égaux attendus, au plus erp {erp} et web {web}) : {rows}
-- Offending rows: product_id or sku values found on several merged rows, and one row
-- if the merge has more rows than either side.
SELECT 'product_id' AS key, product_id AS value, count(*) AS rows
FROM 'merged.parquet' GROUP BY product_id HAVING count(*) > 1
UNION ALL
SELECT 'sku', sku, count(*) FROM 'merged.parquet' GROUP BY sku HAVING count(*) > 1
UNION ALL
SELECT 'more rows than a side', NULL, count(*) FROM 'merged.parquet'
HAVING count(*) > least((SELECT count(*) FROM 'erp_dedup.parquet'), (SELECT count(*) FROM 'web_dedup.parquet'))
ORDER BY key, value;

-- Facts for the message (one row).
SELECT count(*) AS merged, count(DISTINCT product_id) AS product_ids, count(DISTINCT sku) AS skus,
       (SELECT count(*) FROM 'erp_dedup.parquet') AS erp, (SELECT count(*) FROM 'web_dedup.parquet') AS web
FROM 'merged.parquet';
