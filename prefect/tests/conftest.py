"""Shared fixtures: the flow module (loaded from its file), a Prefect test server, sample months."""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import pytest

# Before Prefect is imported: keep its home (profiles, local storage) out of the user's ~/.prefect,
# and send no telemetry.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="bottleneck-prefect-home-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "bottleneck")  # core's log lines in the run logs
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # core runs alone in tests too

WRAPPER = Path(__file__).resolve().parents[1]  # the repo's prefect/ folder
REPO = WRAPPER.parent
FLOW_FILE = WRAPPER / "flows" / "monthly_report.py"
BACKFILL_FILE = WRAPPER / "backfill.py"


def load_script(path: Path, name: str):
    """Import a file of prefect/ by path: the folder is no package (it would shadow the library)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def wrapper():
    """prefect/flows/monthly_report.py as a module."""
    return load_script(FLOW_FILE, "monthly_report")


@pytest.fixture(scope="module")
def prefect_server():
    """Prefect's own test harness: a throw-away API server on SQLite, for in-process flow runs."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty kit data folder (sources, work, output) for this test only."""
    from bottleneck_testkit import use_data_dir

    return use_data_dir(tmp_path, monkeypatch)
