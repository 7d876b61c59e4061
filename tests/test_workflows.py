"""The GitHub Actions workflows: actionlint-clean, and compose.yml does what compose/README.md says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
COMPOSE = yaml.safe_load((REPO / ".github" / "workflows" / "compose.yml").read_text(encoding="utf-8"))


def actionlint() -> str:
    """The binary core's test extra installs next to this Python (or one on PATH)."""
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint not found: `bash scripts/venv.sh core` installs it (core's test extra)"
    return found


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_actionlint_is_clean(workflow):
    done = subprocess.run(
        [actionlint(), "-no-color", str(workflow)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The lint can fail: an unknown runner label and a bad expression are reported."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    done = subprocess.run(
        [actionlint(), "-no-color", str(broken)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "matrix" in done.stdout


def steps(job: str) -> list[dict]:
    return COMPOSE["jobs"][job]["steps"]


def test_matrix_covers_the_four_stacks_on_x86_and_arm64():
    matrix = COMPOSE["jobs"]["stack"]["strategy"]["matrix"]
    assert sorted(matrix["tool"]) == ["airflow", "dagster", "kestra", "prefect"]
    assert any(r.endswith("-arm") for r in matrix["runner"]) and any(not r.endswith("-arm") for r in matrix["runner"])
    ports = {i["tool"]: i["port"] for i in matrix["include"]}
    assert ports == {"kestra": 8080, "airflow": 8082, "dagster": 3000, "prefect": 4200}


def test_stack_job_starts_triggers_compares_and_cleans_up():
    runs = [s.get("run", "") for s in steps("stack")]
    text = "\n".join(runs)
    assert "cp .env.example compose/.env" in text
    assert 'docker compose -f "$COMPOSE_FILE_PATH" up -d --build --wait' in text
    assert "scripts/stack_smoke.py ${{ matrix.tool }}" in text and "--json-out" in text
    down = next(s for s in steps("stack") if "down -v" in s.get("run", ""))
    assert down["if"] == "always()"
    assert runs.index(down["run"]) > next(i for i, r in enumerate(runs) if "stack_smoke.py" in r)


def test_final_job_compares_every_stack():
    identical = COMPOSE["jobs"]["identical"]
    assert identical["needs"] == "stack"
    script = next(s["run"] for s in identical["steps"] if s.get("shell") == "python")
    assert '["airflow", "dagster", "kestra", "prefect"]' in script and "len(digests) != 1" in script
