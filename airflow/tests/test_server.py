"""Native smoke test: the real Airflow services, as compose/airflow.yml runs them, without Docker.

api-server + scheduler (LocalExecutor) + dag-processor on a free port, login with the simple
auth manager's token flow, one run triggered through the REST API (naming its month) and a
backfill of two months made with `airflow backfill create`; all three must succeed with
reports byte-identical to core's.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

import bottleneck_testkit as testing
from bottleneck_core.store import read_json
from bottleneck_core.summary import money_text

from .conftest import AIRFLOW, DAG_ID

pytestmark = pytest.mark.server

TRIGGERED = "2026-07"
BACKFILLED = ("2026-05", "2026-06")  # --from-date 2026-05-01 --to-date 2026-06-30
PASSWORD = "native-test-only"
TIMEOUT = 420  # seconds for the three runs, on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(airflow_db, tmp_path):
    """Start api-server, scheduler and dag-processor; yield (base URL, env); stop them all."""
    port = free_port()
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"admin": PASSWORD}))  # what airflow-init writes from .env
    data = tmp_path / "data"
    env = {
        **os.environ,
        "BOTTLENECK_DATA_DIR": str(data),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__PARALLELISM": "4",
        # no run from the cron schedule: only the runs this test asks for (the clock would pick a month)
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",  # as in compose: the scheduler's healthcheck
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
    }
    env.pop("BOTTLENECK_ALERT_WEBHOOK", None)
    commands = {
        "api-server": [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        "scheduler": [AIRFLOW, "scheduler"],
        "dag-processor": [AIRFLOW, "dag-processor"],
    }
    procs, logs = {}, {}
    try:
        for name, cmd in commands.items():
            logs[name] = open(tmp_path / f"{name}.log", "wb")
            procs[name] = subprocess.Popen(
                cmd, env=env, stdout=logs[name], stderr=subprocess.STDOUT, start_new_session=True
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            dead = {n: p.returncode for n, p in procs.items() if p.poll() is not None}
            assert not dead, f"exited early: {dead}\n{_tail(tmp_path, dead)}"
            try:
                if httpx.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"api-server not up in 120 s\n{_tail(tmp_path, procs)}"
            time.sleep(2)
        yield base, env, data, tmp_path
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for log in logs.values():
            log.close()


def test_native_services_run_triggered_and_backfilled_months(server, tmp_path):
    base, env, data, logs = server
    expected = {}
    for month in (TRIGGERED, *BACKFILLED):
        sources = testing.sample_month(month, data)
        expected[month] = testing.core_outputs(month, sources, tmp_path / "core")

    # Airflow 3 API auth (simple auth manager): POST /auth/token, then a Bearer token
    login = httpx.post(f"{base}/auth/token", json={"username": "admin", "password": PASSWORD}, timeout=30)
    assert login.status_code == 201, login.text
    api = httpx.Client(
        base_url=f"{base}/api/v2", headers={"Authorization": f"Bearer {login.json()['access_token']}"}, timeout=30
    )

    _wait(lambda: api.get(f"/dags/{DAG_ID}").status_code == 200, 120, "the dag-processor to parse the DAG", logs)
    _assert_compose_healthchecks_pass(env)
    assert api.patch(f"/dags/{DAG_ID}", json={"is_paused": False}).status_code == 200

    triggered = api.post(f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": {"month": TRIGGERED}})
    assert triggered.status_code == 200, triggered.text
    run_id = triggered.json()["dag_run_id"]

    backfill = subprocess.run(
        [AIRFLOW, "backfill", "create", "--dag-id", DAG_ID, "--from-date", "2026-05-01", "--to-date", "2026-06-30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert backfill.returncode == 0, backfill.stderr[-3000:]

    def finished() -> list[dict] | None:
        runs = api.get(f"/dags/{DAG_ID}/dagRuns", params={"limit": 50}).json()["dag_runs"]
        mine = [r for r in runs if r["dag_run_id"] == run_id or r["run_type"] == "backfill"]
        if len(mine) == 3 and all(r["state"] in ("success", "failed") for r in mine):
            return mine
        return None

    runs = _wait(finished, TIMEOUT, "the three runs to finish", logs)
    assert {r["state"] for r in runs} == {"success"}, runs

    months = {}
    for r in runs:
        months[r["dag_run_id"]] = _xcom(api, r["dag_run_id"], "batch_month", "return_value")
    assert months[run_id] == TRIGGERED
    assert sorted(m for rid, m in months.items() if rid != run_id) == list(BACKFILLED)

    for month, core in expected.items():
        testing.assert_same_outputs(core, data / "output" / month)
    # the summary as the UI shows it: XCom entries of publish_summary, through the REST API
    manifest = read_json(expected[TRIGGERED] / "manifest.json")
    assert _xcom(api, run_id, "publish_summary", "revenue_total") == money_text(manifest["revenue_total"])
    assert _xcom(api, run_id, "publish_summary", "premium_count") == manifest["premium_count"]

    # scripts/stack_smoke.py, the Docker workflow's trigger/wait/compare, against these native services
    month = testing.PARITY_MONTHS[0]
    sources = testing.sample_month(month, data)
    result = testing.stack_smoke().smoke("airflow", base, month, data, timeout=TIMEOUT, user="admin", password=PASSWORD)
    assert result["state"] == "success" and result["month"] == month
    testing.assert_same_outputs(testing.core_outputs(month, sources, tmp_path / "smoke"), data / "output" / month)


def _assert_compose_healthchecks_pass(env: dict) -> None:
    """The healthchecks of compose/airflow.yml, run against the native services."""
    health = f"http://127.0.0.1:{env['AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT']}/health"
    _wait(lambda: _ok(health), 60, "the scheduler's health server", Path(env["AIRFLOW_HOME"]))
    for job in ("DagProcessorJob", "SchedulerJob"):
        check = subprocess.run(
            [AIRFLOW, "jobs", "check", "--job-type", job, "--local"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 0, f"{job}: {check.stdout[-1000:]}{check.stderr[-1000:]}"


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _xcom(api: httpx.Client, run_id: str, task_id: str, key: str):
    got = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}")
    assert got.status_code == 200, got.text
    value = got.json()["value"]
    return json.loads(value) if isinstance(value, str) and value[:1] in '[{"' else value


def _wait(check, seconds: float, what: str, logs: Path):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, (
            f"timed out waiting for {what}\n{_tail(logs, ['scheduler', 'dag-processor'])}"
        )
        time.sleep(3)


def _tail(folder: Path, names) -> str:
    out = []
    for name in names:
        path = folder / f"{name}.log"
        if path.exists():
            out.append(f"--- {name} ---\n" + path.read_text(errors="replace")[-3000:])
    return "\n".join(out)
