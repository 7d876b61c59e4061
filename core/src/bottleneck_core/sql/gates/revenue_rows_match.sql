-- level: error
-- en: revenue: {revenue} row(s) for {merged} merged product(s) (expected the same products): {rows}
-- fr: revenue : {revenue} ligne(s) pour {merged} produit(s) fusionné(s) (mêmes produits attendus) : {rows}
SELECT *
FROM (SELECT product_id, 'missing from revenue' AS problem
      FROM (SELECT product_id FROM 'merged.parquet' EXCEPT ALL SELECT product_id FROM 'revenue.parquet')
      UNION ALL
      SELECT product_id, 'not in merged'
      FROM (SELECT product_id FROM 'revenue.parquet' EXCEPT ALL SELECT product_id FROM 'merged.parquet'))
ORDER BY TRY_CAST(CASE WHEN regexp_full_match(product_id, '[0-9]{1,18}') THEN product_id END AS BIGINT) NULLS LAST, product_id NULLS LAST;

-- Facts for the message (one row).
SELECT (SELECT count(*) FROM 'revenue.parquet') AS revenue, (SELECT count(*) FROM 'merged.parquet') AS merged;
