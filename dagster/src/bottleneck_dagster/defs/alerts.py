"""Failure alert: a run-failure sensor (evaluated by the daemon) calls core's send_alert."""

import dagster as dg

from bottleneck_core.alerts import send_alert


def failure_reason(context: dg.RunFailureSensorContext) -> str:
    """The failed gates' own message when a gate stopped the run, else the failed steps' errors."""
    run_id = context.dagster_run.run_id
    records = context.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    gates = [r.dagster_event.event_specific_data for r in records]  # the AssetCheckResults, as stored
    failed_gates = [
        g.description or g.check_name for g in gates if not g.passed and g.severity == dg.AssetCheckSeverity.ERROR
    ]
    failed_steps = [
        f"{e.step_key}: {e.event_specific_data.error.message.strip()}" for e in context.get_step_failure_events()
    ]
    return "\n".join(failed_gates or failed_steps) or context.failure_event.message or "run failed"


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Log + webhook (BOTTLENECK_ALERT_WEBHOOK) on every failed run.",
)
def alert_on_failure(context: dg.RunFailureSensorContext):
    run = context.dagster_run
    send_alert("dagster", run.tags.get("dagster/partition"), run.run_id, failure_reason(context))


UI = "http://localhost:3000"  # the kit's port map: the Dagster UI on 127.0.0.1:3000


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="E-mail core's failure message (only when BOTTLENECK_SMTP_HOST is set).",
)
def email_on_failure(context: dg.RunFailureSensorContext):
    """Dagster's e-mail-on-run-failure sensor, speaking plain SMTP.

    Dagster's ready-made `make_email_on_run_failure_sensor` only sends over SSL or STARTTLS and
    always logs in: a local development inbox such as the stack's Mailpit offers neither. So this
    is the same kind of run-failure sensor, sending core's message with core's `send_email`.
    """
    from bottleneck_core import alerts
    from bottleneck_core.config import Paths

    run = context.dagster_run
    month = run.tags.get("dagster/partition")
    if not alerts.smtp_host() or not month:
        return dg.SkipReason("no BOTTLENECK_SMTP_HOST, or not a monthly run: no e-mail")
    message = alerts.failure_email("dagster", Paths.for_month(month), run.run_id, f"{UI}/runs/{run.run_id}")
    if not alerts.send_email(message):
        raise RuntimeError(f"the SMTP server {alerts.smtp_host()}:{alerts.smtp_port()} did not accept the e-mail")
