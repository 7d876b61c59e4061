"""Airflow test setup: a private AIRFLOW_HOME and a metadata DB on the local PostgreSQL.

Airflow reads its configuration when it is first imported, so the environment is set here,
when pytest loads this file, before any test module imports ``airflow``. The setup mirrors
compose/airflow.yml: LocalExecutor, PostgreSQL, the DAG read from the repository's
airflow/dags folder (the configured dags folder, as ``dag.test()`` requires).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "airflow" / "dags"
DAG_ID = "bottleneck_monthly"
DB_NAME = f"bottleneck_airflow_test_{os.getpid()}"  # as testing.postgres_database names it
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
HOME = Path(tempfile.mkdtemp(prefix="bottleneck-airflow-home-"))

os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}",
        "AIRFLOW__API_AUTH__JWT_SECRET": "bottleneck-airflow-tests-only-" + "0123456789abcdef" * 4,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(HOME / "logs"),
    }
)
os.environ.pop("BOTTLENECK_ALERT_WEBHOOK", None)


def pytest_unconfigure(config):
    shutil.rmtree(HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """A fresh metadata database, migrated with `airflow db migrate` as airflow-init does."""
    from bottleneck_testkit import postgres_database

    url = postgres_database("bottleneck_airflow_test")
    assert url.endswith(f"/{DB_NAME}"), url
    done = subprocess.run([AIRFLOW, "db", "migrate"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"airflow db migrate failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return url


@pytest.fixture(scope="session")
def dags_folder() -> Path:
    return DAGS


@pytest.fixture(scope="session")
def dag():
    """The DAG as Airflow parses it from the dags folder."""
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(DAGS))  # Airflow 3.3: no include_examples argument any more
    assert bag.import_errors == {}, bag.import_errors
    return bag.dags[DAG_ID]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """BOTTLENECK_DATA_DIR in a temp folder: sources, work and output all live under it."""
    from bottleneck_testkit import use_data_dir

    return use_data_dir(tmp_path / "data", monkeypatch)
