"""Failure alert: a run-failure sensor (evaluated by the daemon) calls core's send_alert."""

import dagster as dg
from bottleneck_core.alerts import send_alert


def failure_reason(context: dg.RunFailureSensorContext) -> str:
    """The failed gates' own message when a gate stopped the run, else the failed steps' errors."""
    run_id = context.dagster_run.run_id
    records = context.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    gates = [r.dagster_event.event_specific_data for r in records]  # the AssetCheckResults, as stored
    failed_gates = [g.description or g.check_name for g in gates
                    if not g.passed and g.severity == dg.AssetCheckSeverity.ERROR]  # fmt: skip
    failed_steps = [f"{e.step_key}: {e.event_specific_data.error.message.strip()}"
                    for e in context.get_step_failure_events()]  # fmt: skip
    return "\n".join(failed_gates or failed_steps) or context.failure_event.message or "run failed"


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Log + webhook (BOTTLENECK_ALERT_WEBHOOK) on every failed run.")  # fmt: skip
def alert_on_failure(context: dg.RunFailureSensorContext):
    run = context.dagster_run
    send_alert("dagster", run.tags.get("dagster/partition"), run.run_id, failure_reason(context))
