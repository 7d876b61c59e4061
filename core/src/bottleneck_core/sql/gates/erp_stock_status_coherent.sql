-- level: warning
-- en: erp_clean: {count} stock_status value(s) contradict stock_quantity: {rows}
-- fr: erp_clean : {count} stock_status en contradiction avec stock_quantity : {rows}
SELECT product_id, source_row, price, stock_quantity, stock_status
FROM 'erp_clean.parquet'
WHERE (stock_status = 'instock' AND stock_quantity <= 0) OR (stock_status = 'outofstock' AND stock_quantity > 0)
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST, source_row;
