"""The warehouse module against a real S3-compatible server (moto, on 127.0.0.1) and the local PostgreSQL.

Expected figures come from each month's published manifest and from plain Python over the landed
CSVs, never from the warehouse code under test.
"""

from __future__ import annotations

import csv
import json
import socket
from decimal import Decimal

import pytest
from click.testing import CliRunner

import bottleneck_testkit as testing
from bottleneck_core.cli import main
from bottleneck_core.errors import GateFailed, PipelineError
from bottleneck_core.warehouse import db, runner, s3
from bottleneck_core.warehouse.settings import Settings, batch_month

MONTHS = ("2026-08", "2026-09", "2026-10")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """Three sample months run by core alone: the output root holding data/output/<month>."""
    root = tmp_path_factory.mktemp("published")
    for month in MONTHS:
        testing.core_outputs(month, testing.sample_month(month, root), root)
    return root / "output"


def _settings(s3_endpoint: str, database: str, bucket: str) -> Settings:
    return Settings(s3_endpoint, bucket, "test", "test-secret", "us-east-1", testing.postgres_database(database))


@pytest.fixture
def settings(s3_endpoint, request):
    return _settings(s3_endpoint, "bottleneck_wh_test", f"bn-{request.node.name[5:30].replace('_', '-')}")


def _load(settings, published, months=MONTHS):
    for month in months:
        runner.run_all(f"{month}-15", settings, published / month)


def _one(settings, sql, *args):
    with db.connect(settings.database_url) as conn:
        return conn.execute(sql, args).fetchone()


def test_batch_date_maps_to_its_month():
    assert batch_month("2026-10-15") == "2026-10"
    assert batch_month("2026-10-01") == "2026-10"
    assert batch_month("2026-10") == "2026-10"
    for bad in ("2026-02-30", "2026-13-01", "２０２６-10-01", "10/2026", ""):
        with pytest.raises(PipelineError, match="batch_date"):
            batch_month(bad)


def test_a_month_lands_and_loads_with_the_manifest_figures(settings, published):
    _load(settings, published, ["2026-10"])
    manifest = json.loads((published / "2026-10" / "manifest.json").read_text())
    revenue, facts, premium = _one(
        settings,
        "SELECT sum(revenue), count(*), count(*) FILTER (WHERE category_code = 'premium')"
        " FROM dw.fact_monthly_sales WHERE month_date = '2026-10-01'",
    )
    assert revenue == Decimal(manifest["revenue_total"])
    assert (facts, premium) == (manifest["rows"]["revenue"], manifest["premium_count"])
    # every premium id of the landed CSV is a premium fact (plain csv over the published file)
    with (published / "2026-10" / "premium_wines.csv").open(encoding="utf-8") as handle:
        ids = sorted(row["product_id"] for row in csv.DictReader(handle))
    with db.connect(settings.database_url) as conn:
        loaded = sorted(
            r[0] for r in conn.execute("SELECT product_id FROM dw.fact_monthly_sales WHERE category_code = 'premium'")
        )
    assert loaded == ids


def test_reruns_replace_a_batch_and_never_duplicate_it(settings, published):
    _load(settings, published, ["2026-10"])
    with db.connect(settings.database_url) as conn:
        first = db.canonical_dump(conn)
    _load(settings, published, ["2026-10", "2026-10"])
    with db.connect(settings.database_url) as conn:
        assert db.canonical_dump(conn) == first
        assert conn.execute("SELECT count(*) FROM staging.batch").fetchone()[0] == 1


def test_backfill_order_does_not_change_the_warehouse(s3_endpoint, published):
    forward = _settings(s3_endpoint, "bottleneck_wh_fwd", "bn-forward")
    backward = _settings(s3_endpoint, "bottleneck_wh_bwd", "bn-backward")
    _load(forward, published, MONTHS)
    _load(backward, published, MONTHS[::-1])
    with db.connect(forward.database_url) as a, db.connect(backward.database_url) as b:
        assert db.canonical_dump(a) == db.canonical_dump(b)
        months = a.execute("SELECT count(DISTINCT month_date) FROM dw.fact_monthly_sales").fetchone()[0]
    assert months == 3


def test_landing_twice_gives_the_same_objects(settings, published):
    keys = s3.land(settings, "2026-10", published / "2026-10")["keys"]
    client = s3.client(settings)
    first = {k: client.stat_object(settings.s3_bucket, k).etag for k in keys}
    s3.land(settings, "2026-10", published / "2026-10")
    assert {k: client.stat_object(settings.s3_bucket, k).etag for k in keys} == first
    assert sorted(keys) == sorted(
        f"exports/2026-10/{n}"
        for n in ["revenue_report.xlsx", "premium_wines.csv", "ordinary_wines.csv", "manifest.json"]
    )


def test_a_damaged_published_month_does_not_land(settings, published, tmp_path):
    import shutil

    month = tmp_path / "2026-10"
    shutil.copytree(published / "2026-10", month)
    (month / "premium_wines.csv").write_text("product_id\n1\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="premium_wines.csv"):
        s3.land(settings, "2026-10", month)


def test_an_object_changed_in_s3_is_refused_at_load(settings, published):
    s3.land(settings, "2026-10", published / "2026-10")
    import io

    client = s3.client(settings)
    client.put_object(settings.s3_bucket, "exports/2026-10/ordinary_wines.csv", io.BytesIO(b"x\n"), 2)
    with pytest.raises(PipelineError, match="ordinary_wines.csv differs from its manifest"):
        runner.run_step("load_staging", "2026-10-01", settings)


def test_a_warehouse_that_disagrees_with_the_manifest_fails_its_gate(settings, published):
    _load(settings, published, ["2026-10"])
    with db.connect(settings.database_url) as conn:
        conn.execute("UPDATE staging.batch SET revenue_total = revenue_total + 0.01")
    with pytest.raises(GateFailed) as failed:
        runner.run_step("load_dw", "2026-10-20", settings)
    assert [r.name for r in failed.value.failures] == ["dw_revenue_matches_manifest"]
    assert failed.value.exit_code == 1
    text = failed.value.text("fr")
    assert "le manifeste dit" in text and "the manifest says" in text


def test_cli_runs_a_batch_and_dumps_it(settings, published, monkeypatch):
    for name, value in {
        "BOTTLENECK_S3_ENDPOINT": settings.s3_endpoint,
        "BOTTLENECK_S3_BUCKET": settings.s3_bucket,
        "BOTTLENECK_WAREHOUSE_URL": settings.database_url,
    }.items():
        monkeypatch.setenv(name, value)
    cli = CliRunner()
    done = cli.invoke(main, ["warehouse", "run", "--batch-date", "2026-09-30", "--out", str(published / "2026-09")])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout.strip().splitlines()[-1])["month"] == "2026-09"
    dumped = cli.invoke(main, ["warehouse", "dump"])
    assert dumped.exit_code == 0 and len(dumped.stdout.strip()) == 64
    bad = cli.invoke(main, ["warehouse", "step", "load_dw", "--batch-date", "2026-11-01"])
    assert bad.exit_code == 3 and "load_staging" in bad.output


def test_dumping_a_warehouse_never_initialised_says_what_to_do(monkeypatch):
    monkeypatch.setenv("BOTTLENECK_WAREHOUSE_URL", testing.postgres_database("bottleneck_wh_empty"))
    done = CliRunner().invoke(main, ["warehouse", "dump"])
    assert done.exit_code == 3 and "bottleneck warehouse init" in done.output
