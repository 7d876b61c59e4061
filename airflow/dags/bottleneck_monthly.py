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
  `BOTTLENECK_ALERT_WEBHOOK` is set) and, when `BOTTLENECK_SMTP_HOST` is set, e-mails core's
  failure message through the SMTP provider's `SmtpNotifier` (connection `bottleneck_smtp`).
- **Results**: row counts in each step's XCom; check results in each gate's XCom;
  the month's summary (verdict, revenue total as text, premium count, checks) in the log and
  XCom of `publish_summary`, which runs even when a gate failed (`trigger_rule="all_done"`),
  so a failed run also says where it stopped; `publish_reports` (the `bottleneck_reports`
  asset event) runs only after a good month and ends its log with the run statistics block.
- **One run at a time** (`max_active_runs=1`): runs of the same month share a work folder.
- **Find a run's month**: the first task, `batch_month`, returns it (XCom); trigger with a
  run id or note naming it (`2026-10`), as the UI's trigger form and the API allow.

Backfill a range of months (the interval start of each run names its month):
`airflow backfill create --dag-id bottleneck_monthly --from-date 2026-05-01 --to-date 2026-10-31`
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, Param, TaskGroup, TriggerRule, dag, task

from bottleneck_core import config, graph  # light: the step graph and settings (no pandas at parse time)

log = logging.getLogger("bottleneck.airflow")

TOOL = "airflow"
TZ = config.TIMEZONE
REPORTS = Asset("bottleneck_reports")  # the published reports: one asset event per month
IO_RETRIES = {"retries": 2, "retry_delay": dt.timedelta(seconds=30)}  # I/O steps only


def month_of(params, data_interval_start, dag_run) -> str:
    """The batch month: the `month` param if given, else the month the data interval starts in."""
    from bottleneck_core.config import parse_month, previous_month

    if params and params.get("month"):
        return parse_month(params["month"])
    if data_interval_start is not None:
        return data_interval_start.in_timezone(TZ).strftime("%Y-%m")
    return previous_month(dag_run.run_after)  # a manual run without a logical date


SMTP_CONN = "bottleneck_smtp"
UI = "http://localhost:8082"  # the kit's port map: the Airflow UI on 127.0.0.1:8082


def alert_on_failure(context) -> None:
    """on_failure_callback: a task failed for good (after its retries, if any)."""
    from bottleneck_core.alerts import send_alert

    month = month_of(context.get("params"), context.get("data_interval_start"), context["dag_run"])
    reason = f"task {context['ti'].task_id} failed: {context.get('exception')}"
    send_alert(TOOL, month, context["run_id"], reason)
    email_failure(month, context)


def email_failure(month: str, context) -> None:
    """E-mail core's failure message with the SMTP provider's notifier (only when BOTTLENECK_SMTP_HOST is set)."""
    import html
    import json
    import os
    from urllib.parse import quote

    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    from bottleneck_core import alerts
    from bottleneck_core.config import Paths

    if not alerts.smtp_host():
        return
    # The notifier's connection, made from the kit's SMTP settings (plain SMTP, as Mailpit expects).
    os.environ[f"AIRFLOW_CONN_{SMTP_CONN.upper()}"] = json.dumps(
        {
            "conn_type": "smtp",
            "host": alerts.smtp_host(),
            "port": alerts.smtp_port(),
            "extra": {"disable_ssl": True, "disable_tls": True, "retry_limit": 1},
        }
    )
    url = f"{UI}/dags/{context['dag_run'].dag_id}/runs/{quote(context['run_id'], safe='')}"
    message = alerts.failure_email(TOOL, Paths.for_month(month), context["run_id"], url)
    SmtpNotifier(
        to=message["to"],
        from_email=message["from"],
        subject=message["subject"],
        smtp_conn_id=SMTP_CONN,
        html_content=f"<pre>{html.escape(message['text'])}</pre>",
    )(context)


@dag(
    schedule=CronDataIntervalTimetable(config.MONTHLY_CRON, timezone=TZ),
    start_date=pendulum.datetime(2026, 1, 1, tz=TZ),
    catchup=False,
    max_active_runs=1,  # runs of one month share its work folder: never two at once
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
    default_args={"retries": 0, "on_failure_callback": alert_on_failure},
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

    @task(multiple_outputs=True, trigger_rule=TriggerRule.ALL_DONE)
    def publish_summary(month: str) -> dict:
        """The month's figures, also after a failed gate: the verdict first, then the figures and
        checks, in the log (Markdown) and in XCom (one key each; money as text: "87,439.69 €")."""
        from bottleneck_core.config import Paths
        from bottleneck_core.summary import money_text, month_summary, summary_markdown, verdict

        summary = month_summary(Paths.for_month(month))
        report = summary_markdown(summary)
        log.info("BottleNeck summary\n%s", report)
        if "revenue_total" in summary:
            summary["revenue_total"] = money_text(summary["revenue_total"])
        return summary | {"verdict": verdict(summary), "report": report}

    @task(outlets=[REPORTS])
    def publish_reports(summary: dict, outlet_events=None, dag_run=None) -> None:
        """The month's reports are published: one `bottleneck_reports` asset event and the run
        statistics block in the log, after a good run only."""
        from bottleneck_core.config import Paths
        from bottleneck_core.summary import run_statistics

        keys = ("month", "revenue_total", "premium_count", "ordinary_count")
        outlet_events[REPORTS].extra = {key: summary[key] for key in keys}
        paths = Paths.for_month(summary["month"])
        log.info("\n%s", run_statistics(paths, started=getattr(dag_run, "start_date", None)))

    month = batch_month()

    # One task group per source branch; the three have no link between them, so they run in parallel.
    branches = {b: TaskGroup(b, prefix_group_id=False, tooltip=f"the {b} source") for b in ("erp", "link", "web")}
    gates = {}  # step name -> its gate task: what the next steps wait for
    for s in graph.STEPS:  # core's step graph, in order
        with branches[s.branch] if s.branch else contextlib.nullcontext():
            retries = IO_RETRIES if s.io else {"retries": 0}
            work = step.override(task_id=s.name, doc_md=f"{s.en}\n\n{s.fr}", **retries)(s.name, month)
            gates[s.name] = gate.override(task_id=f"check_{s.name}", retries=0)(s.name, month)
        work >> gates[s.name]
        for upstream in graph.upstream(s.name):  # e.g. merge waits for the three dedup gates
            gates[upstream] >> work

    summary = publish_summary(month)  # runs whatever happened upstream (all_done)
    gates["export"] >> summary
    # publish_reports is the last task: a failed gate leaves it upstream_failed, so the run fails
    gates["export"] >> publish_reports(summary)


bottleneck_monthly()
