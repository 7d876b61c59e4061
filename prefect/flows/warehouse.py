"""BottleNeck warehouse (Phase 2), as a Prefect 3 flow: one `batch_date` in, one month loaded.

land → load_staging → seed_dims → load_dw, one task per core warehouse step; each task runs its
step's gates and fails when one fails. The SQL (schema, procedures, gates) lives in core:
core/src/bottleneck_core/warehouse/sql/. Re-running a batch replaces it; never duplicates it.

Run it once:  python prefect/flows/warehouse.py --batch-date 2026-10-01
Backfill:     python prefect/flows/warehouse.py --batch-date 2026-08-01 --batch-date 2026-09-01 ...
"""

from __future__ import annotations

import argparse

from prefect import flow, get_run_logger, task

from bottleneck_core.warehouse import STEPS, runner

FLOW_NAME = "bottleneck-warehouse"


def warehouse_task(step):
    """A task for one warehouse step and its gates. Only S3/file steps retry."""

    @task(
        name=step.name,
        description=step.en,
        task_run_name=step.name,
        retries=2 if step.io else 0,
        retry_delay_seconds=5 if step.io else 0,
    )
    def run(batch_date: str) -> dict:
        facts = runner.run_step(step.name, batch_date)
        for check in facts["checks"]:
            get_run_logger().info("[%s] %s: %s", check["name"], check["status"], check["message_en"])
        return facts

    return run


TASKS = [warehouse_task(step) for step in STEPS]


@flow(name=FLOW_NAME, log_prints=True)
def bottleneck_warehouse(batch_date: str) -> dict:
    """Load the month containing ``batch_date`` from its published reports into the warehouse."""
    runner.init()  # idempotent: schemas, tables and procedures
    facts = {}
    for step_task in TASKS:  # strictly in order: each step reads what the previous one wrote
        facts[step_task.name] = step_task(batch_date)
    return facts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-date", action="append", required=True, help="YYYY-MM-DD; repeat to backfill")
    for day in parser.parse_args().batch_date:
        bottleneck_warehouse(day)
