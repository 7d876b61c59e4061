"""The flow, in-process against Prefect's test harness: same bytes as core, the task graph is
core's step graph, a broken input stops at the erp gate and fires the alert, the UI artifacts."""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from prefect import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterId

from bottleneck_core import graph, summary
from bottleneck_core.config import Paths
from bottleneck_testkit import (
    SmtpReceiver,
    WebhookReceiver,
    assert_same_outputs,
    break_prices,
    core_outputs,
    sample_month,
    use_data_dir,
)

MONTH = "2026-10"


TASK_NAMES = {name for step in graph.STEPS for name in (step.name, f"check_{step.name}")}


def task_runs(state) -> dict:
    """The task runs of a finished flow run, by task name. A run's name is its task's name
    (task_run_name), except for a task that never started: Prefect may leave it the generated
    name `<task>-<3 hex digits>`, e.g. `merge-4a2` (seen for tasks behind a failed gate)."""
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
        )
    by_name = {}
    for run in runs:
        base, _, suffix = run.name.rpartition("-")
        name = (
            base
            if run.name not in TASK_NAMES and base in TASK_NAMES and re.fullmatch("[0-9a-f]{3}", suffix)
            else run.name
        )
        assert name not in by_name, f"two task runs named {name}"
        by_name[name] = run
    return by_name


def artifacts(state) -> dict:
    """The artifacts of a finished flow run: key -> data (a JSON table, or markdown text)."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]))
        )
    return {a.key: a.data for a in found}


@pytest.fixture(scope="module")
def good_run(wrapper, prefect_server, tmp_path_factory):
    """One complete run of the flow on a sample month, shared by the read-only tests below."""
    root = tmp_path_factory.mktemp("good")
    sources = sample_month(MONTH, root)
    with pytest.MonkeyPatch.context() as env, SmtpReceiver() as inbox:
        use_data_dir(root, env)
        for key, value in inbox.env.items():
            env.setenv(key, value)
        state = wrapper.monthly_report(month=MONTH, return_state=True)
        assert inbox.wait(1, timeout=2) == [], "no e-mail for a successful run"
    return state, root, sources


def test_the_other_parity_months_are_byte_identical_to_core(wrapper, prefect_server, tmp_path):
    from bottleneck_testkit import PARITY_MONTHS

    for month in (m for m in PARITY_MONTHS if m != MONTH):
        root = tmp_path / month
        sources = sample_month(month, root)
        with pytest.MonkeyPatch.context() as env:
            use_data_dir(root, env)
            state = wrapper.monthly_report(month=month, return_state=True)
        assert state.is_completed(), state.message
        assert_same_outputs(core_outputs(month, sources, tmp_path / "core" / month), root / "output" / month)


def test_outputs_are_byte_identical_to_core(good_run, tmp_path):
    state, root, sources = good_run
    assert state.is_completed(), state.message
    assert_same_outputs(core_outputs(MONTH, sources, tmp_path / "core"), root / "output" / MONTH)


def test_task_graph_is_core_step_graph(good_run):
    """Names and edges of the task runs Prefect recorded, against graph.STEPS."""
    runs = task_runs(good_run[0])
    expected = {}
    for step in graph.STEPS:
        expected[step.name] = {f"check_{up}" for up in graph.upstream(step.name)}
        expected[f"check_{step.name}"] = {step.name}
    by_id = {run.id: name for name, run in runs.items()}
    recorded = {
        name: {by_id[i.id] for inputs in run.task_inputs.values() for i in inputs if i.id in by_id}
        for name, run in runs.items()
    }
    assert recorded == expected
    assert all(run.state.is_completed() for run in runs.values())


def test_retries_on_io_steps_only_never_on_gates(good_run):
    runs = task_runs(good_run[0])
    for step in graph.STEPS:
        assert runs[step.name].empirical_policy.retries == (2 if step.io else 0), step.name
        assert runs[f"check_{step.name}"].empirical_policy.retries == 0, step.name


def test_the_three_source_branches_run_concurrently(good_run):
    """Every branch started before any branch had finished (its last gate): they overlap. (Comparing
    only the first tasks was flaky: an extract can now end before another one starts.)"""
    runs = task_runs(good_run[0])
    branches = sorted({s.branch for s in graph.STEPS if s.branch})
    assert len(branches) == 3
    starts = [runs[f"extract_{b}"].start_time for b in branches]
    ends = [runs[f"check_dedup_{b}"].end_time for b in branches]
    assert max(starts) < min(ends)


def test_summary_artifacts_show_core_figures(good_run, tmp_path):
    """The rows, checks and report artifacts hold what core's own run of the month reports."""
    state, _, sources = good_run
    core_outputs(MONTH, sources, tmp_path)
    expected = summary.month_summary(
        Paths.for_month(MONTH, sources=sources, work_root=tmp_path / "work", output_root=tmp_path / "output")
    )
    by_key = artifacts(state)
    assert set(by_key) == {f"bottleneck-{MONTH}-{kind}" for kind in ("rows", "checks", "report")}
    rows = json.loads(by_key[f"bottleneck-{MONTH}-rows"])
    assert {r["table"]: r["rows"] for r in rows} == expected["rows"]
    checks = json.loads(by_key[f"bottleneck-{MONTH}-checks"])
    failed_first = sorted(expected["checks"], key=lambda c: c["status"] != "failed")  # the UI lists them first
    assert [(c["name"], c["status"]) for c in checks] == [(c["name"], c["status"]) for c in failed_first]
    assert by_key[f"bottleneck-{MONTH}-report"] == summary.summary_markdown(expected)
    assert summary.money_text(expected["revenue_total"]) in by_key[f"bottleneck-{MONTH}-report"]  # "87,439.69 €"


def test_broken_prices_fail_at_the_erp_gate_and_alert(wrapper, prefect_server, data_dir, monkeypatch):
    break_prices(sample_month(MONTH, data_dir))
    stale = data_dir / "work" / MONTH / "checks" / "merge.json"  # left by an earlier run of the month
    stale.parent.mkdir(parents=True)
    stale.write_text(
        json.dumps(
            [
                {
                    "name": "stale",
                    "step": "merge",
                    "level": "error",
                    "status": "passed",
                    "message_en": "",
                    "message_fr": "",
                    "evidence": {},
                }
            ]
        )
    )
    with WebhookReceiver() as hook, SmtpReceiver() as inbox:
        monkeypatch.setenv("BOTTLENECK_ALERT_WEBHOOK", hook.url)
        for key, value in inbox.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("BOTTLENECK_ALERT_EMAIL_TO", "ops@bottleneck.test")
        state = wrapper.monthly_report(month=MONTH, return_state=True)
        alerts = hook.wait(1)
        mails = inbox.wait(1, timeout=10)
    assert state.is_failed()
    assert "erp_prices_present" in state.message
    runs = task_runs(state)
    assert runs["check_clean_erp"].state.is_failed()
    assert runs["check_clean_erp"].run_count == 1  # a gate is not retried
    assert runs["check_dedup_web"].state.is_completed()  # the other branches went on
    assert "merge" not in runs or not runs["merge"].state.is_completed()  # nothing downstream ran
    never_ran = {name: run.state for name, run in runs.items() if name in ("dedup_erp", "merge", "export")}
    assert never_ran and all(st.name == "UpstreamFailed" and st.is_cancelled() for st in never_ran.values()), never_ran
    assert not [name for name, run in runs.items() if run.state.is_pending()]  # none left Pending
    report = artifacts(state)[f"bottleneck-{MONTH}-report"]
    assert report.index("❌ stopped at check_clean_erp: erp_prices_present") < report.index("| table | rows |")
    assert not (data_dir / "output" / MONTH).exists()
    checks = {c["name"]: c["status"] for c in json.loads(artifacts(state)[f"bottleneck-{MONTH}-checks"])}
    assert checks["erp_prices_present"] == "failed"  # the UI shows which gate stopped the run
    assert "stale" not in checks and "merged_not_empty" not in checks  # a fresh work folder
    assert len(alerts) == 1
    assert alerts[0]["tool"] == "prefect" and alerts[0]["month"] == MONTH and alerts[0]["status"] == "failed"
    assert alerts[0]["run"] == str(state.state_details.flow_run_id)
    assert "erp_prices_present" in alerts[0]["reason"]
    assert len(mails) == 1, mails  # sent by prefect-email from the on_failure hook, to a real SMTP server
    (mail,) = mails
    assert mail["to"] == ["ops@bottleneck.test"]
    assert mail["subject"] == f"🔴 BottleNeck {MONTH} FAILED at clean_erp / erp_prices_present (prefect)"
    assert "erp_prices_present" in mail["text"] and f"/runs/flow-run/{state.state_details.flow_run_id}" in mail["text"]


def test_a_transient_io_failure_is_retried(wrapper, prefect_server, data_dir, monkeypatch, tmp_path_factory):
    """The ERP export is unreadable once (a file still being copied): extract_erp retries and the run completes."""
    from bottleneck_core import runner

    sources = sample_month(MONTH, data_dir)
    real_extract, failures = runner.sources.extract, []

    def flaky_extract(folder, name):
        if name == "erp" and not failures:
            failures.append(name)
            raise OSError("erp.xlsx is locked (injected)")
        return real_extract(folder, name)

    monkeypatch.setattr(runner.sources, "extract", flaky_extract)
    state = wrapper.monthly_report(month=MONTH, return_state=True)
    assert state.is_completed(), state.message
    assert failures == ["erp"] and task_runs(state)["extract_erp"].run_count == 2
    monkeypatch.setattr(runner.sources, "extract", real_extract)  # core's reference run reads for real
    assert_same_outputs(core_outputs(MONTH, sources, tmp_path_factory.mktemp("core")), data_dir / "output" / MONTH)


@pytest.mark.parametrize(
    ("scheduled", "month"),
    [
        (dt.datetime(2026, 11, 15, 9, 0, tzinfo=ZoneInfo("Europe/Paris")), "2026-10"),
        (dt.datetime(2027, 1, 15, 9, 0, tzinfo=ZoneInfo("Europe/Paris")), "2026-12"),
        (dt.datetime(2026, 5, 31, 22, 30, tzinfo=dt.timezone.utc), "2026-05"),  # already June 1st in Paris
    ],
)
def test_month_defaults_to_the_month_before_the_scheduled_time(wrapper, scheduled, month):
    assert wrapper.batch_month(None, scheduled) == month
    assert wrapper.batch_month("2026-07", scheduled) == "2026-07"  # a named month wins


def test_deployment_schedule(wrapper):
    deployment = wrapper.monthly_report.to_deployment(name=wrapper.DEPLOYMENT_NAME, schedules=[wrapper.SCHEDULE])
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 9 15 * *", "Europe/Paris")
    assert wrapper.DEPLOYMENT == "bottleneck_monthly/monthly"
