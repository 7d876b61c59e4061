"""The warehouse flow: three months through Prefect equal three months through core alone."""

from __future__ import annotations

import pytest

import bottleneck_testkit as testing
from bottleneck_core.errors import PipelineError
from bottleneck_core.warehouse import db
from bottleneck_core.warehouse.settings import Settings

from .conftest import WRAPPER, load_script

MONTHS = ("2026-08", "2026-09", "2026-10")


@pytest.fixture(scope="module")
def s3_url():
    with testing.s3_server() as url:
        yield url


def test_backfill_of_three_months_equals_core(prefect_server, data_dir, s3_url, monkeypatch):
    flow_module = load_script(WRAPPER / "flows" / "warehouse.py", "warehouse_flow")
    for month in MONTHS:
        testing.core_outputs(month, testing.sample_month(month, data_dir), data_dir)
    expected = testing.reference_warehouse(MONTHS, data_dir / "output", s3_url, "bottleneck_wh_prefect_ref")
    testing.use_warehouse(monkeypatch, s3_url, "bottleneck_wh_prefect")
    for month in MONTHS:  # Prefect's backfill: one flow run per batch_date
        state = flow_module.bottleneck_warehouse(f"{month}-15", return_state=True)
        assert state.is_completed(), state.message
    flow_module.bottleneck_warehouse("2026-10-01")  # a rerun replaces the batch
    with db.connect(Settings.from_env().database_url) as conn:
        digest = db.dump_sha256(conn)
    assert digest == expected
    testing.keep_warehouse_for_parity(digest, MONTHS)


def test_a_month_never_published_fails_at_land(prefect_server, data_dir, s3_url, monkeypatch):
    flow_module = load_script(WRAPPER / "flows" / "warehouse.py", "warehouse_flow")
    testing.use_warehouse(monkeypatch, s3_url, "bottleneck_wh_prefect_fail", bucket="empty")
    with pytest.raises(PipelineError, match="bottleneck run --month 2026-07"):
        flow_module.bottleneck_warehouse("2026-07-01")
