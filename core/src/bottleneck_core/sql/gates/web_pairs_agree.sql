-- level: warning
-- en: web_clean: {count} sku(s) whose product and attachment rows disagree on total_sales (the product row is kept): {rows}
-- fr: web_clean : {count} sku dont les lignes product et attachment divergent sur total_sales (la ligne product est gardée) : {rows}
-- Offending skus: more than one value of total_sales among their rows (NULL counting as a value).
WITH disagree AS (
    SELECT sku
    FROM 'web_clean.parquet'
    GROUP BY sku
    HAVING min(total_sales) <> max(total_sales) OR count(total_sales) NOT IN (0, count(*))
)
SELECT sku, list(total_sales ORDER BY source_row) AS total_sales, list(source_row ORDER BY source_row) AS source_rows
FROM 'web_clean.parquet'
WHERE sku IN (FROM disagree)
GROUP BY sku
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST;
