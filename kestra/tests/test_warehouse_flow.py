"""The warehouse flow executed by the harness: its Python tasks run core's CLI, its PostgreSQL tasks
run their SQL on the local PostgreSQL, against a real S3-compatible server (moto) on 127.0.0.1.

A Schedule backfill of three months must leave the same warehouse as three runs of core alone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

import bottleneck_testkit as testing
from bottleneck_core.warehouse import db

from .test_flow_runs import explain, worker_env

FLOW = "bottleneck_warehouse"
MONTHS = ("2026-08", "2026-09", "2026-10")
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def s3_url():
    with testing.s3_server() as url:
        yield url


def warehouse_env(data_dir, s3_url, url) -> dict:
    return worker_env(
        data_dir,
        BOTTLENECK_S3_ENDPOINT=s3_url,
        BOTTLENECK_WAREHOUSE_URL=url,
        ENV_WAREHOUSE_JDBC_URL="jdbc:" + url.replace("postgres@", ""),
        ENV_WAREHOUSE_USER="postgres",
    )


def test_schedule_backfill_of_three_months_equals_core(fh, data_dir, s3_url, monkeypatch):
    for month in MONTHS:
        testing.core_outputs(month, testing.sample_month(month, data_dir), data_dir)
    expected = testing.reference_warehouse(MONTHS, data_dir / "output", s3_url, "bottleneck_wh_kestra_ref")
    url = testing.use_warehouse(monkeypatch, s3_url, "bottleneck_wh_kestra")
    harness = fh.Harness(env=warehouse_env(data_dir, s3_url, url))
    runs = harness.backfill(FLOW, dt.datetime(2026, 9, 1, tzinfo=PARIS), dt.datetime(2026, 11, 30, tzinfo=PARIS))
    assert [r.state for r in runs] == ["SUCCESS"] * 3, [explain(r) for r in runs]
    assert harness.run(FLOW, {"batch_date": "2026-10-01"}).state == "SUCCESS"  # a rerun replaces the batch
    with db.connect(url) as conn:
        digest = db.dump_sha256(conn)
    assert digest == expected
    testing.keep_warehouse_for_parity(digest, MONTHS)


def test_a_month_never_published_fails_at_land(fh, data_dir, s3_url, monkeypatch):
    url = testing.use_warehouse(monkeypatch, s3_url, "bottleneck_wh_kestra_fail")
    ex = fh.Harness(env=warehouse_env(data_dir, s3_url, url)).run(FLOW, {"batch_date": "2026-07-15"})
    assert ex.state == "FAILED"
    land = ex.run_of("land")
    assert land.state == "FAILED" and land.attempts == 3  # an I/O step: retried
    assert "bottleneck run --month 2026-07" in land.stderr
    assert ex.run_of("load_staging") is None
