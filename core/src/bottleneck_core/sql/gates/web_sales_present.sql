-- level: error
-- en: web_clean: {count} row(s) that give a product's sales without total_sales (expected a number of bottles sold, 0 included): {rows}
-- fr: web_clean : {count} ligne(s) portant les ventes d'un produit sans total_sales (un nombre de bouteilles vendues attendu, 0 compris) : {rows}
SELECT sku, source_row, post_type, post_title, total_sales
FROM 'web_clean.parquet'
WHERE total_sales IS NULL
  -- the rows dedup_web keeps: each sku's 'product' row, else its other rows
  AND (post_type = 'product'
       OR sku NOT IN (SELECT sku FROM 'web_clean.parquet' WHERE post_type = 'product'))
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST, source_row;
