-- level: warning
-- en: web_clean: {count} product row(s) without a name (post_title): the reports show an empty name: {rows}
-- fr: web_clean : {count} ligne(s) product sans nom (post_title) : les rapports affichent un nom vide : {rows}
SELECT sku, source_row, post_type, post_title, total_sales
FROM 'web_clean.parquet'
WHERE post_type = 'product' AND (post_title IS NULL OR trim(post_title) = '')
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST, source_row;
