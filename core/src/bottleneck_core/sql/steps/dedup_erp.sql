-- Step dedup_erp: drop rows that repeat another row exactly (source_row aside); keep the first.
-- Rows sharing a product_id but disagreeing elsewhere are kept: gate erp_keys_unique reports them,
-- because choosing one silently would lose data.
-- Reads erp_clean.parquet, gives erp_dedup in natural product_id order
-- (numeric ids by value, then text ids; ties in file order).
SELECT *
FROM 'erp_clean.parquet'
QUALIFY row_number() OVER (PARTITION BY product_id, onsale_web, price, stock_quantity, stock_status ORDER BY source_row) = 1
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST,
         product_id NULLS LAST,
         source_row
