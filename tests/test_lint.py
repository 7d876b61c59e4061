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
