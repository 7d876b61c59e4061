-- level: error
-- en: erp_dedup: {count} product_id value(s) repeated with conflicting data (expected each once): {rows}
-- fr: erp_dedup : {count} valeur(s) de product_id répétée(s) avec des données contradictoires (une seule fois attendue) : {rows}
-- Offending rows: each product_id that still appears more than once after dedup, with its rows.
SELECT product_id, list(source_row ORDER BY source_row) AS source_rows
FROM 'erp_dedup.parquet'
WHERE product_id IS NOT NULL
GROUP BY product_id
HAVING count(*) > 1
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST;
