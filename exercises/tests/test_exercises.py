"""Every exercise's checker FAILS on the untouched starter, for the intended reasons only (named
checks failing with the checker's own message, no import or collection error, the "starter loads"
check passing), and PASSES on the solution. Also: the folders, the files and the index agree.

Runs in .venvs/core; each checker runs in its tool's virtualenv through exercises/run_check.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tomllib

EXERCISES = Path(__file__).resolve().parents[1]
REPO = EXERCISES.parent
with open(EXERCISES / "exercises.toml", "rb") as f:
    INDEX = tomllib.load(f)["exercise"]
NUMBERS = [e["number"] for e in INDEX]
CHECK_TIMEOUT = 1500  # seconds for one checker run (the machine may be shared)


def run_check(number: str, tmp_path: Path, solution: bool) -> tuple[int, dict, str]:
    """Run `make check EX=number [SOLUTION=1]`'s script; return its exit code, results by test name, output."""
    report = tmp_path / f"{number}-{'solution' if solution else 'starter'}.xml"
    cmd = [sys.executable, str(EXERCISES / "run_check.py"), number, "--junit", str(report)] + (
        ["--solution"] if solution else []
    )
    env = {k: v for k, v in os.environ.items() if k != "BOTTLENECK_EXERCISE_DIR"}
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=CHECK_TIMEOUT, env=env)
    output = done.stdout[-6000:] + done.stderr[-6000:]
    assert report.is_file(), f"the checker wrote no report (it did not start):\n{output}"
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("name").split("[")[0]
        outcome = next(
            ((child.tag, child.get("message", "")) for child in case if child.tag in ("failure", "error", "skipped")),
            ("passed", ""),
        )
        results[name] = outcome
    return done.returncode, results, output


@pytest.mark.parametrize("number", NUMBERS)
def test_starter_fails_for_the_intended_reasons(number, tmp_path):
    ex = next(e for e in INDEX if e["number"] == number)
    code, results, output = run_check(number, tmp_path, solution=False)
    assert code == 1, f"exit code {code} (1 = some checks failed):\n{output}"
    failed = {name for name, (tag, _) in results.items() if tag == "failure"}
    assert failed == set(ex["starter_fails"]), (
        f"failing checks {sorted(failed)}, expected {ex['starter_fails']}:\n{output}"
    )
    errors = {name: msg for name, (tag, msg) in results.items() if tag == "error"}
    assert not errors, f"errors (not failed checks) on the starter: {errors}"
    for name in failed:
        message = results[name][1]
        assert message.startswith("checklib.NotDone"), (
            f"{name} failed with {message[:300]!r}, not with the checker's own message"
        )
    loads = [n for n in results if n.startswith("test_starter_")]
    assert loads and all(results[n][0] == "passed" for n in loads), f"the starter does not load: {results}"
    assert "❌" in output and ("Hint:" in output or "Indice :" in output), output


@pytest.mark.parametrize("number", NUMBERS)
def test_solution_passes(number, tmp_path):
    code, results, output = run_check(number, tmp_path, solution=True)
    skipped = {n: m for n, (tag, m) in results.items() if tag == "skipped"}
    if skipped and os.environ.get("CI", "").strip().lower() in ("", "0", "false", "no"):
        pytest.skip(f"some checks were skipped here: {skipped}")
    assert code == 0 and not skipped, f"exit code {code}, results {results}:\n{output}"
    assert all(tag == "passed" for tag, _ in results.values()), results


@pytest.mark.parametrize("ex", INDEX, ids=NUMBERS)
def test_folders_and_files(ex):
    exercise, solution = EXERCISES / ex["slug"], REPO / "solutions" / ex["slug"]
    assert ex["slug"].startswith(ex["number"] + "-")
    for name in ("README.md", "README.fr.md"):
        assert (exercise / name).is_file(), f"{exercise / name} is missing"
    for name in ("EXPLANATION.md", "EXPLANATION.fr.md"):
        assert (solution / name).is_file(), f"{solution / name} is missing"
    for name in ex["files"]:
        assert (exercise / name).is_file() and (solution / name).is_file(), name
        assert (exercise / name).read_bytes() != (solution / name).read_bytes(), (
            f"{name}: the solution equals the starter"
        )
    assert list((exercise / "check").glob("test_*.py")), "no checker"
    assert 15 <= ex["minutes"] <= 45 and ex["level"] in ("beginner", "intermediate", "advanced")
    lesson = REPO / "docs" / "course" / f"{ex['lesson']}.md"
    assert lesson.is_file() and lesson.with_name(f"{ex['lesson']}.fr.md").is_file(), lesson
    readme = (exercise / "README.md").read_text(encoding="utf-8") + (exercise / "README.fr.md").read_text(
        encoding="utf-8"
    )
    assert f"make check EX={ex['number']}" in readme and f"{ex['lesson']}.md" in readme


def test_every_exercise_folder_is_indexed():
    folders = {p.name for p in EXERCISES.iterdir() if p.is_dir() and re.match(r"\d\d-", p.name)}
    assert folders == {e["slug"] for e in INDEX}
    solutions = {p.name for p in (REPO / "solutions").iterdir() if p.is_dir() and re.match(r"\d\d-", p.name)}
    assert solutions == folders


@pytest.mark.parametrize("readme", ["README.md", "README.fr.md"])
def test_index_tables_list_every_exercise(readme):
    text = (EXERCISES / readme).read_text(encoding="utf-8")
    for ex in INDEX:
        title = ex["title_fr"] if readme.endswith(".fr.md") else ex["title_en"]
        row = next((line for line in text.splitlines() if line.startswith(f"| {ex['number']} ")), "")
        assert row, f"{readme}: no row for exercise {ex['number']}"
        assert (
            f"({ex['slug']}/README" in row
            and title in row
            and ex["tool"] in row.lower()
            and f"{ex['minutes']} min" in row
        ), row
        assert f"{ex['lesson']}" in row, row
