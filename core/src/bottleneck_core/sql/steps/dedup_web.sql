-- Step dedup_web: each web product appears twice, its 'product' row and its image ('attachment').
-- Keep the 'product' row of every sku that has one, then drop exact repeats (source_row aside).
-- Reads web_clean.parquet, gives web_dedup in natural sku order
-- (numeric skus by value, then text skus; ties in file order).
WITH kept AS (
    SELECT *
    FROM 'web_clean.parquet'
    WHERE post_type = 'product'
       OR sku NOT IN (SELECT sku FROM 'web_clean.parquet' WHERE post_type = 'product')
)
SELECT *
FROM kept
QUALIFY row_number() OVER (PARTITION BY sku, post_type, post_title, total_sales ORDER BY source_row) = 1
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST,
         sku NULLS LAST,
         source_row
