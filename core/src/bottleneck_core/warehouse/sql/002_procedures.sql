-- BottleNeck warehouse: the stored procedures the orchestrators call. Safe to re-run.
-- Calling a procedure is orchestration; what it does lives here, versioned with the kit.

-- The two wine categories of the monthly reports.
CREATE OR REPLACE PROCEDURE dw.sp_seed_dim_category()
LANGUAGE sql AS $$
    INSERT INTO dw.dim_category (category_code, label_en, label_fr) VALUES
        ('premium', 'Premium wine (price z-score above the threshold)', 'Vin premium (z-score du prix au-dessus du seuil)'),
        ('ordinary', 'Ordinary wine', 'Vin ordinaire')
    ON CONFLICT (category_code) DO UPDATE SET label_en = EXCLUDED.label_en, label_fr = EXCLUDED.label_fr;
$$;

-- Calendar months from first_month to last_month (both included).
CREATE OR REPLACE PROCEDURE dw.sp_seed_dim_month(first_month date, last_month date)
LANGUAGE sql AS $$
    INSERT INTO dw.dim_month (month_date, year, quarter, month, label)
    SELECT m::date, extract(year FROM m)::int, extract(quarter FROM m)::int, extract(month FROM m)::int,
           to_char(m, 'YYYY-MM')
    FROM generate_series(date_trunc('month', first_month), date_trunc('month', last_month), interval '1 month') AS m
    ON CONFLICT (month_date) DO NOTHING;
$$;

-- Load one batch from staging into the star schema. Re-running a batch replaces it, never duplicates it.
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

    -- Products: the latest month's sku and name win; first/last months span every batch loaded,
    -- so the dimension is the same whatever order the batches are loaded in.
    INSERT INTO dw.dim_product AS p (product_id, sku, name, first_month, last_month)
    SELECT s.product_id, s.sku, s.name, s.batch_month, s.batch_month
    FROM staging.monthly_sales AS s WHERE s.batch_month = v_month
    ON CONFLICT (product_id) DO UPDATE SET
        sku = CASE WHEN EXCLUDED.last_month >= p.last_month THEN EXCLUDED.sku ELSE p.sku END,
        name = CASE WHEN EXCLUDED.last_month >= p.last_month THEN EXCLUDED.name ELSE p.name END,
        first_month = least(p.first_month, EXCLUDED.first_month),
        last_month = greatest(p.last_month, EXCLUDED.last_month);

    DELETE FROM dw.fact_monthly_sales AS f WHERE f.month_date = v_month;
    INSERT INTO dw.fact_monthly_sales (month_date, product_id, category_code, price, total_sales, revenue)
    SELECT s.batch_month, s.product_id, s.category, s.price, s.total_sales, s.revenue
    FROM staging.monthly_sales AS s WHERE s.batch_month = v_month;
END;
$$;
