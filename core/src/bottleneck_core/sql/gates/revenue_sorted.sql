-- level: error
-- en: revenue: {revenue_rows} row(s) sorted by revenue, highest first; {count} out of order: {keys}
-- fr: revenue : {revenue_rows} ligne(s) triée(s) par chiffre d'affaires décroissant ; {count} mal placée(s) : {keys}
-- Offending rows: rows (in file order) whose revenue is above the previous row's, or missing.
SELECT row_number, product_id, revenue, previous
FROM (
    SELECT file_row_number + 1 AS row_number, product_id, revenue,
           lag(revenue) OVER (ORDER BY file_row_number) AS previous
    FROM read_parquet('revenue.parquet', file_row_number = true)
)
WHERE revenue IS NULL OR revenue > previous
ORDER BY row_number;

-- Facts for the message (one row).
SELECT count(*) AS revenue_rows FROM 'revenue.parquet';
