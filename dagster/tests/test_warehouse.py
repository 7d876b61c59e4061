"""The warehouse assets: three partitions materialised through Dagster equal three months of core alone."""

import dagster as dg
import pytest

import bottleneck_testkit as testing
from bottleneck_core.warehouse import db
from bottleneck_core.warehouse.settings import Settings

MONTHS = ("2026-08", "2026-09", "2026-10")


@pytest.fixture(scope="module")
def s3_url():
    with testing.s3_server() as url:
        yield url


def test_jobs_split_reports_and_warehouse(defs):
    warehouse = {k.to_user_string() for k in defs.resolve_job_def("warehouse_job").asset_layer.executable_asset_keys}
    monthly = {k.to_user_string() for k in defs.resolve_job_def("bottleneck_monthly").asset_layer.executable_asset_keys}
    assert warehouse == {"landed_exports", "staging_monthly_sales", "dw_dimensions", "fact_monthly_sales"}
    assert not warehouse & monthly and "manifest" in monthly


def test_three_partitions_equal_core(defs, data_dir, s3_url, monkeypatch):
    for month in MONTHS:
        testing.core_outputs(month, testing.sample_month(month, data_dir), data_dir)
    expected = testing.reference_warehouse(MONTHS, data_dir / "output", s3_url, "bottleneck_wh_dagster_ref")
    testing.use_warehouse(monkeypatch, s3_url, "bottleneck_wh_dagster")
    job = defs.resolve_job_def("warehouse_job")
    instance = dg.DagsterInstance.ephemeral()
    for month in [*MONTHS, MONTHS[-1]]:  # a backfill's runs, then a rerun of the last partition
        assert job.execute_in_process(partition_key=month, instance=instance).success, month
    with db.connect(Settings.from_env().database_url) as conn:
        digest = db.dump_sha256(conn)
    assert digest == expected
    testing.keep_warehouse_for_parity(digest, MONTHS)
