-- Exercise 13: make the load of one batch idempotent.
-- The checker applies core's warehouse SQL (core/src/bottleneck_core/warehouse/sql/), then this
-- file, which replaces core's dw.sp_load_staging_to_dw by yours. Only the facts part is yours to
-- write: the products part is already safe to re-run (look at how ON CONFLICT does it).

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

    -- Facts: one row per product of the batch.
    -- TODO (exercise 13): loading the same batch a second time must REPLACE its facts (a corrected
    -- export may have fewer products, or other figures), and must never touch the other batches.
    INSERT INTO dw.fact_monthly_sales (month_date, product_id, category_code, price, total_sales, revenue)
    SELECT s.batch_month, s.product_id, s.category, s.price, s.total_sales, s.revenue
    FROM staging.monthly_sales AS s WHERE s.batch_month = v_month;
END;
$$;
