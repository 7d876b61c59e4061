"""Core's own reports for the parity months, recorded for scripts/parity.py under the name "core".

The in-process run (what the wrappers' tests compare with) and the `bottleneck run` command
must write byte-identical reports; the manifests kept here are the reference every wrapper's
virtualenv is compared with at the end of `make test`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bottleneck_testkit as testing
from bottleneck_core.config import Paths


@pytest.mark.parametrize("month", testing.PARITY_MONTHS)
def test_core_in_process_and_cli_runs_are_identical(month, tmp_path):
    sources = testing.sample_month(month, tmp_path / "data")
    expected = testing.core_outputs(month, sources, tmp_path / "in-process")
    cli = Path(sys.executable).with_name("bottleneck")
    paths = Paths.for_month(
        month, sources=sources, work_root=tmp_path / "cli" / "work", output_root=tmp_path / "cli" / "output"
    )
    done = subprocess.run(
        [str(cli), "run", *testing.month_options(paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    testing.assert_same_outputs(expected, tmp_path / "cli" / "output" / month)


def test_parity_months_are_sample_months():
    assert set(testing.PARITY_MONTHS) <= set(testing.SAMPLE_MONTHS)


def _parity(folder: Path, *args: str) -> subprocess.CompletedProcess:
    script = Path(__file__).resolve().parents[1] / "scripts" / "parity.py"
    return subprocess.run([sys.executable, str(script), str(folder), *args], capture_output=True, text=True, timeout=60)


def _manifests(folder: Path, venvs, months=testing.PARITY_MONTHS, body=b'{"same": 1}') -> None:
    for month in months:
        (folder / month).mkdir(parents=True, exist_ok=True)
        for venv in venvs:
            (folder / month / f"{venv}-0000abcd.json").write_bytes(body)


ALL = ("core", "kestra", "airflow", "dagster", "prefect")
WAREHOUSE = "warehouse-2026-08+2026-09+2026-10"  # what testing.keep_warehouse_for_parity writes


def _dumps(folder: Path, venvs, body=b"abc\n") -> None:
    (folder / WAREHOUSE).mkdir(parents=True, exist_ok=True)
    for venv in venvs:
        (folder / WAREHOUSE / f"{venv}-0000abcd.sha256").write_bytes(body)


def test_parity_script_names_all_five_when_they_agree(tmp_path):
    _manifests(tmp_path, ALL)
    _dumps(tmp_path, ALL[1:])
    done = _parity(tmp_path, "--require", ",".join(ALL))
    assert done.returncode == 0, done.stdout
    assert "parity 2026-10: identical reports from core, kestra, airflow, dagster, prefect" in done.stdout
    assert f"parity {WAREHOUSE}: identical warehouses from kestra, airflow, dagster, prefect" in done.stdout


def test_parity_script_fails_when_a_warehouse_is_missing_or_differs(tmp_path):
    _manifests(tmp_path, ALL)
    _dumps(tmp_path, ("kestra", "airflow", "dagster"))
    done = _parity(tmp_path, "--require", ",".join(ALL))
    assert done.returncode == 1 and f"PARITY FAILURE {WAREHOUSE}: no reports from prefect" in done.stdout
    _dumps(tmp_path, ("prefect",), body=b"abd\n")
    done = _parity(tmp_path, "--require", ",".join(ALL))
    assert done.returncode == 1 and "2 different manifests" in done.stdout


def test_parity_script_fails_when_a_wrapper_is_missing_for_a_parity_month(tmp_path):
    _manifests(tmp_path, ("core", "kestra", "airflow", "prefect"))
    done = _parity(tmp_path, "--require", ",".join(ALL))
    assert done.returncode == 1
    assert "PARITY FAILURE 2026-09: no reports from dagster" in done.stdout


def test_parity_script_fails_when_a_parity_month_is_absent(tmp_path):
    _manifests(tmp_path, ALL, months=("2026-10",))
    done = _parity(tmp_path, "--require", ",".join(ALL))
    assert done.returncode == 1 and "PARITY FAILURE 2026-09: no reports from core" in done.stdout


def test_parity_script_fails_on_different_reports(tmp_path):
    _manifests(tmp_path, ALL)
    (tmp_path / "2026-10" / "airflow-1111aaaa.json").write_bytes(b'{"same": 2}')
    done = _parity(tmp_path, "--require", ",".join(ALL))
    assert done.returncode == 1 and "2 different manifests" in done.stdout
