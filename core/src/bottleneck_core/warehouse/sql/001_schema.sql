-- BottleNeck warehouse: schemas and tables. Safe to re-run (bottleneck warehouse init).
-- staging: what the Python task loads from the month's landed files, one batch_month at a time.
-- dw:      the star schema the stored procedures load from staging.

CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS dw;

-- One row per landed month: the figures its manifest promises (the gates compare against them).
CREATE TABLE IF NOT EXISTS staging.batch (
    batch_month     date PRIMARY KEY CHECK (batch_month = date_trunc('month', batch_month)),
    manifest_sha256 text NOT NULL,
    revenue_total   numeric(18, 2) NOT NULL,
    product_count   integer NOT NULL,
    premium_count   integer NOT NULL,
    ordinary_count  integer NOT NULL
);

-- One row per product sold online that month, as the month's reports give it.
CREATE TABLE IF NOT EXISTS staging.monthly_sales (
    batch_month date NOT NULL REFERENCES staging.batch (batch_month) ON DELETE CASCADE,
    product_id  text NOT NULL,
    sku         text NOT NULL,
    name        text NOT NULL,
    price       numeric(18, 2) NOT NULL,
    total_sales bigint NOT NULL,
    revenue     numeric(18, 2) NOT NULL,
    category    text NOT NULL,
    PRIMARY KEY (batch_month, product_id)
);

-- Reference dimensions, seeded by dw.sp_seed_dim_* (idempotent).
CREATE TABLE IF NOT EXISTS dw.dim_category (
    category_code text PRIMARY KEY,
    label_en      text NOT NULL,
    label_fr      text NOT NULL
);

CREATE TABLE IF NOT EXISTS dw.dim_month (
    month_date date PRIMARY KEY CHECK (month_date = date_trunc('month', month_date)),
    year       integer NOT NULL,
    quarter    integer NOT NULL,
    month      integer NOT NULL,
    label      text NOT NULL
);

-- Products keep their natural key (the ERP product_id), so every tool's warehouse has the same rows
-- whatever order the months were loaded in.
CREATE TABLE IF NOT EXISTS dw.dim_product (
    product_id text PRIMARY KEY,
    sku        text NOT NULL,
    name       text NOT NULL,
    first_month date NOT NULL,
    last_month  date NOT NULL
);

CREATE TABLE IF NOT EXISTS dw.fact_monthly_sales (
    month_date    date NOT NULL REFERENCES dw.dim_month (month_date),
    product_id    text NOT NULL REFERENCES dw.dim_product (product_id),
    category_code text NOT NULL REFERENCES dw.dim_category (category_code),
    price         numeric(18, 2) NOT NULL,
    total_sales   bigint NOT NULL,
    revenue       numeric(18, 2) NOT NULL,
    PRIMARY KEY (month_date, product_id)
);
