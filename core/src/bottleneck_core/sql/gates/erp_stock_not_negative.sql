-- level: warning
-- en: erp_clean: {count} negative stock quantit(ies): {rows}
-- fr: erp_clean : {count} quantité(s) en stock négative(s) : {rows}
SELECT product_id, source_row, price, stock_quantity, stock_status
FROM 'erp_clean.parquet'
WHERE stock_quantity < 0
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST, source_row;
