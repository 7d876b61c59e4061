-- level: error
-- en: web_dedup: {count} sku value(s) repeated with conflicting data (expected each once): {rows}
-- fr: web_dedup : {count} valeur(s) de sku répétée(s) avec des données contradictoires (une seule fois attendue) : {rows}
-- Offending rows: each sku that still appears more than once after dedup, with its rows.
SELECT sku, list(source_row ORDER BY source_row) AS source_rows
FROM 'web_dedup.parquet'
WHERE sku IS NOT NULL
GROUP BY sku
HAVING count(*) > 1
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(sku, '[0-9]{1,18}') THEN sku END AS BIGINT) NULLS LAST, sku NULLS LAST;
