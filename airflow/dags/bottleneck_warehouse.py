"""
### BottleNeck warehouse (Phase 2): one `batch_date`, one month loaded (Airflow 3, TaskFlow API)

The month's published reports land in S3, a Python task COPYs them into PostgreSQL staging, then
the warehouse's **stored procedures** load the star schema. Python tasks call `bottleneck_core`;
the procedures are called with Airflow's own SQL operator (`SQLExecuteQueryOperator`) — calling
SQL is orchestration, the SQL itself lives in core (`core/src/bottleneck_core/warehouse/sql/`).

- **Param `batch_date`** (`YYYY-MM-DD`): the month containing it is loaded. Without it, a scheduled
  run loads the month its data interval starts in (10:00 Paris on the 15th, an hour after
  `bottleneck_monthly` published that month).
- **Gates** (`check_<step>`): after each database step; a failed gate fails the run, no retry.
- **Idempotent**: re-running a batch replaces it in staging and in the facts.
- **Connection** `bottleneck_warehouse` (`AIRFLOW_CONN_BOTTLENECK_WAREHOUSE`) for the SQL operator;
  core's Python tasks read the same database from `BOTTLENECK_WAREHOUSE_URL`.

Backfill three months: `airflow backfill create --dag-id bottleneck_warehouse --from-date 2026-08-01 --to-date 2026-10-31`
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

from bottleneck_core import config

TZ = config.TIMEZONE
CONN_ID = "bottleneck_warehouse"
IO_RETRIES = {"retries": 2, "retry_delay": dt.timedelta(seconds=30)}  # S3 and file steps only
BATCH = "{{ ti.xcom_pull(task_ids='batch_date') }}"


@dag(
    dag_id="bottleneck_warehouse",
    schedule=CronDataIntervalTimetable(config.WAREHOUSE_CRON, timezone=TZ),
    start_date=pendulum.datetime(2026, 5, 15, tz=TZ),
    catchup=False,
    max_active_runs=1,
    params={
        "batch_date": Param(None, type=["null", "string"], description="YYYY-MM-DD; empty: the data interval's month")
    },
    tags=["bottleneck", "warehouse"],
    doc_md=__doc__,
)
def bottleneck_warehouse():
    @task
    def batch_date(params=None, data_interval_start=None) -> str:
        """The batch: the `batch_date` param if given, else the first day of the data interval's month."""
        from bottleneck_core.warehouse.runner import init
        from bottleneck_core.warehouse.settings import batch_month

        init()  # schemas, tables and procedures: safe on every run
        if params and params.get("batch_date"):
            return f"{batch_month(params['batch_date'])}-01"
        return data_interval_start.in_timezone(TZ).strftime("%Y-%m-01")

    @task(**IO_RETRIES)
    def land(day: str) -> dict:
        """Upload the published month (reports + manifest) to s3://…/exports/<month>/."""
        from bottleneck_core.warehouse.runner import run_step

        return run_step("land", day)

    @task(**IO_RETRIES)
    def load_staging(day: str) -> dict:
        """COPY the landed month into staging, replacing that batch only (gates included)."""
        from bottleneck_core.warehouse.runner import run_step

        return run_step("load_staging", day)

    seed_dims = SQLExecuteQueryOperator(
        task_id="seed_dims",
        conn_id=CONN_ID,
        sql=["CALL dw.sp_seed_dim_category()", f"CALL dw.sp_seed_dim_month('{BATCH}'::date, '{BATCH}'::date)"],
    )
    load_dw = SQLExecuteQueryOperator(
        task_id="load_dw", conn_id=CONN_ID, sql=f"CALL dw.sp_load_staging_to_dw('{BATCH}'::date)"
    )

    @task
    def check_seed_dims(day: str) -> list[dict]:
        from bottleneck_core.warehouse.runner import run_checks

        return run_checks("seed_dims", day)

    @task
    def check_load_dw(day: str) -> list[dict]:
        from bottleneck_core.warehouse.runner import run_checks

        return run_checks("load_dw", day)

    day = batch_date()
    staged = load_staging(day)
    land(day) >> staged >> seed_dims >> check_seed_dims(day) >> load_dw >> check_load_dw(day)


bottleneck_warehouse()
