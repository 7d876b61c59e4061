"""The runner (runner.py) on its own: what each step records, what it refuses, what it deletes."""

from __future__ import annotations

import pytest

from bottleneck_core import graph, runner
from bottleneck_core.errors import PipelineError
from bottleneck_core.store import read_json, sha256


def test_an_extract_step_records_its_file_and_checksum(paths):
    facts = runner.run_step("extract_erp", paths)
    source = paths.sources / "erp.xlsx"
    assert read_json(paths.facts_file("extract_erp")) == {"file": "erp.xlsx", "sha256": sha256(source)}
    assert facts == {"step": "extract_erp", "rows": {"erp_raw": 830}, "file": "erp.xlsx", "sha256": sha256(source)}


@pytest.mark.parametrize(
    ("step", "missing", "producer"),
    [
        ("clean_erp", "erp_raw", "extract_erp"),
        ("dedup_web", "web_clean", "clean_web"),
        ("merge", "erp_dedup", "dedup_erp"),
    ],
)
def test_a_step_without_its_input_names_the_step_to_run_first(paths, step, missing, producer):
    with pytest.raises(PipelineError) as info:
        runner.run_step(step, paths)
    assert f"{missing}.parquet not found: run step '{producer}'" in info.value.en
    assert not paths.table(graph.get(step).outputs[0]).exists()


def test_the_export_step_records_the_total_and_where_the_reports_are(paths):
    manifest = runner.run_pipeline(paths)  # its own run: a shared one would hide a mutant of the export
    expected = {"revenue_total": manifest["revenue_total"], "output": str(paths.output)}
    assert read_json(paths.facts_file("export")) == expected
    for source, name in (("erp", "erp.xlsx"), ("link", "liaison.xlsx"), ("web", "web.xlsx")):
        assert manifest["sources"][source] == {"file": name, "sha256": sha256(paths.sources / name)}


def test_a_lost_stamp_stops_the_export_with_a_clear_error(paths):
    for step in graph.STEPS[:-1]:
        runner.run_step(step.name, paths)
        runner.run_checks(step.name, paths)
    paths.stamp_file("merge").unlink()  # the gates' record of which tables they saw
    with pytest.raises(PipelineError) as info:
        runner.run_step("export", paths)
    assert "step 'merge'" in info.value.en and "changed after its quality gates ran" in info.value.en
    assert "« merge »" in info.value.fr


def test_missing_gate_results_are_named_in_both_languages(paths):
    runner.run_step("extract_erp", paths)
    with pytest.raises(PipelineError) as info:
        runner.gate_results(paths, upto="clean_erp")
    assert "bottleneck check extract_erp" in info.value.en and "« extract_erp »" in info.value.fr


@pytest.mark.parametrize(
    ("entries", "deleted"),
    [
        ({"checks/": None, "facts/": None, "stamps/": None, "erp_raw.parquet": b"x", ".a.parquet.1.tmp": b"x"}, True),
        ({"erp_raw.parquet": b"x", "notes.txt": b"mine"}, False),
        ({"photos/": None}, False),
        ({"erp_raw.PARQUET": b"x"}, False),
    ],
    ids=["old work folder", "a file of mine", "a folder of mine", "not our suffix"],
)
def test_an_unmarked_work_folder_is_deleted_only_if_it_holds_nothing_but_work_files(paths, entries, deleted):
    paths.work.mkdir(parents=True)
    for name, data in entries.items():
        if data is None:
            (paths.work / name).mkdir()
        else:
            (paths.work / name).write_bytes(data)
    if deleted:
        runner.reset_work(paths)
        assert not paths.work.exists()
    else:
        with pytest.raises(PipelineError, match="Refusing to delete"):
            runner.reset_work(paths)
        assert sorted(p.name for p in paths.work.iterdir()) == sorted(n.rstrip("/") for n in entries)


def test_the_revenue_step_records_the_months_total(paths):
    for step in graph.STEPS[: graph.STEPS.index(graph.get("revenue"))]:  # graph order: its inputs first
        runner.run_step(step.name, paths)
    facts = runner.run_step("revenue", paths)
    expected = read_json(paths.sources / "reference.json")["revenue_total"]  # the generator's own figure
    assert facts["revenue_total"] == expected and read_json(paths.facts_file("revenue")) == {"revenue_total": expected}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_gate_result_is_logged_at_its_level_in_the_display_language(paths, caplog, monkeypatch, lang):
    import logging

    from bottleneck_core import checks
    from bottleneck_core.errors import GateFailed

    canned = [  # (status, level, en, fr), one per gate of the step, in order
        ("passed", "error", "fine", "bien"),
        ("failed", "warning", "odd", "bizarre"),
        ("skipped", "error", "not run", "non exécuté"),
        ("failed", "error", "broken", "cassé"),
    ]
    gates = list(graph.get("clean_erp").checks)  # eight gates: the first four get the canned results
    answers = iter(canned + [("passed", "error", "ok", "ok")] * (len(gates) - len(canned)))

    def evaluate(check, name, tables):
        status, level, en, fr = next(answers)
        return checks.CheckResult(check.name, name, level, status, en, fr)

    runner.run_step("extract_erp", paths)
    runner.run_step("clean_erp", paths)
    monkeypatch.setattr(checks, "evaluate", evaluate)
    monkeypatch.setenv("BOTTLENECK_LANG", lang)
    caplog.set_level(logging.INFO, logger="bottleneck")
    with pytest.raises(GateFailed):
        runner.run_checks("clean_erp", paths)
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name.startswith("bottleneck")]
    if lang == "fr":
        expected = [
            (logging.INFO, f"[{gates[0]}] réussi : bien"),
            (logging.WARNING, f"[{gates[1]}] échoué : bizarre"),
            (logging.INFO, f"[{gates[2]}] ignoré : non exécuté"),
            (logging.ERROR, f"[{gates[3]}] échoué : cassé"),
        ]
    else:
        expected = [
            (logging.INFO, f"[{gates[0]}] passed: fine"),
            (logging.WARNING, f"[{gates[1]}] failed: odd"),
            (logging.INFO, f"[{gates[2]}] skipped: not run"),
            (logging.ERROR, f"[{gates[3]}] failed: broken"),
        ]
    assert logged[: len(expected)] == expected
