"""The kit's Python is clean under ruff (rules and formatting in ruff.toml), so a diff shows only
what changed, never a reformatting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")  # pinned in core's test extra


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff(command):
    done = subprocess.run([str(RUFF), *command], cwd=REPO, capture_output=True, text=True, timeout=300)
    fix = "fix: .venvs/core/bin/ruff check --fix . && .venvs/core/bin/ruff format ."
    assert done.returncode == 0, f"ruff {' '.join(command)}:\n{done.stdout[-4000:]}{done.stderr[-2000:]}\n{fix}"


def test_no_formatter_opt_outs():
    """The formatter decides the layout everywhere: no opt-out comment (fmt skip or off) is left (issue 15)."""
    found = [
        f"{path.relative_to(REPO)}:{number}"
        for path in REPO.rglob("*.py")
        if not {".venvs", "mutants", ".git"} & set(path.relative_to(REPO).parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "# fmt: " + "skip" in line or "# fmt: " + "off" in line
    ]
    assert found == []
