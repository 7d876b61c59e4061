"""Runs that must not mix, lose or publish stale data: the per-month lock, overlapping folders,
the work-folder marker, stale tables, and the command line's codes and languages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bottleneck_core import faults
from bottleneck_core.cli import main
from bottleneck_testkit import month_options, sample_month

from .conftest import LAST


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env={"BOTTLENECK_LANG": None, **(env or {})})


def published(paths):
    return {p.name: p.read_bytes() for p in paths.output.iterdir()}


# --- two runs of one month -------------------------------------------------------------------


def _other_sources(root: Path) -> Path:
    """The sample month with 20 prices raised by 1 € and no reference values: other, valid figures."""
    from openpyxl import load_workbook

    sources = sample_month(LAST, root)
    (sources / "reference.json").unlink()
    book = load_workbook(sources / "erp.xlsx")
    sheet = book.worksheets[0]
    price = [c.value for c in sheet[1]].index("price") + 1
    for row in range(2, 22):
        sheet.cell(row=row, column=price).value = abs(sheet.cell(row=row, column=price).value) + 1
    book.save(sources / "erp.xlsx")
    return sources


def _start(sources, root):
    args = [
        str(Path(sys.executable).parent / "bottleneck"),
        "run",
        "--json",
        "--month",
        LAST,
        "--sources",
        str(sources),
        "--work",
        str(root / "work"),
        "--out",
        str(root / "output"),
    ]
    env = {**os.environ, "BOTTLENECK_LANG": "en"}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_two_runs_of_one_month_never_mix(tmp_path):
    a, b = sample_month(LAST, tmp_path / "a"), _other_sources(tmp_path / "b")
    expected = {}
    for name, sources in (("a", a), ("b", b)):  # each alone first: its own figures
        proc = _start(sources, tmp_path / f"alone-{name}")
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        expected[name] = json.loads(out)["revenue_total"]
    assert expected["a"] != expected["b"]
    shared = tmp_path / "shared"
    for _ in range(2):
        procs = {"a": _start(a, shared), "b": _start(b, shared)}
        outputs = {name: p.communicate(timeout=300) for name, p in procs.items()}
        done = {name: (procs[name].returncode, *outputs[name]) for name in procs}
        assert any(code == 0 for code, _, _ in done.values()), done
        for name, (code, out, err) in done.items():
            if code == 0:
                assert json.loads(out)["revenue_total"] == expected[name], "a run printed figures not its own"
            else:
                assert code == 3 and f"Month {LAST} is being processed by another run (pid" in err, err
        manifest = json.loads((shared / "output" / LAST / "manifest.json").read_text())
        assert manifest["revenue_total"] in expected.values()


def test_a_run_refuses_at_once_while_the_month_is_locked(paths):
    script = (
        "import sys, time; from bottleneck_core.config import Paths; from bottleneck_core.locks import month_lock\n"
        f"p = Paths.for_month({LAST!r}, sources={str(paths.sources)!r}, work_root={str(paths.work.parent)!r}, "
        f"output_root={str(paths.output.parent)!r})\n"
        "with month_lock(p):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = invoke("run", *month_options(paths))
        assert (
            result.exit_code == 3 and f"pid {holder.pid}" in result.stderr and "en cours de traitement" in result.stderr
        )
    finally:
        holder.kill()
        holder.wait()
    assert invoke("run", *month_options(paths)).exit_code == 0  # free again once the holder is gone


# --- folders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layout",
    ["out is the sources' parent", "work is the sources' parent", "work and out share a root", "sources inside work"],
)
def test_overlapping_folders_are_refused_and_nothing_is_touched(layout, tmp_path):
    sources = sample_month(LAST, tmp_path)
    before = {p.name: p.read_bytes() for p in sources.iterdir()}
    work, out = tmp_path / "work", tmp_path / "output"
    if layout == "out is the sources' parent":
        out = sources.parent
    elif layout == "work is the sources' parent":
        work = sources.parent
    elif layout == "work and out share a root":
        work = out = tmp_path / "data"
    else:
        shutil.copytree(sources, tmp_path / "work" / LAST / "src")
        sources = tmp_path / "work" / LAST / "src"
    result = invoke("run", "--month", LAST, "--sources", sources, "--work", work, "--out", out)
    assert result.exit_code == 5, result.stderr
    assert "overlap" in result.stderr and "se chevauchent" in result.stderr
    assert {p.name: p.read_bytes() for p in sources.iterdir() if p.is_file()} == before


def test_a_work_folder_not_made_by_the_tool_is_never_deleted(paths):
    paths.work.mkdir(parents=True)
    (paths.work / "thesis.docx").write_text("years of work")
    result = invoke("run", *month_options(paths))
    assert result.exit_code == 3 and "Refusing to delete" in result.stderr and "refusée" in result.stderr
    assert (paths.work / "thesis.docx").read_text() == "years of work"


def test_the_tool_deletes_its_own_work_folder(paths):
    assert invoke("run", *month_options(paths)).exit_code == 0
    assert (paths.work / ".bottleneck-work").exists()
    (paths.work / "erp_raw.parquet").write_bytes(b"stale")
    assert invoke("run", *month_options(paths)).exit_code == 0  # reset, then rebuilt


# --- stale tables ----------------------------------------------------------------------------


def test_stale_tables_never_publish(paths):
    """The issue's sequence: a bad file, then `step extract_erp`, `check extract_erp`, `step export`."""
    assert invoke("run", *month_options(paths)).exit_code == 0
    good = published(paths)
    faults.break_month(paths.sources, "text-price")
    assert invoke("step", "extract_erp", *month_options(paths)).exit_code == 2
    result = invoke("check", "extract_erp", *month_options(paths))
    assert result.exit_code == 3 and "erp_raw.parquet not found" in result.stderr  # no old table checked instead
    result = invoke("step", "export", *month_options(paths))
    assert result.exit_code == 3 and "No quality-gate results for step 'extract_erp'" in result.stderr
    assert published(paths) == good


def test_a_step_run_again_invalidates_everything_after_it(paths):
    assert invoke("run", *month_options(paths)).exit_code == 0
    good = published(paths)
    faults.break_month(paths.sources, "negative-prices")  # a readable file with other figures
    assert invoke("step", "extract_erp", *month_options(paths)).exit_code == 0
    assert invoke("check", "extract_erp", *month_options(paths)).exit_code == 0
    for table in ("erp_clean", "erp_dedup", "merged", "revenue", "premium", "ordinary"):
        assert not paths.table(table).exists(), f"{table} survived a new extract_erp"
    assert not paths.checks_file("merge").exists()
    for step in ("clean_erp", "merge", "premium", "export"):  # every later stamp, verdict and fact
        assert not paths.stamp_file(step).exists() and not paths.checks_file(step).exists()
        assert not paths.facts_file(step).exists(), step
    assert paths.checks_file("clean_web").exists() and paths.table("web_clean").exists(), "another branch is kept"
    result = invoke("step", "export", *month_options(paths))
    assert result.exit_code == 3 and "No quality-gate results for step 'clean_erp'" in result.stderr
    assert published(paths) == good


def test_export_refuses_gates_recorded_on_other_tables(paths):
    assert invoke("run", *month_options(paths)).exit_code == 0
    good = published(paths)
    table = paths.table("revenue")
    copy = table.with_name("copy.parquet")
    shutil.copy(table, copy)
    os.replace(copy, table)  # same content, but not the table the gates saw
    result = invoke("step", "export", *month_options(paths))
    assert result.exit_code == 3 and "changed after its quality gates ran" in result.stderr
    assert "ont changé après ses contrôles qualité" in result.stderr
    assert published(paths) == good


def test_step_with_check_runs_its_gates_in_the_same_process(paths):
    result = invoke("step", "extract_erp", *month_options(paths), "--check", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["rows"]["erp_raw"] > 0 and data["checks"][0]["name"] == "erp_raw_has_rows"
    faults.break_month(paths.sources, "blank-prices")
    assert invoke("step", "extract_erp", *month_options(paths)).exit_code == 0
    result = invoke("step", "clean_erp", *month_options(paths), "--check")
    assert result.exit_code == 1 and "erp_prices_present" in result.stdout + result.stderr


# --- command line ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "1e9"])
def test_absurd_thresholds_are_refused(value, paths):
    result = invoke("run", *month_options(paths), "--threshold", value)
    assert result.exit_code == 5 and "finite z-score" in result.stderr and "z-score fini" in result.stderr
    result = invoke("run", *month_options(paths), env={"BOTTLENECK_PREMIUM_Z": value})
    assert result.exit_code == 5 and "BOTTLENECK_PREMIUM_Z" in result.stderr
    assert not paths.output.exists()


@pytest.mark.parametrize(
    "month",
    ["２０２６-10", "2026-1", "26-10", "2026-1O"],
    ids=["wide digits", "one digit", "two-digit year", "letter O"],
)
def test_months_are_ascii_yyyy_mm(month):
    result = invoke("run", "--month", month)
    assert result.exit_code == 5 and "AAAA-MM" in result.stderr


@pytest.mark.parametrize(
    "args", [["run"], ["step", "transmogrify", "--month", LAST], ["run", "--month", LAST, "--bogus"], ["nope"]]
)
def test_usage_errors_exit_5(args):
    assert invoke(*args).exit_code == 5


def test_an_os_error_names_the_path_and_exits_3(paths, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke("run", "--month", LAST, "--sources", paths.sources, "--work", paths.work.parent, "--out", blocker)
    assert result.exit_code == 3 and str(blocker) in result.stderr and "Erreur système" in result.stderr


def test_lang_is_accepted_after_the_subcommand_and_french_is_french(paths):
    # a real process: under pytest, logging goes to pytest's own handlers
    args = [str(Path(sys.executable).parent / "bottleneck"), "run", *map(str, month_options(paths)), "--lang", "fr"]
    env = {k: v for k, v in os.environ.items() if k != "BOTTLENECK_LANG"}
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Chiffre d'affaires total : " in result.stdout and "\u00a0€" in result.stdout
    assert "AVERTISSEMENT [erp_price_not_negative] échoué : " in result.stderr
    assert "WARNING" not in result.stderr and "failed:" not in result.stderr


def test_check_prints_each_result_once(paths):
    assert invoke("run", *month_options(paths)).exit_code == 0
    result = invoke("check", "clean_erp", *month_options(paths))
    assert result.exit_code == 0
    text = result.stdout + result.stderr
    assert text.count("erp_price_not_negative") == 1, text
