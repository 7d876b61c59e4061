-- level: warning
-- en: erp_clean: TODO (exercise 01) write the message, e.g. with {count} and {rows}
-- fr: erp_clean : TODO (exercice 01) écrivez le message, par ex. avec {count} et {rows}
-- Exercise 01: no wine above 500 € may be marked out of stock.
-- Return the OFFENDING rows of erp_clean (no row = the gate passes), product_id first.
-- TODO (exercise 01): the level, the two messages, and the WHERE clause.
SELECT product_id, source_row, price, stock_quantity, stock_status
FROM 'erp_clean.parquet'
WHERE false
ORDER BY product_id, source_row;
