"""Airflow set-up for the Airflow exercises' checkers (run in .venvs/airflow).

Imported before anything imports ``airflow``: Airflow reads its configuration at import time.
As airflow/tests/conftest.py does: a private AIRFLOW_HOME, and a DAGs folder that holds only
a copy of the exercise's DAG file (never the kit's airflow/dags/).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from checklib import REPO, work_dir

DAG_ID = "bottleneck_monthly"
HOME = Path(tempfile.mkdtemp(prefix="bottleneck-exercise-airflow-"))
DAGS = HOME / "dags"
DB_NAME = f"bottleneck_exercise_airflow_{os.getpid()}"  # as testing.postgres_database names it
AIRFLOW = str(Path(sys.executable).with_name("airflow"))

os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DB_NAME}",
        "AIRFLOW__API_AUTH__JWT_SECRET": "bottleneck-exercise-checks-only-" + "0123456789abcdef" * 4,
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(HOME / "logs"),
    }
)
os.environ.pop("BOTTLENECK_ALERT_WEBHOOK", None)
atexit.register(shutil.rmtree, HOME, True)


def dag_bag(filename: str = "bottleneck_monthly.py"):
    """The DagBag of a folder holding a copy of the exercise's DAG file (or the kit's, for KIT)."""
    from airflow.models import DagBag

    DAGS.mkdir(parents=True, exist_ok=True)
    source = work_dir() / filename if (work_dir() / filename).is_file() else REPO / "airflow" / "dags" / filename
    shutil.copyfile(source, DAGS / filename)
    return DagBag(dag_folder=str(DAGS))


def migrate_db() -> str:
    """A fresh metadata database on the local PostgreSQL, migrated as airflow-init does."""
    from bottleneck_testkit import postgres_database

    url = postgres_database("bottleneck_exercise_airflow")
    done = subprocess.run([AIRFLOW, "db", "migrate"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"airflow db migrate failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return url
