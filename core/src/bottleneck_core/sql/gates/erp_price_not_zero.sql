-- level: warning
-- en: erp_clean: {count} price(s) of 0 (a free product: its revenue is 0 and it lowers the mean price): {rows}
-- fr: erp_clean : {count} prix à 0 (un produit gratuit : son chiffre d'affaires est nul et il fait baisser le prix moyen) : {rows}
SELECT product_id, source_row, price, stock_quantity, stock_status
FROM 'erp_clean.parquet'
WHERE price = 0
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST, source_row;
