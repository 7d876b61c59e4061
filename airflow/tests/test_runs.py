"""The DAG run in-process with ``dag.test()`` against a migrated PostgreSQL metadata DB.

``dag.test()`` does not raise when a task fails: every test asserts the run's state.
Parity: the reports must be byte-identical to a plain ``bottleneck run`` of the same month.
"""

from __future__ import annotations

import json
import subprocess

import pendulum
import pytest

import bottleneck_testkit as testing
from bottleneck_core.store import read_json
from bottleneck_core.summary import money_text

from .conftest import AIRFLOW, DAG_ID

PARIS = "Europe/Paris"
SCHEDULED_MONTHS = testing.PARITY_MONTHS  # 2026-09, 2026-10; the native test backfills 2026-05/06 and triggers 2026-07


def scheduled_on(month: str) -> pendulum.DateTime:
    """When the scheduler runs month M: 09:00 Paris on the 15th of M+1."""
    first = pendulum.parse(f"{month}-01", tz=PARIS)
    return first.add(months=1).set(day=15, hour=9)


def xcom(run_id: str, task_id: str, key: str = "return_value"):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(XComModel.get_many(run_id=run_id, dag_ids=DAG_ID, task_ids=task_id, key=key)).first()
        assert row is not None, f"no XCom {key} from {task_id}"
        # the stored JSON as is: XComModel.deserialize_value() would json.loads a string a second time
        # and turn "76318.97" into 76323.0
        return row.value


def states(run) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


@pytest.mark.parametrize("month", SCHEDULED_MONTHS)
def test_scheduled_run_matches_core(airflow_db, dag, data_dir, tmp_path, month, monkeypatch):
    """A run as the scheduler makes it (logical date on the 15th of M+1) processes M like core.

    Run over two months, this is also the backfill test in-process: one dag.test per month.
    """
    sources = testing.sample_month(month, data_dir)
    expected = testing.core_outputs(month, sources, tmp_path / "core")
    stale = data_dir / "work" / month / "left_by_an_old_run.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")

    with testing.SmtpReceiver() as inbox:
        for key, value in inbox.env.items():
            monkeypatch.setenv(key, value)
        run = dag.test(logical_date=scheduled_on(month))
        assert inbox.wait(1, timeout=2) == [], "no e-mail for a successful run"

    assert str(run.state) == "success", states(run)
    assert pendulum.instance(run.data_interval_start).in_timezone(PARIS).strftime("%Y-%m") == month
    assert xcom(run.run_id, "batch_month") == month
    assert not stale.exists()  # a run starts its month afresh, like `bottleneck run`
    testing.assert_same_outputs(expected, data_dir / "output" / month)

    # what the UI shows natively: the summary as XCom (one entry per key) and on the asset event
    manifest = read_json(expected / "manifest.json")
    assert xcom(run.run_id, "publish_summary", "revenue_total") == money_text(manifest["revenue_total"])
    assert xcom(run.run_id, "publish_summary", "verdict")[0] in "✅⚠"  # the samples carry warnings
    assert xcom(run.run_id, "publish_summary", "premium_count") == manifest["premium_count"]
    assert xcom(run.run_id, "publish_summary", "rows") == manifest["rows"]
    assert xcom(run.run_id, "extract_web")["rows"] == {"web_raw": manifest["rows"]["web_raw"]}
    gate_results = xcom(run.run_id, "check_clean_erp")
    assert {r["name"] for r in gate_results} == set(_step("clean_erp").checks)
    assert _asset_event_extra(run.run_id) == {
        "month": month,
        "revenue_total": money_text(manifest["revenue_total"]),  # as the UI shows it: "87,439.69 €"
        "premium_count": manifest["premium_count"],
        "ordinary_count": manifest["ordinary_count"],
    }


def test_broken_prices_fail_at_the_erp_gate_and_alert(airflow_db, dag, data_dir, monkeypatch):
    month = testing.SAMPLE_MONTHS[-1]
    testing.break_prices(testing.sample_month(month, data_dir))

    with testing.WebhookReceiver() as hook, testing.SmtpReceiver() as inbox:
        monkeypatch.setenv("BOTTLENECK_ALERT_WEBHOOK", hook.url)
        for key, value in inbox.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("BOTTLENECK_ALERT_EMAIL_TO", "ops@bottleneck.test")
        monkeypatch.delenv("AIRFLOW_CONN_BOTTLENECK_SMTP", raising=False)
        run = dag.test(run_conf={"month": month})  # a manual run naming its month
        alerts = hook.wait(1, timeout=10)
        mails = inbox.wait(1, timeout=10)

    assert str(run.state) == "failed"
    got = states(run)
    assert got["clean_erp"] == "success"
    assert got["check_clean_erp"] == "failed"
    for downstream in ("dedup_erp", "merge", "revenue", "premium", "export", "check_export", "publish_reports"):
        assert got[downstream] == "upstream_failed", downstream
    assert got["publish_summary"] == "success"  # all_done: the failed run says where it stopped
    verdict = xcom(run.run_id, "publish_summary", "verdict")
    assert verdict.startswith("❌ stopped at check_clean_erp: erp_prices_present"), verdict
    assert xcom(run.run_id, "publish_summary", "report").index("❌") < xcom(
        run.run_id, "publish_summary", "report"
    ).index("| check |")
    assert got["check_dedup_link"] == got["check_dedup_web"] == "success"  # the other branches are independent
    gate = next(ti for ti in run.get_task_instances() if ti.task_id == "check_clean_erp")
    assert gate.try_number == 1  # a gate is never retried
    assert not (data_dir / "output" / month).exists()
    assert _asset_events(run.run_id) == []  # no "reports published" event for a failed month

    assert len(alerts) == 1, alerts
    alert = alerts[0]
    assert (alert["tool"], alert["month"], alert["run"], alert["status"]) == ("airflow", month, run.run_id, "failed")
    assert "check_clean_erp" in alert["reason"] and "erp_prices_present" in alert["reason"]

    assert len(mails) == 1, mails  # sent by the SMTP provider's notifier, to a real SMTP server
    (mail,) = mails
    assert mail["to"] == ["ops@bottleneck.test"]
    assert mail["subject"] == f"🔴 BottleNeck {month} FAILED at clean_erp / erp_prices_present (airflow)"
    assert "erp_prices_present" in mail["text"] and "clean_erp" in mail["text"]
    assert f"http://localhost:8082/dags/{DAG_ID}/runs/" in mail["text"]


def test_backfill_command_makes_one_run_per_month(airflow_db, dag):
    """`airflow backfill create` over May-June: one run per month, its logical date in that month."""
    # dag.test() above stored the DAG in the metadata DB; make sure of it when run alone
    subprocess.run([AIRFLOW, "dags", "reserialize"], capture_output=True, timeout=180, check=True)
    done = subprocess.run(
        [
            AIRFLOW,
            "backfill",
            "create",
            "--dag-id",
            DAG_ID,
            "--from-date",
            "2026-05-01",
            "--to-date",
            "2026-06-30",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # "Runs to be attempted": a table with one row per run, its logical date first
    dates = [line.split("|")[1].strip() for line in done.stdout.splitlines() if line.startswith("| 20")]
    assert [pendulum.parse(d).in_timezone(PARIS).strftime("%Y-%m") for d in dates] == ["2026-05", "2026-06"], (
        done.stdout
    )


def _step(name):
    from bottleneck_core import graph

    return graph.get(name)


def _asset_events(run_id: str) -> list[dict]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(select(AssetEvent).where(AssetEvent.source_run_id == run_id)).all()
        return [json.loads(json.dumps(event.extra)) for event in events]


def _asset_event_extra(run_id: str) -> dict:
    events = _asset_events(run_id)
    assert len(events) == 1
    return events[0]
