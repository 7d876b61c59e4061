"""Smoke test of a running stack: trigger one month through the tool's API, wait, compare with core.

    python scripts/stack_smoke.py kestra  --base-url http://127.0.0.1:8080 --month 2026-10
    python scripts/stack_smoke.py airflow --base-url http://127.0.0.1:8082 --month 2026-10
    python scripts/stack_smoke.py dagster --base-url http://127.0.0.1:3000 --month 2026-10
    python scripts/stack_smoke.py prefect --base-url http://127.0.0.1:4200 --month 2026-10

1. trigger the monthly pipeline for ``--month`` the way a student would from the UI, through the
   tool's own API (Kestra's executions API, Airflow's REST API v2, Dagster's GraphQL API,
   Prefect's REST API);
2. wait until the run ends (exit 1 unless it succeeded);
3. run ``bottleneck run`` on the same sources into a temporary folder and compare the sha256 of
   every report with the stack's ``data/output/<month>/`` (exit 1 on any difference);
4. with ``--json-out FILE``, write {tool, month, run, state, sha256} for the cross-tool check.

The Docker workflow (.github/workflows/compose.yml) runs it against each compose stack; the
wrappers' native server tests import it and run the same trigger/wait/compare code against the
natively started servers. Standard library only: it runs in any virtualenv of the kit.
Credentials default to the compose files' defaults (overridable by option or environment).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOLS = ("kestra", "airflow", "dagster", "prefect")
REPORTS = ("revenue_report.xlsx", "premium_wines.csv", "ordinary_wines.csv", "manifest.json")
DEFAULT_CREDENTIALS = {  # the compose files' defaults (.env.example)
    "kestra": ("KESTRA_ADMIN_EMAIL", "admin@bottleneck.local", "KESTRA_ADMIN_PASSWORD", "BottleNeck2026"),
    "airflow": ("AIRFLOW_ADMIN_USER", "admin", "AIRFLOW_ADMIN_PASSWORD", "admin-dev"),
}
KESTRA_FLOW = ("bottleneck", "bottleneck_monthly")
AIRFLOW_DAG = "bottleneck_monthly"
DAGSTER_JOB, DAGSTER_LOCATION = "bottleneck_monthly", "bottleneck"
PREFECT_DEPLOYMENT = ("bottleneck_monthly", "monthly")


class SmokeError(RuntimeError):
    pass


def http(method: str, url: str, body=None, headers: dict | None = None, timeout: float = 30):
    """One HTTP call; JSON in and out (bytes for multipart bodies)."""
    headers = dict(headers or {})
    data = None
    if isinstance(body, bytes):
        data = body
    elif body is not None:
        data = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise SmokeError(f"{method} {url}: HTTP {exc.code}: {exc.read()[:1000]!r}") from exc
    return json.loads(raw) if raw else None


class Stack:
    """trigger(month) -> run id; state(run id) -> (finished, succeeded, label)."""

    tool = ""

    def __init__(self, base_url: str, user: str | None = None, password: str | None = None):
        self.base = base_url.rstrip("/")
        self.user, self.password = user, password

    def wait(self, run: str, timeout: float, poll: float = 3) -> str:
        deadline = time.monotonic() + timeout
        while True:
            finished, succeeded, label = self.state(run)
            if finished:
                if not succeeded:
                    raise SmokeError(f"{self.tool} run {run} ended {label}")
                return label
            if time.monotonic() > deadline:
                raise SmokeError(f"{self.tool} run {run} still {label} after {timeout:.0f} s")
            time.sleep(poll)


class Kestra(Stack):
    tool = "kestra"

    def _headers(self) -> dict:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def trigger(self, month: str) -> str:
        namespace, flow = KESTRA_FLOW
        boundary = uuid.uuid4().hex
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="month"\r\n\r\n{month}\r\n--{boundary}--\r\n'
        ).encode()
        headers = {**self._headers(), "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return http("POST", f"{self.base}/api/v1/main/executions/{namespace}/{flow}", body, headers)["id"]

    def state(self, run: str):
        current = http("GET", f"{self.base}/api/v1/main/executions/{run}", headers=self._headers())["state"]["current"]
        done = current in ("SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED")
        return done, current == "SUCCESS", current


class Airflow(Stack):
    tool = "airflow"
    _token: str | None = None

    def _headers(self) -> dict:
        if self._token is None:
            login = http("POST", f"{self.base}/auth/token", {"username": self.user, "password": self.password})
            self._token = login["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def trigger(self, month: str) -> str:
        api = f"{self.base}/api/v2/dags/{AIRFLOW_DAG}"
        http("PATCH", api, {"is_paused": False}, self._headers())  # the DAG starts paused
        run = http("POST", f"{api}/dagRuns", {"logical_date": None, "conf": {"month": month}}, self._headers())
        return run["dag_run_id"]

    def state(self, run: str):
        url = f"{self.base}/api/v2/dags/{AIRFLOW_DAG}/dagRuns/{urllib.parse.quote(run, safe='')}"
        current = http("GET", url, headers=self._headers())["state"]
        return current in ("success", "failed"), current == "success", current


LAUNCH = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
RUN_STATUS = "query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status } } }"


class Dagster(Stack):
    tool = "dagster"
    run_config: dict = {}

    def _graphql(self, query: str, **variables):
        answer = http("POST", f"{self.base}/graphql", {"query": query, "variables": variables})
        if answer.get("errors"):
            raise SmokeError(f"dagster GraphQL: {answer['errors']}")
        return answer["data"]

    def trigger(self, month: str) -> str:
        params = {
            "selector": {
                "repositoryLocationName": DAGSTER_LOCATION,
                "repositoryName": "__repository__",
                "jobName": DAGSTER_JOB,
            },
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": month}]},
            "runConfigData": self.run_config,
            "mode": "default",
        }
        launched = self._graphql(LAUNCH, params=params)["launchRun"]
        if launched["__typename"] != "LaunchRunSuccess":
            raise SmokeError(f"dagster launchRun: {launched}")
        return launched["run"]["runId"]

    def state(self, run: str):
        status = self._graphql(RUN_STATUS, id=run)["runOrError"].get("status", "UNKNOWN")
        return status in ("SUCCESS", "FAILURE", "CANCELED"), status == "SUCCESS", status


class Prefect(Stack):
    tool = "prefect"

    def _api(self) -> str:
        return self.base if self.base.endswith("/api") else f"{self.base}/api"

    def trigger(self, month: str) -> str:
        flow, name = PREFECT_DEPLOYMENT
        deployment = http("GET", f"{self._api()}/deployments/name/{flow}/{name}")
        run = http(
            "POST", f"{self._api()}/deployments/{deployment['id']}/create_flow_run", {"parameters": {"month": month}}
        )
        return run["id"]

    def state(self, run: str):
        state = http("GET", f"{self._api()}/flow_runs/{run}")["state"] or {}
        kind = state.get("type", "PENDING")
        return kind in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"), kind == "COMPLETED", state.get("name", kind)


STACKS = {"kestra": Kestra, "airflow": Airflow, "dagster": Dagster, "prefect": Prefect}


def stack(tool: str, base_url: str, user: str | None = None, password: str | None = None) -> Stack:
    if tool in DEFAULT_CREDENTIALS:
        user_var, user_default, password_var, password_default = DEFAULT_CREDENTIALS[tool]
        user = user or os.environ.get(user_var) or user_default
        password = password or os.environ.get(password_var) or password_default
    return STACKS[tool](base_url, user, password)


def sha256s(folder: Path) -> dict[str, str]:
    missing = [name for name in REPORTS if not (folder / name).is_file()]
    if missing:
        raise SmokeError(f"{folder}: missing {missing}")
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in REPORTS}


def core_reference(month: str, sources: Path, bottleneck: str | None = None) -> dict[str, str]:
    """sha256 of the reports `bottleneck run` writes for the same sources, in a temporary folder."""
    command = bottleneck or shutil.which("bottleneck", path=str(Path(sys.executable).parent)) or "bottleneck"
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                command,
                "run",
                "--month",
                month,
                "--sources",
                str(sources),
                "--work",
                f"{tmp}/work",
                "--out",
                f"{tmp}/out",
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SmokeError(
                f"bottleneck run --month {month} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        return sha256s(Path(tmp) / "out" / month)


def compare(month: str, data_dir: Path, bottleneck: str | None = None) -> dict[str, str]:
    """The stack's reports for month, checked against core's own run; returns their sha256."""
    got = sha256s(data_dir / "output" / month)
    expected = core_reference(month, data_dir / "sources" / month, bottleneck)
    differ = sorted(name for name in REPORTS if got[name] != expected[name])
    if differ:
        raise SmokeError(f"{month}: reports differ from `bottleneck run`: {differ}\nstack: {got}\ncore:  {expected}")
    return got


def smoke(tool: str, base_url: str, month: str, data_dir: Path, timeout: float = 900, **options) -> dict:
    """Trigger, wait, compare: what the Docker workflow and the native server tests both run."""
    run_config = options.pop("run_config", None)
    bottleneck = options.pop("bottleneck", None)
    client = stack(tool, base_url, **options)
    if run_config is not None:
        client.run_config = run_config
    run = client.trigger(month)
    print(f"{tool}: triggered {month} as run {run}", flush=True)
    state = client.wait(run, timeout)
    print(f"{tool}: run {run} ended {state}", flush=True)
    digests = compare(month, data_dir, bottleneck)
    print(f"{tool}: {month} reports byte-identical to `bottleneck run`", flush=True)
    return {"tool": tool, "month": month, "run": run, "state": state, "sha256": digests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tool", choices=TOOLS)
    parser.add_argument("--base-url", required=True, help="the stack's UI/API address, e.g. http://127.0.0.1:8080")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data", help="the data/ folder the stack mounts")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the run")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--bottleneck", help="the bottleneck command for the reference run [next to this Python]")
    parser.add_argument("--json-out", type=Path, help="write {tool, month, run, state, sha256} here")
    args = parser.parse_args(argv)
    try:
        result = smoke(
            args.tool,
            args.base_url,
            args.month,
            args.data_dir,
            args.timeout,
            user=args.user,
            password=args.password,
            bottleneck=args.bottleneck,
        )
    except (SmokeError, OSError) as exc:
        print(f"stack_smoke {args.tool} {args.month}: FAILED: {exc}", file=sys.stderr)
        return 1
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
