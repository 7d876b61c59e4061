-- Step revenue: revenue per product = price × total_sales, exact (DECIMAL, never floats),
-- highest first; ties in natural product_id order.
-- Reads merged, gives revenue. The total is SUM(revenue) (see gate revenue_total_coherent).
SELECT product_id,
       sku,
       name,
       price,
       total_sales,
       CAST(price * total_sales AS DECIMAL(18, 2)) AS revenue
FROM 'merged.parquet'
ORDER BY revenue DESC NULLS LAST,
         TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST,
         product_id NULLS LAST,
         sku NULLS LAST, price  -- a total order, even on duplicates
