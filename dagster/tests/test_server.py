"""Native smoke test: the three long-running services of compose/dagster.yml, started natively.

user-code gRPC server + webserver + daemon, storage in PostgreSQL (dagster/dagster.yaml, as in
compose), the default run launcher. A partition run is launched through the GraphQL API, then
a backfill of two months, as the UI does; the test waits for success and compares the reports
with core's own run.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from dagster_graphql import DagsterGraphQLClient

import bottleneck_testkit as testing

pytestmark = pytest.mark.server

HERE = Path(__file__).resolve().parents[1]  # dagster/
BIN = Path(sys.executable).parent
LOCATION = "bottleneck"
RUN_MONTH, BACKFILL_MONTHS, BROKEN_MONTH = "2026-07", ["2026-05", "2026-06"], "2026-08"
TIMEOUT = 300  # seconds, for each wait
# Dagster's default executor starts one process per step (26 here: 13 assets, 13 gates), which
# is slow on a shared 2-core machine; the tests pick the in-process executor through run config.
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, probe, timeout=TIMEOUT, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            assert p.poll() is None, f"{p.args[0]} exited with {p.returncode} while waiting for {what}"
        try:
            value = probe()
            if value:
                return value
        except OSError:
            pass
        time.sleep(2)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class Server:
    def __init__(self, port: int, data: Path, hook: testing.WebhookReceiver):
        self.port, self.data, self.hook = port, data, hook
        self.client = DagsterGraphQLClient("127.0.0.1", port_number=port)

    def graphql(self, query: str, **variables) -> dict:
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer
        return answer["data"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3; dagster-postgres ships psycopg2.
    url = testing.postgres_database("bottleneck_dagster_test").replace("postgresql://", "postgresql+psycopg2://", 1)
    tmp = tmp_path_factory.mktemp("dagster-server")
    home, data, logs = tmp / "home", tmp / "data", tmp / "logs"
    for folder in (home, logs):
        folder.mkdir()
    shutil.copy(HERE / "deploy" / "dagster.yaml", home / "dagster.yaml")  # the compose stack's instance file
    for month in (RUN_MONTH, *BACKFILL_MONTHS, BROKEN_MONTH, testing.PARITY_MONTHS[0]):
        testing.sample_month(month, data)
    testing.break_prices(data / "sources" / BROKEN_MONTH)
    hook = testing.WebhookReceiver().__enter__()  # the daemon's failure sensor posts here
    grpc_port, web_port = free_port(), free_port()
    (home / "workspace.yaml").write_text(  # compose's workspace.yaml, with this machine's address
        (HERE / "deploy" / "workspace.yaml")
        .read_text()
        .replace("host: user-code", "host: 127.0.0.1")
        .replace("port: 4000", f"port: {grpc_port}")
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOTTLENECK_", "DAGSTER_"))}
    env |= {
        "DAGSTER_HOME": str(home),
        "DAGSTER_POSTGRES_URL": url,
        "BOTTLENECK_DATA_DIR": str(data),
        "BOTTLENECK_ALERT_WEBHOOK": hook.url,
    }
    commands = {  # the commands of compose/dagster.yml's services
        "user-code": [
            BIN / "dagster",
            "code-server",
            "start",
            "-m",
            "bottleneck_dagster.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(grpc_port),
        ],
        "webserver": [BIN / "dagster-webserver", "-h", "127.0.0.1", "-p", str(web_port), "-w", home / "workspace.yaml"],
        "daemon": [BIN / "dagster-daemon", "run", "-w", home / "workspace.yaml"],
    }
    procs, outputs = [], []
    try:
        for name, command in commands.items():
            log = open(logs / f"{name}.log", "wb")
            outputs.append(log)
            procs.append(
                subprocess.Popen(
                    [str(c) for c in command],
                    env=env,
                    cwd=tmp,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            if name == "user-code":
                health = [str(BIN / "dagster"), "api", "grpc-health-check", "-h", "127.0.0.1", "-p", str(grpc_port)]
                wait_for(
                    "the code server",
                    lambda health=health: subprocess.run(health, capture_output=True, env=env).returncode == 0,
                    procs=procs,
                )
        srv = Server(web_port, data, hook)
        query = (
            "{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError { __typename } } } } }"
        )
        wait_for(
            "the code location",
            lambda: any(
                e["locationOrLoadError"]["__typename"] == "RepositoryLocation"
                for e in srv.graphql(query)["workspaceOrError"]["locationEntries"]
            ),
            procs=procs,
        )
        yield srv
    except BaseException:
        for log in sorted(logs.iterdir()):
            print(f"--- {log.name} (tail)\n" + log.read_text(errors="replace")[-3000:])
        raise
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        for log in outputs:
            log.close()
        hook.__exit__(None, None, None)


def launch(server, month: str) -> tuple[str, str]:
    """Launch the job for one partition through the GraphQL API; wait for the end; (run id, status)."""
    run_id = server.client.submit_job_execution(
        "bottleneck_monthly",
        repository_location_name=LOCATION,
        repository_name="__repository__",
        tags={"dagster/partition": month},
        run_config=IN_PROCESS,
    )
    status = wait_for(
        "the run", lambda: (s := server.client.get_run_status(run_id).value) in ("SUCCESS", "FAILURE", "CANCELED") and s
    )
    return run_id, status


def test_partition_run_through_graphql(server, tmp_path):
    _, status = launch(server, RUN_MONTH)
    assert status == "SUCCESS"
    expected = testing.core_outputs(RUN_MONTH, server.data / "sources" / RUN_MONTH, tmp_path)
    testing.assert_same_outputs(expected, server.data / "output" / RUN_MONTH)


def test_stack_smoke_script_against_the_native_server(server, tmp_path):
    """scripts/stack_smoke.py, the Docker workflow's trigger/wait/compare, through this GraphQL API."""
    month = testing.PARITY_MONTHS[0]
    result = testing.stack_smoke().smoke(
        "dagster", f"http://127.0.0.1:{server.port}", month, server.data, timeout=TIMEOUT, run_config=IN_PROCESS
    )
    assert result["state"] == "SUCCESS"
    expected = testing.core_outputs(month, server.data / "sources" / month, tmp_path)
    testing.assert_same_outputs(expected, server.data / "output" / month)


LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""
BACKFILL_STATUS = """
query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill { status } } }"""


def test_backfill_two_months(server, tmp_path):
    params = {
        "selector": {
            "partitionSetName": "bottleneck_monthly_partition_set",
            "repositorySelector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__"},
        },
        "partitionNames": BACKFILL_MONTHS,
        "runConfigData": IN_PROCESS,
    }
    launched = server.graphql(LAUNCH_BACKFILL, params=params)["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    done = ("COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED")
    status = wait_for(
        "the backfill",
        lambda: (
            (s := server.graphql(BACKFILL_STATUS, id=launched["backfillId"])["partitionBackfillOrError"]["status"])
            in done
            and s
        ),
        timeout=2 * TIMEOUT,
    )
    assert status in ("COMPLETED", "COMPLETED_SUCCESS")
    for month in BACKFILL_MONTHS:
        expected = testing.core_outputs(month, server.data / "sources" / month, tmp_path / month)
        testing.assert_same_outputs(expected, server.data / "output" / month)


def test_broken_month_fails_and_the_daemon_alerts(server):
    run_id, status = launch(server, BROKEN_MONTH)
    assert status == "FAILURE"
    alerts = [a for a in server.hook.wait(1, timeout=120) if a["run"] == run_id]
    assert alerts, "the run-failure sensor sent no alert"
    assert alerts[0]["month"] == BROKEN_MONTH and "erp_prices_present" in alerts[0]["reason"]
    assert not (server.data / "output" / BROKEN_MONTH).exists()
