"""In-process runs (dg.materialize, every gate selected): parity with core, a broken input, the alert."""

import json

import dagster as dg
import pytest

import bottleneck_testkit as testing
from bottleneck_core.summary import money_text
from bottleneck_dagster.defs.alerts import alert_on_failure, email_on_failure

DOWNSTREAM_OF_ERP_GATE = {
    "erp_dedup",
    "merged",
    "revenue",
    "premium",
    "ordinary",
    "revenue_report",
    "premium_wines",
    "ordinary_wines",
    "manifest",
}


def report_assets(defs) -> list:
    """The monthly pipeline's assets: all but the warehouse group (its own job, its own tests)."""
    return [a for a in defs.assets if "warehouse" not in a.group_names_by_key.values()]


def materialize_month(defs, month, instance=None):
    """Every report asset AND every check (checks only run when selected), one partition."""
    return dg.materialize(
        [*report_assets(defs), *defs.asset_checks],
        partition_key=month,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def materializations(result) -> dict:
    events = (e.event_specific_data.materialization for e in result.get_asset_materialization_events())
    return {m.asset_key.to_user_string(): {k: v.value for k, v in m.metadata.items()} for m in events}


@pytest.mark.parametrize("month", testing.PARITY_MONTHS)
def test_outputs_identical_to_core(defs, data_dir, month, tmp_path):
    sources = testing.sample_month(month, data_dir)
    expected = testing.core_outputs(month, sources, tmp_path / "core")

    instance = dg.DagsterInstance.ephemeral()
    result = materialize_month(defs, month, instance)

    assert result.success
    testing.assert_same_outputs(expected, data_dir / "output" / month)
    logged = [r.user_message or "" for r in instance.all_logs(result.run_id)]
    assert any("BottleNeck run statistics" in m and month in m for m in logged), "the run ends with its statistics"
    gates = result.get_asset_check_evaluations()
    assert len(gates) == 13 and all(g.passed for g in gates)  # warnings do not show as "Failed"
    assert {g.metadata["month"].value for g in gates} == {month}  # check results name their month


def test_metadata_shows_core_figures(defs, data_dir, month, tmp_path):
    sources = testing.sample_month(month, data_dir)
    manifest = json.loads((testing.core_outputs(month, sources, tmp_path / "core") / "manifest.json").read_text())

    meta = materializations(materialize_month(defs, month))

    for table, rows in manifest["rows"].items():
        assert meta[table]["dagster/row_count"] == rows, table
        assert meta[table]["preview"].startswith("| ")
    assert meta["revenue"]["revenue_total"] == money_text(manifest["revenue_total"])  # text, two decimals and €
    assert meta["manifest"]["revenue_total"] == money_text(manifest["revenue_total"])
    assert meta["revenue"]["revenue_total"].endswith("\u00a0€")
    assert meta["premium"]["premium_count"] == meta["manifest"]["premium_count"] == manifest["premium_count"]
    assert str(manifest["premium_count"]) in meta["manifest"]["summary"]


@pytest.fixture
def broken_run(defs, data_dir, month):
    testing.break_prices(testing.sample_month(month, data_dir))
    instance = dg.DagsterInstance.ephemeral()
    return materialize_month(defs, month, instance), instance


def test_broken_input_stops_at_the_erp_gate(broken_run, data_dir, month):
    result, _ = broken_run

    assert not result.success
    failed = [
        g for g in result.get_asset_check_evaluations() if not g.passed and g.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert [(g.asset_key.to_user_string(), g.check_name) for g in failed] == [("erp_clean", "quality_gates")]
    assert "erp_prices_present" in failed[0].description
    assert not DOWNSTREAM_OF_ERP_GATE & set(materializations(result))
    assert {"erp_raw", "erp_clean"} <= set(materializations(result))
    assert not (data_dir / "output" / month / "manifest.json").exists()


def test_failure_sensor_posts_the_alert(broken_run, month, monkeypatch):
    result, instance = broken_run
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()

    with testing.WebhookReceiver() as hook:
        monkeypatch.setenv("BOTTLENECK_ALERT_WEBHOOK", hook.url)
        alert_on_failure(context)
        alerts = hook.wait(1, timeout=10)

    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["tool"], alert["month"], alert["run"], alert["status"]) == ("dagster", month, result.run_id, "failed")
    assert "erp_prices_present" in alert["reason"]


def failure_context(result, instance, name):
    return dg.build_run_status_sensor_context(
        sensor_name=name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()


def test_failure_sensor_emails_the_failed_gate(broken_run, month, monkeypatch):
    result, instance = broken_run
    with testing.SmtpReceiver() as inbox:
        for key, value in inbox.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("BOTTLENECK_ALERT_EMAIL_TO", "ops@bottleneck.test")
        email_on_failure(failure_context(result, instance, "email_on_failure"))
        mails = inbox.wait(1, timeout=10)

    assert len(mails) == 1, mails  # to a real SMTP server on 127.0.0.1
    (mail,) = mails
    assert mail["to"] == ["ops@bottleneck.test"]
    assert mail["subject"] == f"🔴 BottleNeck {month} FAILED at clean_erp / erp_prices_present (dagster)"
    assert "erp_prices_present" in mail["text"] and f"http://localhost:3000/runs/{result.run_id}" in mail["text"]


def test_no_email_without_an_smtp_host(broken_run, monkeypatch):
    result, instance = broken_run
    monkeypatch.delenv("BOTTLENECK_SMTP_HOST", raising=False)
    assert isinstance(email_on_failure(failure_context(result, instance, "email_on_failure")), dg.SkipReason)
