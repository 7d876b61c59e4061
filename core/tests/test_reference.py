import json
import shutil

from bottleneck_core.checks import REGISTRY, Tables, evaluate
from bottleneck_core.config import Paths
from bottleneck_core.reference import FIGURES
from bottleneck_testkit import REPO

COURSE = REPO / "data" / "course" / "reference.json"


def test_course_reference_names_only_figures_the_gate_knows():
    reference = json.loads(COURSE.read_text())
    assert set(reference) - {"counts"} == set(FIGURES)
    assert reference["revenue_total"] == "70568.60" and reference["counts"]["merged"] == 714


def test_an_unknown_figure_fails_loudly(finished, tmp_path):
    for part in ("sources", "work"):
        shutil.copytree(getattr(finished, part), tmp_path / part)
    paths = Paths(finished.month, tmp_path / "sources", tmp_path / "work", tmp_path / "output")
    data = json.loads((paths.sources / "reference.json").read_text())
    data["counts"]["merge"] = 1  # a typo for "merged"
    (paths.sources / "reference.json").write_text(json.dumps(data))
    result = evaluate(REGISTRY["reference_values"], "premium", Tables(paths))
    assert result.status == "failed" and "merge: unknown figure" in result.message_en
