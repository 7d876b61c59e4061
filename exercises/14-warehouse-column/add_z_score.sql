-- Exercise 14: carry the z-score of the wines CSVs through staging into the fact table.
-- The checker applies core's warehouse SQL (core/src/bottleneck_core/warehouse/sql/), then this
-- file: your migration of the two tables, then your dw.sp_load_staging_to_dw, which replaces core's.
-- Like core's files, it must be safe to apply twice: every `bottleneck warehouse run` applies them again.

-- TODO (exercise 14): add a column z_score numeric(12, 6) to staging.monthly_sales and to
-- dw.fact_monthly_sales. The batches loaded before this change have no z-score: it may be NULL.

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

    -- Facts: the batch is replaced as a whole (exercise 13).
    -- TODO (exercise 14): copy each product's z_score from staging into the facts.
    DELETE FROM dw.fact_monthly_sales AS f WHERE f.month_date = v_month;
    INSERT INTO dw.fact_monthly_sales (month_date, product_id, category_code, price, total_sales, revenue)
    SELECT s.batch_month, s.product_id, s.category, s.price, s.total_sales, s.revenue
    FROM staging.monthly_sales AS s WHERE s.batch_month = v_month;
END;
$$;
