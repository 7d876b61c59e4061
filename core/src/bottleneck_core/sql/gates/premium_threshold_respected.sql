-- level: error
-- en: {count} product(s) on the wrong side of z = {threshold} (expected 0): {rows}
-- fr: {count} produit(s) du mauvais côté de z = {threshold} (0 attendu) : {rows}
-- Offending rows: premium wines with z <= threshold, ordinary wines with z > threshold.
-- The runner sets the variable threshold (the premium step's); by hand: SET VARIABLE threshold = 2;
SELECT product_id, 'premium' AS table_name, z_score
FROM 'premium.parquet' WHERE NOT coalesce(z_score > getvariable('threshold'), false)
UNION ALL
SELECT product_id, 'ordinary', z_score
FROM 'ordinary.parquet' WHERE coalesce(z_score > getvariable('threshold'), false)
ORDER BY table_name DESC, z_score DESC, product_id;

-- Facts for the message (one row).
SELECT getvariable('threshold') AS threshold;
