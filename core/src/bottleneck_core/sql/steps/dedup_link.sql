-- Step dedup_link: drop rows that repeat another row exactly (source_row aside); keep the first.
-- Rows sharing a product_id but disagreeing elsewhere are kept: gate link_keys_unique reports them,
-- because choosing one silently would lose data.
-- Reads link_clean.parquet, gives link_dedup in natural product_id order
-- (numeric ids by value, then text ids; ties in file order).
SELECT *
FROM 'link_clean.parquet'
QUALIFY row_number() OVER (PARTITION BY product_id, id_web ORDER BY source_row) = 1
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST,
         product_id NULLS LAST,
         source_row
