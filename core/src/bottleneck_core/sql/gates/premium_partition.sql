-- level: error
-- en: premium {premium} + ordinary {ordinary} = merged {merged}, with no product in both (expected); {count} product(s) misplaced: {rows}
-- fr: premium {premium} + ordinary {ordinary} = merged {merged}, sans produit dans les deux (attendu) ; {count} produit(s) mal réparti(s) : {rows}
-- Offending rows: products not exactly as often in premium + ordinary as in merged.
WITH sides AS (
    SELECT product_id, 'premium' AS side FROM 'premium.parquet'
    UNION ALL SELECT product_id, 'ordinary' FROM 'ordinary.parquet'
), split AS (
    SELECT product_id, count(*) AS times FROM sides GROUP BY product_id
), merged AS (
    SELECT product_id, count(*) AS times FROM 'merged.parquet' GROUP BY product_id
), misplaced AS (
    SELECT coalesce(merged.product_id, split.product_id) AS product_id,
           coalesce(merged.times, 0) AS in_merged, coalesce(split.times, 0) AS in_split
    FROM merged
    FULL JOIN split ON split.product_id = merged.product_id
    WHERE coalesce(merged.times, 0) <> coalesce(split.times, 0)
)
SELECT product_id, in_merged, in_split,
       (SELECT string_agg(side, ' + ' ORDER BY side) FROM sides WHERE sides.product_id IS NOT DISTINCT FROM misplaced.product_id) AS sides
FROM misplaced
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST;

-- Facts for the message (one row).
SELECT (SELECT count(*) FROM 'premium.parquet') AS premium, (SELECT count(*) FROM 'ordinary.parquet') AS ordinary,
       (SELECT count(*) FROM 'merged.parquet') AS merged;
