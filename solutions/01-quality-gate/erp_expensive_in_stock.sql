-- level: error
-- en: erp_clean: {count} wine(s) above 500 € marked out of stock: {rows}
-- fr: erp_clean : {count} vin(s) à plus de 500 € marqué(s) en rupture de stock : {rows}
-- hint_en: check the price (a typo?) or the stock status of these wines in the ERP export
-- hint_fr: vérifiez le prix (une faute de frappe ?) ou l'état du stock de ces vins dans l'export ERP
-- Exercise 01: no wine above 500 € may be marked out of stock.
-- Offending rows: price strictly above 500.00 and stock_status 'outofstock'; natural id order.
SELECT product_id, source_row, price, stock_quantity, stock_status
FROM 'erp_clean.parquet'
WHERE price > 500 AND stock_status = 'outofstock'
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST,
         product_id NULLS LAST, source_row;
