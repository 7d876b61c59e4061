"""The failure lab: each catalogued fault stops `bottleneck run` where the catalogue says, and
`--restore` gives back the pristine files byte for byte."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bottleneck_core import faults
from bottleneck_core.cli import main

from .conftest import LAST


def invoke(*args, env=None):
    # BOTTLENECK_LANG listed so that CliRunner restores it: `--lang` sets it for the process
    return CliRunner().invoke(main, [str(a) for a in args], env={"BOTTLENECK_LANG": None, **(env or {})})


def snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("name", faults.FAULTS)
def test_each_fault_stops_where_the_catalogue_says(name, tmp_path, sources):
    fault = faults.FAULTS[name]
    before = snapshot(sources)
    assert invoke("break", "--month", LAST, "--sources", sources, "--fault", name).exit_code == 0
    assert snapshot(sources) != before, "the fault changed nothing"
    result = invoke("run", "--month", LAST, "--sources", sources, "--work", tmp_path / "w", "--out", tmp_path / "o")
    assert result.exit_code == fault.exit_code, result.stderr
    assert "Traceback" not in result.stderr
    if fault.gate:
        assert f"after step '{fault.step}'" in result.stderr and f"[{fault.gate}]" in result.stderr, result.stderr
    else:
        done = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("✓")]
        assert fault.step not in done and all(graph_index(s) < graph_index(fault.step) for s in done), result.stderr
    assert not (tmp_path / "o" / LAST).exists()
    assert invoke("break", "--month", LAST, "--sources", sources, "--restore").exit_code == 0
    assert snapshot(sources) == before
    assert not (sources / faults.PRISTINE).exists()


def graph_index(step):
    from bottleneck_core import graph

    return [s.name for s in graph.STEPS].index(step)


def test_breaking_twice_keeps_the_first_pristine_copy(sources):
    before = snapshot(sources)
    faults.break_month(sources, "missing-web")
    faults.break_month(sources, "bad-header")
    assert (sources / "web.xlsx").exists(), "a second fault starts again from the pristine files"
    assert faults.restore(sources) and snapshot(sources) == before


def test_restore_without_a_break_says_so(sources):
    result = invoke("--lang", "fr", "break", "--month", LAST, "--sources", sources, "--restore")
    assert result.exit_code == 0 and "rien à restaurer" in result.stdout


def test_list_names_every_fault_and_its_stop_in_both_languages():
    en, fr = invoke("break", "--list").stdout, invoke("break", "--list", "--lang", "fr").stdout
    for fault in faults.FAULTS.values():
        assert fault.name in en and fault.en in en and fault.fr in fr
    assert "gate erp_prices_present after step clean_erp" in en
    assert "contrôle erp_prices_present après l'étape clean_erp" in fr


def test_break_usage_errors_exit_5(sources):
    assert invoke("break", "--month", LAST, "--sources", sources).exit_code == 5
    assert invoke("break", "--month", LAST, "--sources", sources, "--fault", "nope").exit_code == 5
