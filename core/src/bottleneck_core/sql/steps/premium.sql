-- Step premium: the z-score of each price, highest first; ties in natural product_id order.
-- z = (price - mean) / std, std being the population standard deviation (ddof = 0, as
-- scipy.stats.zscore). The Python step computes mean and std exactly from SUM(price) and
-- SUM(price * price) and sets them as variables; to try it by hand, set them first, e.g.
--   SET VARIABLE price_mean = 32.49; SET VARIABLE price_std = 27.81;
-- (price_std = 0, all prices equal, gives z = 0: gate zscore_standardised then fails.)
-- Premium wines are those with z_score > threshold (2 by default), the others are ordinary.
-- Reads revenue (one row per merged product, with its price), so premium comes after revenue
-- and its gates can compare the whole month (gate reference_values).
SELECT product_id,
       sku,
       name,
       price,
       CASE WHEN getvariable('price_std') > 0
            THEN (CAST(price AS DOUBLE) - getvariable('price_mean')) / getvariable('price_std')
            ELSE 0.0 END AS z_score
FROM 'revenue.parquet'
ORDER BY z_score DESC,
         TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST,
         product_id NULLS LAST,
         sku NULLS LAST, price  -- a total order, even on duplicates
