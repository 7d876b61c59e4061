-- Step clean_web: drop entirely empty rows and rows without a sku.
-- Reads web_raw.parquet, gives web_clean (the raw columns but is_blank, in file order).
-- Try it: cd data/work/<month> && duckdb -c ".read <this file>"
SELECT source_row, sku, post_type, post_title, total_sales
FROM 'web_raw.parquet'
WHERE NOT is_blank
  AND sku IS NOT NULL
ORDER BY source_row
