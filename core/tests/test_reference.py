import json
import shutil
from decimal import Decimal

import pytest

from bottleneck_core.checks import REGISTRY, Tables, evaluate
from bottleneck_core.config import Paths
from bottleneck_core.reference import FIGURES
from bottleneck_testkit import REPO

COURSE = REPO / "data" / "course" / "reference.json"


def test_course_reference_names_only_figures_the_gate_knows():
    reference = json.loads(COURSE.read_text())
    assert set(reference) - {"counts"} == set(FIGURES)
    assert reference["revenue_total"] == "70568.60" and reference["counts"]["merged"] == 714


def copy_of(finished, tmp_path):
    for part in ("sources", "work"):
        shutil.copytree(getattr(finished, part), tmp_path / part)
    return Paths(finished.month, tmp_path / "sources", tmp_path / "work", tmp_path / "output")


def gate_with(paths, change):
    data = json.loads((paths.sources / "reference.json").read_text())
    change(data)
    (paths.sources / "reference.json").write_text(json.dumps(data))
    return evaluate(REGISTRY["reference_values"], "premium", Tables(paths))


def test_an_unknown_figure_fails_loudly(finished, tmp_path):
    result = gate_with(copy_of(finished, tmp_path), lambda data: data["counts"].update(merge=1))  # "merged"
    assert result.status == "failed" and "merge: unknown figure" in result.message_en


def test_the_sample_month_matches_every_figure(finished, tmp_path):
    result = gate_with(copy_of(finished, tmp_path), lambda data: None)
    expected = json.loads((finished.sources / "reference.json").read_text())
    assert result.status == "passed", result.message_en
    assert f"all {len(expected['counts']) + len(FIGURES)} match" in result.message_en


@pytest.mark.parametrize("figure", FIGURES)
def test_each_figure_one_cent_off_fails_and_is_named(finished, tmp_path, figure):
    def off_by_a_cent(data):
        data[figure] = str(Decimal(data[figure]) + Decimal("0.01"))

    result = gate_with(copy_of(finished, tmp_path), off_by_a_cent)
    assert result.status == "failed"
    [mismatch] = result.evidence["mismatches"]
    assert mismatch.startswith(f"{figure}: ") and figure in result.message_en and figure in result.message_fr


def test_counts_are_compared_and_may_be_left_out(finished, tmp_path):
    paths = copy_of(finished, tmp_path)
    result = gate_with(paths, lambda data: data["counts"].update(merged=data["counts"]["merged"] + 1))
    assert result.status == "failed" and result.evidence["mismatches"] == ["merged: 719 != 720"]
    result = gate_with(paths, lambda data: data.pop("counts"))
    assert result.status == "passed" and f"all {len(FIGURES)} match" in result.message_en


def test_no_reference_file_skips_the_gate(finished, tmp_path):
    paths = copy_of(finished, tmp_path)
    (paths.sources / "reference.json").unlink()
    result = evaluate(REGISTRY["reference_values"], "premium", Tables(paths))
    assert result.status == "skipped" and result.evidence["mismatches"] == []
