"""The kit's shell scripts: scripts/venv.sh refuses an unsupported Python and never stamps a failed install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bottleneck_testkit as testing

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def kit(tmp_path):
    """A minimal copy of the kit: scripts/venv.sh, core's pyproject and one wrapper's pins."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "venv.sh", tmp_path / "scripts" / "venv.sh")
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    (tmp_path / "core" / "testkit").mkdir()
    (tmp_path / "core" / "testkit" / "pyproject.toml").write_text('[project]\nname = "y"\nversion = "0"\n')
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "requirements.txt").write_text("bottleneck-no-such-package==0.0.1\n")
    return tmp_path


def run(kit: Path, part: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(kit / "scripts" / "venv.sh"), part],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def test_an_unsupported_python_is_refused_with_the_supported_versions(kit, tmp_path):
    fake = tmp_path / "python3.9"
    fake.write_text("#!/bin/sh\necho 3.9\n")
    fake.chmod(0o755)
    done = run(kit, "dagster", PYTHON=str(fake))
    assert done.returncode == 2
    assert "Python 3.9" in done.stderr and "3.11 or 3.12 or 3.13" in done.stderr
    assert not (kit / ".venvs" / "dagster").exists()


def test_a_failed_pip_install_fails_loudly_and_writes_no_stamp(kit):
    done = run(kit, "dagster", PYTHON=sys.executable, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(kit))
    assert done.returncode == 1, done.stderr
    assert "pip install failed for .venvs/dagster" in done.stderr and "error" in done.stderr  # pip's own error shown
    assert not (kit / ".venvs" / "dagster" / ".stamp").exists()
    again = run(kit, "dagster", PYTHON=sys.executable, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(kit))
    assert again.returncode == 1, "a second run must try again, not trust a stamp"


def test_the_stamp_hash_works_without_sha256sum(kit, tmp_path):
    """macOS has shasum, not sha256sum: the script must pick whichever exists."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "cat", "cut", "tr", "grep", "mktemp", "rm", "dirname", "tail", "shasum", "perl", "env"):
        if found := shutil.which(tool):
            (bin_dir / tool).symlink_to(found)
    if not (bin_dir / "shasum").exists():
        pytest.skip("shasum is not installed here")
    fake = tmp_path / "python3.13"
    fake.write_text("#!/bin/sh\necho 3.13\n")  # supported, so the script goes on to hash the pins
    fake.chmod(0o755)
    done = subprocess.run(
        [str(bin_dir / "bash"), str(kit / "scripts" / "venv.sh"), "dagster"],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir), "PYTHON": str(fake)},
        timeout=60,
    )
    assert "sha256sum" not in done.stderr and "command not found" not in done.stderr, done.stderr
    assert "Setting up .venvs/dagster with Python 3.13" in done.stderr


def test_the_pipeline_package_ships_no_test_code():
    """Test helpers live in core/testkit (installed in the virtualenvs, never in the images)."""
    offenders = [
        str(p.relative_to(REPO))
        for p in (REPO / "core" / "src").rglob("*.py")
        if "import pytest" in p.read_text(encoding="utf-8") or "bottleneck_testkit" in p.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders
    assert not (REPO / "core" / "src" / "bottleneck_core" / "testing.py").exists()


def test_make_screenshots_without_tools_takes_them_all():
    """`make screenshots` passes no tool: the script must default to all of them (an argparse
    `choices` check once refused that default), and still refuse an unknown one."""
    module = testing.script("screenshots")
    assert module.parse_args([]).tools == list(module.TOOLS)
    assert module.parse_args(["prefect"]).tools == ["prefect"]
    with pytest.raises(SystemExit):
        module.parse_args(["bogus"])


@pytest.mark.parametrize(
    ("ci", "skipped", "code"), [("", 1, 0), ("true", 1, 1), ("1", 1, 1), ("false", 1, 0), ("true", 0, 0)]
)
def test_a_skipped_test_fails_make_test_under_ci(tmp_path, ci, skipped, code):
    (tmp_path / "core.xml").write_text(
        f'<testsuites><testsuite tests="3" failures="0" errors="0" skipped="{skipped}"/></testsuites>'
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "test_summary.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert f"total: {3 - skipped} passed, 0 failed, {skipped} skipped" in run.stdout
    assert run.returncode == code, run.stdout


def test_the_mutation_sample_is_the_same_share_of_each_module_and_repeatable():
    module = testing.script("mutation_score")
    table = {
        "big": {f"bottleneck_core.big.x_f__mutmut_{i}": "killed" for i in range(200)},
        "small": {f"bottleneck_core.small.x_g__mutmut_{i}": "survived" for i in range(3)},
    }
    picked = module.sample(table, 0.15)
    assert [len(picked["big"]), len(picked["small"])] == [30, 1]  # 15 % of each, at least one
    assert set(picked["big"]) <= set(table["big"]) and picked == module.sample(table, 0.15)
    assert module.sample(table, 0.15, seed=18) != picked, "the seed draws"
    assert module.scores(picked)["big"] == {"killed": 30}


def test_the_mutants_left_to_run_are_printed_one_a_line(tmp_path, monkeypatch, capsys):
    module = testing.script("mutation_score")
    table = {
        "done": {"bottleneck_core.done.x_f__mutmut_1": "killed"},  # nothing left: no empty line either
        "left": {"bottleneck_core.left.x_g__mutmut_1": "survived", "bottleneck_core.left.x_g__mutmut_2": "timeout"},
        "new": {"bottleneck_core.new.x_h__mutmut_1": "not checked"},
    }
    monkeypatch.setattr(module, "results", lambda: table)
    assert module.main(["--sample", "1", "--names"]) == 0
    assert capsys.readouterr().out == "bottleneck_core.left.x_g__mutmut_1\nbottleneck_core.new.x_h__mutmut_1\n"
