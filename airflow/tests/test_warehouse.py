"""The warehouse DAG with ``dag.test()``: a backfill of three months equals three runs of core alone."""

from __future__ import annotations

import itertools

import pendulum
import pytest

import bottleneck_testkit as testing
from bottleneck_core.warehouse import db
from bottleneck_core.warehouse.settings import Settings

MONTHS = ("2026-08", "2026-09", "2026-10")


@pytest.fixture(scope="module")
def s3_url():
    with testing.s3_server() as url:
        yield url


@pytest.fixture(scope="module")
def warehouse_dag(dags_folder):
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(dags_folder))
    assert bag.import_errors == {}, bag.import_errors
    return bag.dags["bottleneck_warehouse"]


def test_the_dag_calls_the_procedures_with_the_sql_operator(warehouse_dag):
    assert warehouse_dag.get_task("load_dw").task_type == "SQLExecuteQueryOperator"
    assert "CALL dw.sp_load_staging_to_dw" in warehouse_dag.get_task("load_dw").sql
    order = ["batch_date", "land", "load_staging", "seed_dims", "check_seed_dims", "load_dw", "check_load_dw"]
    for before, after in itertools.pairwise(order):
        assert after in warehouse_dag.get_task(before).downstream_task_ids, (before, after)


def test_scheduled_runs_of_three_months_equal_core(airflow_db, warehouse_dag, data_dir, s3_url, monkeypatch):
    for month in MONTHS:
        testing.core_outputs(month, testing.sample_month(month, data_dir), data_dir)
    expected = testing.reference_warehouse(MONTHS, data_dir / "output", s3_url, "bottleneck_wh_airflow_ref")
    url = testing.use_warehouse(monkeypatch, s3_url, "bottleneck_wh_airflow")
    monkeypatch.setenv("AIRFLOW_CONN_BOTTLENECK_WAREHOUSE", url)
    for month in MONTHS:  # as the scheduler (or `airflow backfill create`) runs them: the 15th of M+1
        logical = pendulum.parse(f"{month}-01", tz="Europe/Paris").add(months=1).set(day=15, hour=10)
        run = warehouse_dag.test(logical_date=logical)
        assert str(run.state) == "success", {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    with db.connect(Settings.from_env().database_url) as conn:
        digest = db.dump_sha256(conn)
    assert digest == expected
    testing.keep_warehouse_for_parity(digest, MONTHS)
