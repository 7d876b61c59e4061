"""Native smoke test, as the compose stack runs it: `prefect server start` on the local PostgreSQL,
the flow served by `python prefect/flows/monthly_report.py`, runs triggered through the API, the
CLI and the backfill script, each awaited until Completed and checked against core's outputs."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bottleneck_testkit import assert_same_outputs, core_outputs, postgres_database, sample_month

from .conftest import BACKFILL_FILE, FLOW_FILE, REPO

pytestmark = pytest.mark.server
DEPLOYMENT = "bottleneck_monthly/monthly"
BIN = Path(sys.executable).parent
MONTHS = ("2026-05", "2026-06", "2026-07", "2026-09", "2026-10")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start(command: list[str], env: dict, log: Path, ready: str, timeout: float = 120) -> subprocess.Popen:
    """Start a server in its own process group; return once ``ready`` answers 200 (bounded wait)."""
    process = subprocess.Popen(
        command, env=env, cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    while not responds(ready):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            pytest.fail(f"{command[:3]} did not come up on {ready}:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    return process


def stop(process: subprocess.Popen) -> None:
    """Stop a server and every process it started (the served flow runs in children)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The environment of the server, the served flow and the clients: a private home and data folder."""
    root = tmp_path_factory.mktemp("native")
    for month in MONTHS:
        sample_month(month, root / "data")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "BOTTLENECK_"))}
    return root, {
        **clean,
        "PREFECT_HOME": str(root / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_EXTRA_LOGGERS": "bottleneck",
        "BOTTLENECK_DATA_DIR": str(root / "data"),
    }


@pytest.fixture(scope="module")
def api(env):
    """`prefect server start` with its database on the local PostgreSQL, as in compose/prefect.yml."""
    root, base = env
    url = postgres_database("bottleneck_prefect_test").replace("postgresql://", "postgresql+asyncpg://", 1)
    port = free_port()
    server = start(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        {**base, "PREFECT_SERVER_DATABASE_CONNECTION_URL": url},
        root / "server.log",
        f"http://127.0.0.1:{port}/api/health",
    )
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        stop(server)


@pytest.fixture(scope="module")
def client_env(env, api):
    return {**env[1], "PREFECT_API_URL": api}


@pytest.fixture(scope="module")
def served(env, client_env):
    """The compose `flow-runner` command, natively: serve the deployment, health on the runner's webserver."""
    root, _ = env
    port = free_port()
    runner = start(
        [sys.executable, str(FLOW_FILE)],
        {
            **client_env,
            "PREFECT_RUNNER_SERVER_ENABLE": "true",
            "PREFECT_RUNNER_SERVER_PORT": str(port),
            "PREFECT_RUNNER_POLL_FREQUENCY": "2",  # look for new runs every 2 s, not 10
        },
        root / "serve.log",
        f"http://127.0.0.1:{port}/health",
    )
    try:
        yield root / "data"
    finally:
        stop(runner)


@pytest.fixture
def client(api):
    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        yield client


def wait_final(client, flow_run_id, timeout: float = 240):
    deadline = time.monotonic() + timeout
    while True:
        run = client.read_flow_run(flow_run_id)
        if run.state and run.state.is_final():
            return run
        assert time.monotonic() < deadline, f"flow run still {run.state.name if run.state else None}"
        time.sleep(1)


def assert_same_as_core(data: Path, month: str, tmp_path: Path) -> None:
    expected = core_outputs(month, data / "sources" / month, tmp_path / "core")
    assert_same_outputs(expected, data / "output" / month)


def test_the_served_deployment_has_the_monthly_schedule(served, client):
    deployment = client.read_deployment_by_name(DEPLOYMENT)
    (schedule,) = deployment.schedules
    assert schedule.active
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 9 15 * *", "Europe/Paris")
    assert "month" in deployment.parameter_openapi_schema["properties"]


def test_a_scheduled_run_processes_the_previous_month(served, client, tmp_path):
    """A run created through the API for the 15 November 2026 slot, without a month, does October."""
    from prefect.states import Scheduled

    deployment = client.read_deployment_by_name(DEPLOYMENT)
    slot = dt.datetime(2026, 11, 15, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    run = client.create_flow_run_from_deployment(deployment.id, state=Scheduled(scheduled_time=slot))
    run = wait_final(client, run.id)
    assert run.state.is_completed(), run.state.message
    assert run.name == "report-2026-10"
    assert_same_as_core(served, "2026-10", tmp_path)


def test_stack_smoke_script_against_the_native_server(served, api, tmp_path):
    """scripts/stack_smoke.py, the Docker workflow's trigger/wait/compare, through this REST API."""
    import bottleneck_testkit as testing

    result = testing.stack_smoke().smoke("prefect", api, "2026-09", served, timeout=240)
    assert result["state"] == "Completed"
    assert_same_as_core(served, "2026-09", tmp_path)


def test_a_manual_run_through_the_cli(served, client_env, tmp_path):
    command = [
        str(BIN / "prefect"),
        "deployment",
        "run",
        DEPLOYMENT,
        "--param",
        "month=2026-07",
        "--watch",
        "--watch-timeout",
        "240",
    ]
    done = subprocess.run(command, env=client_env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Completed" in done.stdout
    assert_same_as_core(served, "2026-07", tmp_path)


def test_backfill_two_months(served, client_env, client, tmp_path):
    command = [sys.executable, str(BACKFILL_FILE), "2026-05", "2026-06", "--timeout", "240"]
    done = subprocess.run(command, env=client_env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for month in ("2026-05", "2026-06"):
        assert f"{month}: Completed" in done.stdout
        assert_same_as_core(served, month, tmp_path / month)
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=["backfill"])))
    assert sorted((r.name, r.parameters["month"], r.state.name) for r in runs) == [
        ("report-2026-05", "2026-05", "Completed"),
        ("report-2026-06", "2026-06", "Completed"),
    ]
