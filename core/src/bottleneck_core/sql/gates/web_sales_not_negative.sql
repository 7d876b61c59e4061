-- level: error
-- en: web_clean: {count} negative total_sales (expected 0 or more bottles sold): {rows}
-- fr: web_clean : {count} total_sales négatif(s) (0 bouteille vendue ou plus attendu) : {rows}
SELECT sku, source_row, post_type, post_title, total_sales
FROM 'web_clean.parquet'
WHERE total_sales < 0
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST, source_row;
