-- level: error
-- en: revenue: sum of per-product revenue {total} € vs recomputed price × total_sales {recomputed} € (expected equal)
-- fr: revenue : somme des CA par produit {total} € contre prix × total_sales recalculé {recomputed} € (égalité attendue)
-- Offending rows: one row when the two exact DECIMAL totals differ.
SELECT total, recomputed
FROM (SELECT coalesce(sum(revenue), 0.00) AS total FROM 'revenue.parquet'),
     (SELECT coalesce(sum(price * total_sales), 0.00) AS recomputed FROM 'merged.parquet')
WHERE total <> recomputed;

-- Facts for the message (one row).
SELECT (SELECT coalesce(sum(revenue), 0.00) FROM 'revenue.parquet') AS total,
       (SELECT coalesce(sum(price * total_sales), 0.00) FROM 'merged.parquet') AS recomputed;
