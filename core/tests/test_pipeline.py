"""End to end: every sample month against its reference values, determinism, atomic publish,
and step-by-step execution (as orchestrators do it) giving the same bytes as one run."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from bottleneck_core import graph, reports
from bottleneck_core.cli import main
from bottleneck_core.config import Paths
from bottleneck_core.errors import GateFailed, PipelineError
from bottleneck_core.runner import run_checks, run_pipeline, run_step
from bottleneck_testkit import SAMPLE_MONTHS, assert_same_outputs, core_outputs, month_options, sample_month

from .conftest import LAST


@pytest.mark.parametrize("month", SAMPLE_MONTHS)
def test_sample_month_matches_its_reference_values(month, tmp_path):
    output = core_outputs(month, sample_month(month, tmp_path), tmp_path)
    manifest = json.loads((output / "manifest.json").read_text())
    reference = json.loads((tmp_path / "sources" / month / "reference.json").read_text())
    for table, count in reference["counts"].items():
        assert manifest["rows"][table] == count, table
    assert Decimal(manifest["revenue_total"]) == Decimal(reference["revenue_total"])
    assert manifest["premium_count"] == reference["counts"]["premium"]
    assert {c["name"]: c["status"] for c in manifest["checks"]}["reference_values"] == "passed"
    assert sorted(p.name for p in output.iterdir()) == sorted([*reports.REPORT_FILES, "manifest.json"])


def test_same_inputs_give_the_same_bytes(tmp_path, sources):
    first = core_outputs(LAST, sources, tmp_path / "one")
    second = core_outputs(LAST, sources, tmp_path / "two")
    assert_same_outputs(first, second)
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_money_is_written_exactly(finished):
    manifest = json.loads((finished.output / "manifest.json").read_text())
    total = Decimal(manifest["revenue_total"])
    assert total == total.quantize(Decimal("0.01"))
    lines = (finished.output / "premium_wines.csv").read_text().splitlines()[1:]
    assert all(len(line.split(",")[-2].split(".")[1]) == 2 for line in lines)


def test_a_failure_while_writing_reports_leaves_the_last_good_output(tmp_path, sources, monkeypatch):
    output = core_outputs(LAST, sources, tmp_path)
    before = {p.name: p.read_bytes() for p in output.iterdir()}

    def half_written(wines, path):
        path.write_text("product_id,sku\n1,")
        raise OSError("disk full (injected)")

    monkeypatch.setattr(reports, "write_wines_csv", half_written)
    with pytest.raises(OSError, match="injected"):
        core_outputs(LAST, sources, tmp_path)
    assert {p.name: p.read_bytes() for p in output.iterdir()} == before
    assert [p.name for p in output.parent.iterdir()] == [LAST], "no staging folder left behind"


def test_a_first_failed_run_publishes_nothing(tmp_path, sources, monkeypatch):
    monkeypatch.setattr(reports, "write_revenue_xlsx", lambda *a: (_ for _ in ()).throw(OSError("injected")))
    with pytest.raises(OSError):
        core_outputs(LAST, sources, tmp_path)
    assert not any((tmp_path / "output").iterdir())


def test_steps_one_by_one_through_the_cli_give_the_same_bytes(tmp_path, finished):
    runner = CliRunner()
    options = [
        "--month",
        LAST,
        "--sources",
        str(finished.sources),
        "--work",
        str(tmp_path / "work"),
        "--out",
        str(tmp_path / "output"),
    ]
    for step in graph.STEPS:
        for command in ("step", "check"):
            result = runner.invoke(main, [command, step.name, *options])
            assert result.exit_code == 0, (command, step.name, result.output, result.stderr)
    assert_same_outputs(finished.output, tmp_path / "output" / LAST)


def test_export_refuses_to_publish_without_gate_results(tmp_path, sources):
    paths = Paths.for_month(LAST, sources=sources, work_root=tmp_path / "w", output_root=tmp_path / "o")
    for step in graph.STEPS[:-1]:
        run_step(step.name, paths)
    with pytest.raises(PipelineError, match="No quality-gate results for step 'extract_erp'"):
        run_step("export", paths)
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_rerunning_a_step_invalidates_its_old_verdict(paths):
    run_step("extract_erp", paths)
    run_checks("extract_erp", paths)
    assert paths.checks_file("extract_erp").exists()
    run_step("extract_erp", paths)
    assert not paths.checks_file("extract_erp").exists()


def test_a_failed_gate_stops_the_run_before_the_next_step(paths):
    from bottleneck_testkit import break_prices

    break_prices(paths.sources)
    with pytest.raises(GateFailed) as info:
        run_pipeline(paths)
    assert info.value.step == "clean_erp"
    assert [r.name for r in info.value.failures] == ["erp_prices_present"]
    assert not paths.table("erp_dedup").exists()


def test_threshold_is_configurable(tmp_path, sources):
    paths = Paths.for_month(LAST, sources=sources, work_root=tmp_path / "w", output_root=tmp_path / "o")
    reference = json.loads((sources / "reference.json").read_text())
    (sources / "reference.json").unlink()  # its premium count is for the default threshold, 2
    manifest = run_pipeline(paths, threshold=1.0)
    assert manifest["premium_threshold"] == 1.0
    assert manifest["premium_count"] > reference["counts"]["premium"]
    assert manifest["premium_count"] + manifest["ordinary_count"] == manifest["rows"]["merged"]


def test_duckdb_threads_do_not_change_a_byte(tmp_path, sources, monkeypatch):
    monkeypatch.setenv("BOTTLENECK_DUCKDB_THREADS", "1")
    one = core_outputs(LAST, sources, tmp_path / "one")
    monkeypatch.setenv("BOTTLENECK_DUCKDB_THREADS", "4")
    four = core_outputs(LAST, sources, tmp_path / "four")
    for path in one.iterdir():
        assert path.read_bytes() == (four / path.name).read_bytes(), path.name


def test_max_unmatched_option_reaches_the_merge_gate(tmp_path, sources, monkeypatch):
    monkeypatch.setenv("BOTTLENECK_MAX_UNMATCHED", "0.05")  # the option below overrides it; teardown restores it
    args = month_options(
        Paths.for_month(LAST, sources=sources, work_root=tmp_path / "work", output_root=tmp_path / "out")
    )
    assert CliRunner().invoke(main, ["run", *args]).exit_code == 0
    result = CliRunner().invoke(main, ["check", "merge", *args, "--max-unmatched", "0.25", "--json"])
    share = next(c for c in json.loads(result.stdout) if c["name"] == "merged_unmatched_share")
    assert share["evidence"]["max_unmatched"] == 0.25 and "25.0 %" in share["message_en"]
