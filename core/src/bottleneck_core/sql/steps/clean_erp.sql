-- Step clean_erp: drop entirely empty rows and rows without a product_id.
-- Reads erp_raw.parquet, gives erp_clean (the raw columns but is_blank, in file order).
-- Try it: cd data/work/<month> && duckdb -c ".read <this file>"
SELECT source_row, product_id, onsale_web, price, stock_quantity, stock_status
FROM 'erp_raw.parquet'
WHERE NOT is_blank
  AND product_id IS NOT NULL
ORDER BY source_row
