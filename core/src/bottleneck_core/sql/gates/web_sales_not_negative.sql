-- level: error
-- en: web_clean: {count} row(s) that give a product's sales with a negative total_sales (expected 0 or more bottles sold): {rows}
-- fr: web_clean : {count} ligne(s) portant les ventes d'un produit avec un total_sales négatif (0 bouteille vendue ou plus attendu) : {rows}
SELECT sku, source_row, post_type, post_title, total_sales
FROM 'web_clean.parquet'
WHERE total_sales < 0
  -- the rows dedup_web keeps: each sku's 'product' row, else its other rows
  AND (post_type = 'product'
       OR sku NOT IN (SELECT sku FROM 'web_clean.parquet' WHERE post_type = 'product'))
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST, source_row;
