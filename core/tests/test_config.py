"""The month's folders (config.Paths): where they are by default, what the environment changes,
and the refusal of folders that overlap, word for word in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bottleneck_core.config import Paths, check_separate
from bottleneck_core.errors import UsageProblem


@pytest.fixture
def no_folder_variables(monkeypatch):
    for name in ("BOTTLENECK_DATA_DIR", "BOTTLENECK_WORK_DIR", "BOTTLENECK_OUTPUT_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_default_folders_are_under_data(no_folder_variables):
    paths = Paths.for_month("2026-10")
    assert (paths.sources, paths.work, paths.output) == (
        Path("data/sources/2026-10"),
        Path("data/work/2026-10"),
        Path("data/output/2026-10"),
    )
    assert paths.table("merged") == Path("data/work/2026-10/merged.parquet")
    assert paths.checks_file("merge") == Path("data/work/2026-10/checks/merge.json")
    assert paths.facts_file("merge") == Path("data/work/2026-10/facts/merge.json")
    assert paths.stamp_file("merge") == Path("data/work/2026-10/stamps/merge.json")


def test_the_environment_moves_the_folders(no_folder_variables, tmp_path):
    no_folder_variables.setenv("BOTTLENECK_DATA_DIR", str(tmp_path / "kit"))
    paths = Paths.for_month("2026-10")
    assert (paths.sources, paths.work, paths.output) == (
        tmp_path / "kit" / "sources" / "2026-10",
        tmp_path / "kit" / "work" / "2026-10",
        tmp_path / "kit" / "output" / "2026-10",
    )
    no_folder_variables.setenv("BOTTLENECK_WORK_DIR", str(tmp_path / "scratch"))
    no_folder_variables.setenv("BOTTLENECK_OUTPUT_DIR", str(tmp_path / "reports"))
    paths = Paths.for_month("2026-10")
    assert (paths.work, paths.output) == (tmp_path / "scratch" / "2026-10", tmp_path / "reports" / "2026-10")
    options = Paths.for_month("2026-10", sources="in", work_root="w", output_root="o")  # options come first
    assert (options.sources, options.work, options.output) == (Path("in"), Path("w/2026-10"), Path("o/2026-10"))


def test_overlapping_folders_are_refused_naming_both(tmp_path):
    paths = Paths.for_month("2026-10", sources=tmp_path / "in", work_root=tmp_path / "in", output_root=tmp_path / "out")
    with pytest.raises(UsageProblem) as info:
        check_separate(paths)
    sources, work = tmp_path / "in", tmp_path / "in" / "2026-10"
    assert (info.value.en, info.value.fr) == (
        f"The sources folder ({sources}) and the work folder ({work}) overlap: "
        "sources, work and output must be three separate folders, none inside another.",
        f"Le dossier des sources ({sources}) et le dossier de travail ({work}) se chevauchent : "
        "sources, travail et sortie doivent être trois dossiers distincts, aucun dans un autre.",
    )
    check_separate(
        Paths.for_month("2026-10", sources=tmp_path / "a", work_root=tmp_path / "b", output_root=tmp_path / "c")
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 100.0])
def test_an_absurd_threshold_is_refused_naming_the_option(value):
    from bottleneck_core.config import THRESHOLD_RANGE, check_threshold

    low, high = THRESHOLD_RANGE
    with pytest.raises(UsageProblem) as info:
        check_threshold(value)
    assert (info.value.en, info.value.fr) == (
        f"--threshold={value!r}: expected a finite z-score between {low:g} and {high:g} (e.g. 2).",
        f"--threshold={value!r} : attendu un z-score fini entre {low:g} et {high:g} (par ex. 2).",
    )
    assert check_threshold(2) == 2.0 and isinstance(check_threshold(2), float)
