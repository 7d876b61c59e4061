"""
### BottleNeck monthly reports (Airflow 3, TaskFlow API)

The BottleNeck pipeline as an Airflow DAG. All the work is done by the `bottleneck_core`
package: each task below calls **one** core step (`runner.run_step`) or the quality gates
of one step (`runner.run_checks`). This file only says *when* and *in which order*.

- **Schedule**: 09:00 (Europe/Paris) on the 15th of every month. The run of month M covers
  the data interval 15th of M-1 → 15th of M, so the interval *start* names the batch month:
  the run of 15 November processes October.
- **Param `month`** (`YYYY-MM`): trigger the DAG by hand with a month to process any month.
- **Task groups** `erp`, `link`, `web`: the three source branches, run in parallel.
- **Gates** (`check_<step>`): one task per step's quality checks. A failed gate fails at once
  and is never retried: bad data does not get better by waiting.
- **Retries**: only on the I/O steps (reading the sources, writing the reports).
- **Alerts**: every failed task calls `alerts.send_alert` (log line + webhook POST when
  `BOTTLENECK_ALERT_WEBHOOK` is set).
- **Results**: row counts in each step's XCom; check results in each gate's XCom;
  the month's summary (revenue total, premium count, checks) in the logs and XCom of
  `publish_summary`, and in the `bottleneck_reports` asset event.

Backfill a range of months (the interval start of each run names its month):
`airflow backfill create --dag-id bottleneck_monthly --from-date 2026-05-01 --to-date 2026-10-31`
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, TaskGroup, dag, task

from bottleneck_core import graph  # light: the step graph only (no pandas at parse time)

log = logging.getLogger("bottleneck.airflow")

TOOL = "airflow"
TZ = "Europe/Paris"
REPORTS = Asset("bottleneck_reports")  # the published reports: one asset event per month
# TODO (exercise 06): IO_RETRIES, the retry settings of the I/O steps (reading sources, writing reports)


def month_of(params, data_interval_start, dag_run) -> str:
    """The batch month: the `month` param if given, else the month the data interval starts in."""
    from bottleneck_core.config import parse_month, previous_month

    if params and params.get("month"):
        return parse_month(params["month"])
    if data_interval_start is not None:
        return data_interval_start.in_timezone(TZ).strftime("%Y-%m")
    return previous_month(dag_run.run_after)  # a manual run without a logical date


def alert_on_failure(context) -> None:
    """on_failure_callback: a task failed for good (after its retries, if any)."""
    # TODO (exercise 06): alert with core's bottleneck_core.alerts.send_alert(tool, month, run_id, reason)


@dag(
    schedule=CronDataIntervalTimetable("0 9 15 * *", timezone=TZ),
    start_date=pendulum.datetime(2026, 1, 1, tz=TZ),
    catchup=False,
    doc_md=__doc__,
    tags=["bottleneck", "teaching"],
    params={
        "month": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            title="Batch month (YYYY-MM)",
            description="Leave empty to process the month of the data interval (the previous month).",
        )
    },
    default_args={"retries": 0},  # TODO (exercise 06): call alert_on_failure when a task fails
)
def bottleneck_monthly():
    @task
    def batch_month(params=None, data_interval_start=None, dag_run=None) -> str:
        """Which month this run processes (its XCom), started afresh like `bottleneck run`."""
        from bottleneck_core.config import Paths
        from bottleneck_core.runner import reset_work

        month = month_of(params, data_interval_start, dag_run)
        reset_work(Paths.for_month(month))  # the month's work folder only, never its reports
        log.info("BottleNeck batch month: %s", month)
        return month

    @task
    def step(name: str, month: str) -> dict:
        """Run one core step. Its facts (rows per output table, ...) become the task's XCom."""
        from bottleneck_core.config import Paths
        from bottleneck_core.runner import run_step

        facts = run_step(name, Paths.for_month(month))
        log.info("%s %s: %s", name, month, facts)
        return facts

    @task
    def gate(name: str, month: str) -> list[dict]:
        """Run one step's quality gates. A failed gate fails the task for good (no retry)."""
        from airflow.sdk.exceptions import AirflowFailException

        from bottleneck_core.config import Paths
        from bottleneck_core.errors import GateFailed
        from bottleneck_core.runner import run_checks

        try:
            results = run_checks(name, Paths.for_month(month))
        except GateFailed as failed:
            raise AirflowFailException(failed.text()) from failed
        return [result.to_dict() for result in results]

    @task(multiple_outputs=True, outlets=[REPORTS])
    def publish_summary(month: str, outlet_events=None) -> dict:
        """The month's figures: in the log (Markdown), in XCom (one key each), on the asset event."""
        from bottleneck_core.config import Paths
        from bottleneck_core.summary import month_summary, summary_markdown

        summary = month_summary(Paths.for_month(month))
        log.info("BottleNeck summary\n%s", summary_markdown(summary))
        keys = ("month", "revenue_total", "premium_count", "ordinary_count")
        outlet_events[REPORTS].extra = {key: summary[key] for key in keys}
        return summary

    month = batch_month()

    # One task group per source branch; the three have no link between them, so they run in parallel.
    branches = {b: TaskGroup(b, prefix_group_id=False, tooltip=f"the {b} source") for b in ("erp", "link", "web")}
    gates = {}  # step name -> its gate task: what the next steps wait for
    for s in graph.STEPS:  # core's step graph, in order
        with branches[s.branch] if s.branch else contextlib.nullcontext():
            retries = {"retries": 0}  # TODO (exercise 06): retry the I/O steps (s.io), never the others
            work = step.override(task_id=s.name, doc_md=f"{s.en}\n\n{s.fr}", **retries)(s.name, month)
            gates[s.name] = gate.override(task_id=f"check_{s.name}", retries=0)(s.name, month)
        work >> gates[s.name]
        for upstream in graph.upstream(s.name):  # e.g. merge waits for the three dedup gates
            gates[upstream] >> work

    gates["export"] >> publish_summary(month)


bottleneck_monthly()
