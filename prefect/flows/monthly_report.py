"""BottleNeck monthly report, as a Prefect 3 flow.

Each core step (core/src/bottleneck_core/graph.py) becomes one Prefect task that calls core, and
each step's quality gates become a second task, `check_<step>`, that fails when a gate fails.
The flow submits them all in graph order; Prefect runs every task as soon as the gates it waits
for have passed, so the three source branches (erp, link, web) run side by side.

Run it once:   python prefect/flows/monthly_report.py --month 2026-10
Serve it:      python prefect/flows/monthly_report.py   (the scheduled deployment, see README)
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.exceptions import PrefectHTTPStatusError
from prefect.futures import wait
from prefect.runtime import flow_run as current_run
from prefect.schedules import Cron
from prefect.states import Cancelled

from bottleneck_core import alerts, config, graph, runner, summary
from bottleneck_core.config import Paths, previous_month
from bottleneck_core.errors import current_lang

FLOW_NAME = config.PIPELINE_NAME  # the same name in every tool
DEPLOYMENT_NAME = "monthly"
DEPLOYMENT = f"{FLOW_NAME}/{DEPLOYMENT_NAME}"  # how the CLI and run_deployment name it
SCHEDULE = Cron(config.MONTHLY_CRON, timezone=config.TIMEZONE)  # 09:00 on the 15th, Paris time
PARIS = ZoneInfo(config.TIMEZONE)

# Core logs each gate's verdict at INFO; Python's default (WARNING) would hide the passed ones.
# PREFECT_LOGGING_EXTRA_LOGGERS=bottleneck then sends these lines to the run's logs in the UI.
logging.getLogger("bottleneck").setLevel(logging.INFO)


def batch_month(month: str | None, scheduled: dt.datetime) -> str:
    """The month to process: the one asked for, else the month before the run's scheduled day (Paris)."""
    return month or previous_month(scheduled.astimezone(PARIS))


# --- 1. One task per core step, one gate task per step --------------------------------------


def step_task(step: graph.Step):
    """A task that runs one core step. Only I/O steps (reading sources, writing reports) retry."""

    @task(
        name=step.name,
        description=step.en,
        task_run_name=step.name,
        retries=2 if step.io else 0,
        retry_delay_seconds=5 if step.io else 0,
    )
    def run_step(month: str) -> dict:
        facts = runner.run_step(step.name, Paths.for_month(month))
        get_run_logger().info("%s wrote %s", step.name, facts["rows"] or facts.get("output"))
        return facts

    return run_step


def gate_task(step: graph.Step):
    """A task that runs one step's quality gates. It fails on a failed gate and never retries."""

    @task(
        name=f"check_{step.name}",
        description=f"Quality gates: {', '.join(step.checks)}",
        task_run_name=f"check_{step.name}",
        retries=0,
    )
    def check_step(month: str) -> list[dict]:
        return [result.to_dict() for result in runner.run_checks(step.name, Paths.for_month(month))]

    return check_step


STEP_TASKS = {step.name: step_task(step) for step in graph.STEPS}
GATE_TASKS = {step.name: gate_task(step) for step in graph.STEPS}


# --- 2. What the UI shows: artifacts of the run ---------------------------------------------


def publish_summary(paths: Paths) -> dict:
    """Row counts, checks and the markdown report as artifacts of the flow run (the Artifacts tab)."""
    figures, lang = summary.month_summary(paths), current_lang()  # messages in BOTTLENECK_LANG
    key = f"bottleneck-{paths.month}"
    create_table_artifact(
        key=f"{key}-rows",
        table=[{"step": graph.PRODUCERS[t], "table": t, "rows": n} for t, n in figures["rows"].items()],
        description=f"Rows per table, {paths.month} / Lignes par table",
    )
    failed_first = sorted(figures["checks"], key=lambda c: c["status"] != "failed")  # graph order within
    create_table_artifact(
        key=f"{key}-checks",
        table=[
            {k: c[k] for k in ("step", "name", "level", "status")} | {"message": c[f"message_{lang}"]}
            for c in failed_first
        ],
        description=f"Quality gates, {paths.month} / Contrôles qualité",
    )
    create_markdown_artifact(  # leads with the verdict: "❌ stopped at check_clean_erp: …" or "✅ …"
        key=f"{key}-report",
        markdown=summary.summary_markdown(figures),
        description=f"{summary.verdict(figures)} / Monthly report / Rapport mensuel",
    )
    return figures


NOT_RUN = "not run: a gate it waits for failed / non exécutée : un contrôle en amont a échoué"


def close_tasks_that_never_ran(futures) -> None:
    """Tasks whose upstream gate failed stay Pending ("NotReady") for ever in the UI: mark them
    as cancelled, named UpstreamFailed (Airflow's word for the same thing)."""
    never_ran = [f for f in futures if f.state.is_pending()]
    if never_ran:
        with get_client(sync_client=True) as client:
            for future in never_ran:
                mark_cancelled(client, future.task_run_id)


def mark_cancelled(client, task_run_id, attempts: int = 20) -> None:
    """The server records a task run from its events, a moment after the run was made: a 404
    means "not yet", so try again for a few seconds; past that, the UI keeps it Pending."""
    for attempt in range(attempts):
        try:
            client.set_task_run_state(task_run_id, Cancelled(name="UpstreamFailed", message=NOT_RUN), force=True)
            return
        except PrefectHTTPStatusError as exc:
            if exc.response.status_code != 404 or attempt == attempts - 1:  # cosmetic: never fail the
                get_run_logger().warning("task run %s left Pending: %s", task_run_id, exc)  # run for it
                return
            time.sleep(0.25)


# --- 3. The alert: Prefect's on_failure hook ------------------------------------------------


UI = "http://localhost:4200"  # the kit's port map: the Prefect UI on 127.0.0.1:4200


def alert_on_failure(flow, flow_run, state) -> None:
    """Called by Prefect when a run fails: a log line, a webhook POST when configured, and an
    e-mail through prefect-email when BOTTLENECK_SMTP_HOST is set."""
    month = batch_month(flow_run.parameters.get("month"), flow_run.expected_start_time)
    alerts.send_alert("prefect", month, str(flow_run.id), state.message or state.name)
    if alerts.smtp_host():
        email_failure(month, str(flow_run.id))


def email_failure(month: str, run_id: str) -> None:
    """Core writes the failure e-mail; prefect-email's email_send_message sends it (plain SMTP)."""
    import html

    from prefect.utilities.asyncutils import run_coro_as_sync
    from prefect_email import EmailServerCredentials, SMTPType, email_send_message

    message = alerts.failure_email("prefect", Paths.for_month(month), run_id, f"{UI}/runs/flow-run/{run_id}")
    server = EmailServerCredentials(
        smtp_server=alerts.smtp_host(), smtp_port=alerts.smtp_port(), smtp_type=SMTPType.INSECURE
    )
    run_coro_as_sync(
        email_send_message.fn(  # the task's own function: the hook runs after the flow run ended
            subject=message["subject"],
            msg=f"<pre>{html.escape(message['text'])}</pre>",
            msg_plain=message["text"],
            email_server_credentials=server,
            email_from=message["from"],
            email_to=message["to"],
        )
    )


# --- 4. The flow ----------------------------------------------------------------------------


def run_name() -> str:
    """Runs are named after their month in the UI, e.g. report-2026-10."""
    return f"report-{batch_month(current_run.parameters.get('month'), current_run.scheduled_start_time)}"


@flow(name=FLOW_NAME, flow_run_name=run_name, on_failure=[alert_on_failure])
def monthly_report(month: str | None = None) -> dict:
    """Build the monthly wine-sales report. `month` is YYYY-MM; empty means the previous month
    of the run's scheduled time (a run scheduled on 2026-11-15 processes 2026-10)."""
    started = dt.datetime.now(dt.timezone.utc)
    month = batch_month(month, current_run.scheduled_start_time)
    paths = Paths.for_month(month)  # also validates the month
    runner.reset_work(paths)  # a fresh work folder, as `bottleneck run` does

    # Graph order is a topological order: each step waits for the gates of the steps it reads.
    # Steps of different branches do not wait for each other, so they run concurrently.
    gates, futures = {}, []
    for step in graph.STEPS:
        upstream_gates = [gates[name] for name in graph.upstream(step.name)]
        ran = STEP_TASKS[step.name].submit(month, wait_for=upstream_gates)
        gates[step.name] = GATE_TASKS[step.name].submit(month, wait_for=[ran])
        futures += [ran, gates[step.name]]

    wait(futures)  # let every branch finish, even after a failure elsewhere
    close_tasks_that_never_ran(futures)
    figures = publish_summary(paths)  # a failed run shows its checks too
    for future in futures:
        future.result()  # the first failure in graph order fails the flow (and fires the alert)
    get_run_logger().info("\n%s", summary.run_statistics(paths, started=started))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run the flow once (--month) or serve its scheduled deployment.")
    parser.add_argument("--month", help="run once for this month (YYYY-MM) instead of serving")
    args = parser.parse_args()
    if args.month:
        monthly_report(month=args.month)
    else:
        # A served deployment: this process registers the deployment and its schedule with the
        # server, then polls for its runs (scheduled, manual, backfill) and executes them.
        monthly_report.serve(name=DEPLOYMENT_NAME, schedules=[SCHEDULE], tags=["bottleneck"])
