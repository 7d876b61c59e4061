-- Solution of exercise 14: the z-score travels from staging into the facts (see EXPLANATION.md).

-- The migration: safe to apply again (IF NOT EXISTS), and nullable, because the batches loaded
-- before it have no z-score. numeric(12, 6) holds the CSVs' 6 decimals exactly.
ALTER TABLE staging.monthly_sales ADD COLUMN IF NOT EXISTS z_score numeric(12, 6);
ALTER TABLE dw.fact_monthly_sales ADD COLUMN IF NOT EXISTS z_score numeric(12, 6);

CREATE OR REPLACE PROCEDURE dw.sp_load_staging_to_dw(batch_date date)
LANGUAGE plpgsql AS $$
DECLARE
    v_month date := date_trunc('month', batch_date)::date;  -- the batch: the month containing batch_date
BEGIN
    IF NOT EXISTS (SELECT 1 FROM staging.batch AS b WHERE b.batch_month = v_month) THEN
        RAISE EXCEPTION 'no staged batch for % (run load_staging first) / aucun lot en staging pour % (lancez d''abord load_staging)',
            to_char(v_month, 'YYYY-MM'), to_char(v_month, 'YYYY-MM');
    END IF;
    CALL dw.sp_seed_dim_month(v_month, v_month);

    -- Products: the latest month's sku and name win (already idempotent).
    INSERT INTO dw.dim_product AS p (product_id, sku, name, first_month, last_month)
    SELECT s.product_id, s.sku, s.name, s.batch_month, s.batch_month
    FROM staging.monthly_sales AS s WHERE s.batch_month = v_month
    ON CONFLICT (product_id) DO UPDATE SET
        sku = CASE WHEN EXCLUDED.last_month >= p.last_month THEN EXCLUDED.sku ELSE p.sku END,
        name = CASE WHEN EXCLUDED.last_month >= p.last_month THEN EXCLUDED.name ELSE p.name END,
        first_month = least(p.first_month, EXCLUDED.first_month),
        last_month = greatest(p.last_month, EXCLUDED.last_month);

    -- Facts: the batch is replaced as a whole (exercise 13), z-score included.
    DELETE FROM dw.fact_monthly_sales AS f WHERE f.month_date = v_month;
    INSERT INTO dw.fact_monthly_sales (month_date, product_id, category_code, price, total_sales, revenue, z_score)
    SELECT s.batch_month, s.product_id, s.category, s.price, s.total_sales, s.revenue, s.z_score
    FROM staging.monthly_sales AS s WHERE s.batch_month = v_month;
END;
$$;
