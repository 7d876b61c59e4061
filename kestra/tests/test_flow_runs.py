"""The monthly flow executed by the harness (each task's own commands, templates rendered).

Reports must be byte-identical to core's own run on the same month; a broken input must fail
at the right gate, run the errors branch and fire the alert flow (webhook POST and e-mail received
by real servers on 127.0.0.1; no e-mail on success); every run ends with the statistics block; an
I/O step is retried, a gate never; the Schedule trigger's backfill processes the right months.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest

import bottleneck_testkit as testing
from bottleneck_core import graph
from bottleneck_core.store import read_json

MONTHLY = "bottleneck_monthly"
STEP_NAMES = [s.name for s in graph.STEPS]


def worker_env(data_dir, **extra) -> dict:
    """The Kestra worker's environment: the kit image sets BOTTLENECK_DATA_DIR (here a temp folder)."""
    env = {k: v for k, v in os.environ.items() if k not in testing.OVERRIDES}
    return env | {"BOTTLENECK_DATA_DIR": str(data_dir)} | extra


def same_outputs(expected, actual) -> None:
    """testing.assert_same_outputs, saying which manifest entries differ when they do."""
    try:
        testing.assert_same_outputs(expected, actual)
    except AssertionError as exc:
        a, b = read_json(expected / "manifest.json"), read_json(actual / "manifest.json")
        diff = {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
        raise AssertionError(f"{exc}\ndiffering manifest entries (core, flow): {str(diff)[:3000]}") from exc


def explain(ex) -> str:
    failed = [r for r in ex.task_runs if r.state != "SUCCESS"]
    return "\n".join(f"{r.task_id}: {r.state}\n{r.stdout[-800:]}\n{r.stderr[-1500:]}" for r in failed)


@pytest.fixture(scope="module")
def good_run(fh, tmp_path_factory):
    """One execution on sample month 2026-10, and core's own run of the same month."""
    root = tmp_path_factory.mktemp("good")
    month = "2026-10"
    sources = testing.sample_month(month, root / "data")
    expected = testing.core_outputs(month, testing.sample_month(month, root / "core"), root / "core")
    with testing.SmtpReceiver() as inbox:
        ex = fh.Harness(env=worker_env(root / "data", **inbox.env), storage=root / "storage").run(
            MONTHLY, {"month": month}
        )
        assert ex.state == "SUCCESS", explain(ex)
        assert inbox.wait(1, timeout=2) == [], "no e-mail for a successful run"
    return ex, expected, root / "data" / "output" / month, sources


def test_reports_are_byte_identical_to_core(good_run):
    ex, expected, actual, _ = good_run
    same_outputs(expected, actual)


def test_every_step_and_gate_ran_once_in_order(good_run):
    ex, *_ = good_run
    ran = ex.ran()
    assert sorted(ran) == sorted(STEP_NAMES + [f"check_{s}" for s in STEP_NAMES] + ["run_statistics"])
    assert ran[-1] == "run_statistics", "the statistics block ends the run"
    for step in graph.STEPS:
        assert ran.index(step.name) < ran.index(f"check_{step.name}")
        for up in graph.upstream(step.name):
            assert ran.index(f"check_{up}") < ran.index(step.name), f"{step.name} ran before the gate of {up}"


def test_the_three_branches_overlap(good_run):
    ex, *_ = good_run
    spans = {
        b: (
            min(ex.run_of(s.name).started for s in graph.STEPS if s.branch == b),
            max(ex.run_of(f"check_{s.name}").ended for s in graph.STEPS if s.branch == b),
        )
        for b in ("erp", "link", "web")
    }
    assert max(start for start, _ in spans.values()) < min(end for _, end in spans.values()), spans


def test_report_files_are_export_output_files(good_run):
    ex, _, actual, _ = good_run
    files = ex.outputs["export"]["outputFiles"]
    assert sorted(files) == sorted(graph.get("export").outputs)
    for name, path in files.items():
        assert path.read_bytes() == (actual / name).read_bytes(), name


def test_ui_outputs_and_metrics_match_core(good_run):
    ex, expected, *_ = good_run
    manifest = read_json(expected / "manifest.json")
    rows = {}
    for step in STEP_NAMES:
        rows |= ex.outputs[step]["vars"]["rows"]
    assert rows == manifest["rows"]
    assert ex.outputs["revenue"]["vars"]["revenue_total"] == manifest["revenue_total"]
    assert ex.outputs["export"]["vars"]["revenue_total"] == manifest["revenue_total"]
    assert ex.outputs["premium"]["vars"]["premium_count"] == manifest["premium_count"]
    statuses = {}
    for step in STEP_NAMES[:-1]:  # the manifest records every gate before export's own
        statuses |= ex.outputs[f"check_{step}"]["vars"]["checks"]
    assert statuses == {c["name"]: c["status"] for c in manifest["checks"]}
    assert ex.outputs["check_export"]["vars"]["checks"] == {"outputs_match_manifest": "passed"}
    counters = {(m["tags"]["table"], m["value"]) for _, m in ex.metrics if m["name"] == "rows"}
    assert counters == set(manifest["rows"].items())
    gauges = {(m["tags"]["step"], m["value"]) for _, m in ex.metrics if m["name"] == "revenue_total"}
    assert gauges == {("revenue", float(manifest["revenue_total"])), ("export", float(manifest["revenue_total"]))}


def test_the_run_ends_with_the_statistics_block(good_run):
    ex, expected, *_ = good_run
    manifest = read_json(expected / "manifest.json")
    text = ex.run_of("run_statistics").stdout
    assert text.startswith("── BottleNeck run statistics ──"), text
    assert "Month:" in text and "2026-10" in text and "Duration:" in text
    assert f"{float(manifest['revenue_total']):,.2f}\u00a0€" in text
    assert ex.started.strftime("%Y-%m-%d %H:%M:%S UTC") in text, "the execution's start date is passed on"


def test_flow_output_names_the_month(good_run):
    ex, *_ = good_run
    assert ex.flow_outputs == {"month": "2026-10"}
    assert not ex.logs, "the errors branch must not run on success"


@pytest.fixture(scope="module")
def broken_run(fh, tmp_path_factory):
    """Blank ERP prices (must fail at the clean_erp gate), with a webhook and an SMTP inbox receiving the alert."""
    root = tmp_path_factory.mktemp("broken")
    month = "2026-09"
    testing.break_prices(testing.sample_month(month, root / "data"))
    with testing.WebhookReceiver() as hook, testing.SmtpReceiver() as inbox:
        env = worker_env(
            root / "data",
            BOTTLENECK_ALERT_WEBHOOK=hook.url,
            BOTTLENECK_ALERT_EMAIL_TO="ops@bottleneck.test",
            **inbox.env,
        )
        harness = fh.Harness(env=env, storage=root / "storage")
        ex = harness.run(MONTHLY, {"month": month})
        alerts = hook.wait(1, timeout=30)
        harness.mails = inbox.wait(1, timeout=30)
    return ex, alerts, root / "data" / "output" / month, harness


def test_broken_prices_fail_at_the_clean_erp_gate(broken_run):
    ex, _, output, _ = broken_run
    assert ex.state == "FAILED"
    failed = [r for r in ex.task_runs if r.state == "FAILED"]
    assert [r.task_id for r in failed] == ["check_clean_erp"], explain(ex)
    assert "erp_prices_present" in failed[0].stderr
    assert failed[0].attempts == 1, "a quality gate is never retried"
    assert ex.run_of("clean_erp").state == "SUCCESS"
    assert not {"dedup_erp", "merge", "export"} & set(ex.ran()), "nothing downstream of a failed gate runs"
    # Kestra's Parallel waits for its other branches (failFast: false): link and web run to their end
    assert ex.run_of("check_dedup_link").state == ex.run_of("check_dedup_web").state == "SUCCESS", explain(ex)
    assert not output.exists(), "no report is published for a failed month"


def test_errors_branch_logs_a_clear_message(broken_run):
    ex, *_ = broken_run
    (log,) = ex.logs
    task_id, level, message = log
    assert (task_id, level) == ("log_failure", "ERROR")
    assert "2026-09" in message and ex.id in message and "FAILED" in message


def test_alert_flow_posts_to_the_webhook(broken_run):
    ex, alerts, _, _ = broken_run
    (alert,) = ex.fired
    assert alert.flow["id"] == "bottleneck_alert_on_failure" and alert.state == "SUCCESS", explain(alert)
    assert ex.id in alert.logs[0][2] and "2026-09" in alert.logs[0][2]
    assert alerts == [
        {
            "tool": "kestra",
            "month": "2026-09",
            "run": ex.id,
            "status": "failed",
            "reason": f"bottleneck.{MONTHLY} ended FAILED: see the failed task in its Gantt view",
        }
    ]


def test_alert_flow_emails_the_failed_gate_through_kestras_mail_task(broken_run):
    ex, _, _, harness = broken_run
    (alert,) = ex.fired
    assert alert.run_of("send_email").state == "SUCCESS", explain(alert)
    (mail,) = harness.mails
    assert mail["to"] == ["ops@bottleneck.test"] and mail["from"] == "bottleneck@bottleneck.test"
    assert mail["subject"] == "🔴 BottleNeck 2026-09 FAILED at clean_erp / erp_prices_present (kestra)"
    assert "erp_prices_present" in mail["text"] and "clean_erp" in mail["text"] and ex.id in mail["text"]
    assert f"http://localhost:8080/ui/main/executions/bottleneck/{MONTHLY}/{ex.id}" in mail["text"]


def test_no_email_without_an_smtp_host(fh, tmp_path):
    """BOTTLENECK_SMTP_HOST unset: the alert flow writes the e-mail but its mail task does not run."""
    month = "2026-09"
    testing.break_prices(testing.sample_month(month, tmp_path / "data"))
    ex = fh.Harness(env=worker_env(tmp_path / "data"), storage=tmp_path / "storage").run(MONTHLY, {"month": month})
    (alert,) = ex.fired
    assert alert.state == "SUCCESS", explain(alert)
    assert alert.outputs["write_email"]["vars"]["send"] is False
    assert alert.run_of("send_email") is None


def test_alert_flow_is_not_fired_by_a_successful_run(good_run, fh):
    ex, *_ = good_run
    assert fh.Harness().fire_flow_triggers(ex) == []


def test_io_step_is_retried(fh, tmp_path):
    """A missing ERP export: extract_erp (I/O) is tried maxAttempts times before the run fails."""
    month = "2026-08"
    sources = testing.sample_month(month, tmp_path / "data")
    (sources / "erp.xlsx").unlink()
    ex = fh.Harness(env=worker_env(tmp_path / "data"), storage=tmp_path / "storage").run(
        MONTHLY, {"month": month}, fire_triggers=False
    )
    assert ex.state == "FAILED"
    (task,) = [t for t in fh.Harness.load(MONTHLY)["tasks"][0]["tasks"][0]["tasks"] if t["id"] == "extract_erp"]
    assert ex.run_of("extract_erp").state == "FAILED"
    assert ex.run_of("extract_erp").attempts == task["retry"]["maxAttempts"] > 1


def test_backfill_through_the_schedule_processes_the_previous_months(fh, tmp_path):
    """Backfill Sept 1 -> Nov 1 (Paris): schedule dates Sept 15 and Oct 15 -> months 2026-08 and 2026-09."""
    paris = ZoneInfo("Europe/Paris")
    data = tmp_path / "data"
    for month in ("2026-08", "2026-09"):
        testing.sample_month(month, data)
    harness = fh.Harness(env=worker_env(data), storage=tmp_path / "storage")
    runs = harness.backfill(MONTHLY, dt.datetime(2026, 9, 1, tzinfo=paris), dt.datetime(2026, 11, 1, tzinfo=paris))
    assert [r.flow_outputs["month"] for r in runs] == ["2026-08", "2026-09"]
    assert [r.trigger["date"] for r in runs] == ["2026-09-15T09:00:00+02:00", "2026-10-15T09:00:00+02:00"]
    for run in runs:
        assert run.state == "SUCCESS", explain(run)
        month = run.flow_outputs["month"]
        expected = testing.core_outputs(month, testing.sample_month(month, tmp_path / "core"), tmp_path / "core")
        same_outputs(expected, data / "output" / month)
