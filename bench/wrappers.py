"""How long a student waits for one month in each tool, natively (issue 11, §7; not a test).

    make bench-wrappers            # or: .venvs/core/bin/python bench/wrappers.py [--repeat 2]

Each tool runs sample month 2026-10 with the one-run command its README documents, in a private
copy of data/ (and a throw-away home for the tool's own state), as a whole process: the time is
what a student sees, interpreter and imports included. One-off set-up (Airflow's `db migrate`)
is timed on its own line. Every run's reports are compared with `bottleneck run`'s: a time for
a run that did not produce the same bytes would mean nothing. Needs `make venvs` first.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MONTH = "2026-10"
VENVS = REPO / ".venvs"


def commands(home: Path) -> dict[str, tuple[list[list[str]], list[str], dict, Path]]:
    """tool -> (set-up commands, the run command, extra environment, working folder)."""
    bin_ = {tool: VENVS / tool / "bin" for tool in ("core", "kestra", "airflow", "dagster", "prefect")}
    airflow_env = {
        "AIRFLOW_HOME": str(home / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "airflow" / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "PATH": f"{bin_['airflow']}:{os.environ['PATH']}",
    }
    dagster_home = home / "dagster"
    return {
        "core (`bottleneck run`)": ([], [str(bin_["core"] / "bottleneck"), "run", "--month", MONTH], {}, REPO),
        "Kestra (the kit's harness)": (
            [],
            [str(bin_["kestra"] / "python"), "kestra/tests/flow_harness.py", "--month", MONTH],
            {},
            REPO,
        ),
        "Airflow (`airflow dags test`)": (
            [[str(bin_["airflow"] / "airflow"), "db", "migrate"]],
            [
                str(bin_["airflow"] / "airflow"),
                "dags",
                "test",
                "bottleneck_monthly",
                "-c",
                json.dumps({"month": MONTH}),
            ],
            airflow_env,
            REPO,
        ),
        "Dagster (`dg launch --job … --config in_process.yaml`)": (
            [["cp", str(REPO / "dagster" / "home" / "dagster.yaml"), str(dagster_home / "dagster.yaml")]],
            [
                str(bin_["dagster"] / "dg"),
                "launch",
                "--job",
                "bottleneck_monthly",
                "--partition",
                MONTH,
                "--config",
                "in_process.yaml",
            ],
            {"DAGSTER_HOME": str(dagster_home)},
            REPO / "dagster",
        ),
        "Dagster, one process per step (the UI's runs)": (
            [["cp", str(REPO / "dagster" / "home" / "dagster.yaml"), str(dagster_home / "dagster.yaml")]],
            [str(bin_["dagster"] / "dg"), "launch", "--job", "bottleneck_monthly", "--partition", MONTH],
            {"DAGSTER_HOME": str(dagster_home)},
            REPO / "dagster",
        ),
        "Prefect (`monthly_report.py --month`)": (
            [],
            [str(bin_["prefect"] / "python"), "prefect/flows/monthly_report.py", "--month", MONTH],
            {"PREFECT_HOME": str(home / "prefect")},
            REPO,
        ),
    }


def manifest_bytes(data: Path) -> bytes | None:
    path = data / "output" / MONTH / "manifest.json"
    return path.read_bytes() if path.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool (the best is kept)")
    args = parser.parse_args()
    reference = None
    rows = []
    for tool in commands(Path("/")):
        best, setup_time, same = None, 0.0, True
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bottleneck-bench-") as tmp:
                home, data = Path(tmp) / "home", Path(tmp) / "data"
                shutil.copytree(REPO / "data" / "sources" / MONTH, data / "sources" / MONTH)
                for folder in ("airflow", "dagster", "prefect"):
                    (home / folder).mkdir(parents=True)
                setup_cmds, cmd, env_extra, cwd = commands(home)[tool]
                env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API", "VIRTUAL_ENV"))}
                env |= {"BOTTLENECK_DATA_DIR": str(data), "BOTTLENECK_LANG": "en"} | env_extra
                started = time.perf_counter()
                for step in setup_cmds:
                    subprocess.run(step, cwd=cwd, env=env, check=True, capture_output=True)
                setup_time = time.perf_counter() - started
                started = time.perf_counter()
                done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
                elapsed = time.perf_counter() - started
                if done.returncode != 0:
                    print(
                        f"{tool}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}", file=sys.stderr
                    )
                    return 1
                produced = manifest_bytes(data)
                reference = reference or produced
                same = same and produced is not None and produced == reference
                best = elapsed if best is None else min(best, elapsed)
        rows.append((tool, best, setup_time, same))
    print(f"\n| tool: one run of {MONTH} | seconds | one-off set-up (s) | reports identical to core |")
    print("|---|---|---|---|")
    for tool, best, setup, same in rows:
        print(f"| {tool} | {best:.1f} | {setup:.1f} | {'yes' if same else 'NO'} |")
    return 0 if all(same for *_, same in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
