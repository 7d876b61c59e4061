-- Step clean_link: drop entirely empty rows and rows without a product_id.
-- Reads link_raw.parquet, gives link_clean (the raw columns but is_blank, in file order).
-- Try it: cd data/work/<month> && duckdb -c ".read <this file>"
SELECT source_row, product_id, id_web
FROM 'link_raw.parquet'
WHERE NOT is_blank
  AND product_id IS NOT NULL
ORDER BY source_row
