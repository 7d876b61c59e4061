"""The docs stay true: figures the demo prints, bilingual twins, the CI command, the port map."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README, README_FR = (REPO / "README.md").read_text(), (REPO / "README.fr.md").read_text()


def tracked(pattern: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", pattern], cwd=REPO, capture_output=True, text=True).stdout.split()
    return [REPO / p for p in out] or list(REPO.glob(f"**/{pattern}"))


def test_demo_figures_in_both_readmes_are_what_the_pipeline_prints(tmp_path):
    month = re.search(r"^MONTH \?= (\S+)", (REPO / "Makefile").read_text(), re.M).group(1)
    import json

    from bottleneck_testkit import core_outputs, sample_month

    manifest = json.loads((core_outputs(month, sample_month(month, tmp_path), tmp_path) / "manifest.json").read_text())
    for text in (README, README_FR):
        assert f"Revenue total: {manifest['revenue_total']} €" in text
        assert f"Premium wines: {manifest['premium_count']}   Ordinary wines: {manifest['ordinary_count']}" in text
        assert f"data/output/{month}/revenue_report.xlsx" in text and f"sample month {month}" in README


def test_ci_runs_the_readme_test_command():
    command = re.search(r"^(make \w+)\s+# sets up every virtualenv", README, re.M).group(1)
    assert command in (REPO / ".ci" / "run").read_text()
    assert command in README_FR


@pytest.mark.parametrize(
    "english", [p for p in tracked("*.md") if not p.name.endswith(".fr.md")], ids=lambda p: str(p.relative_to(REPO))
)
def test_every_english_doc_has_a_french_twin(english):
    twin = english.with_name(english.name[:-3] + ".fr.md")
    assert twin.exists(), f"{twin.relative_to(REPO)} missing"


def test_port_map_matches_the_compose_files():
    compose_text = "".join(p.read_text() for p in (REPO / "compose").glob("*.yml"))
    found = re.findall(r"`(\w+)_PORT=(\d+)`", (REPO / "compose" / "README.md").read_text())
    assert {"KESTRA", "AIRFLOW", "DAGSTER", "PREFECT", "MAILPIT", "MINIO", "MINIO_CONSOLE", "WAREHOUSE_DB"} <= {
        t for t, _ in found
    }
    for tool, port in found:
        assert f"${{{tool}_PORT:-{port}}}" in compose_text, tool
        assert f"{tool}_PORT={port}" in (REPO / ".env.example").read_text()
        # web pages as links; the warehouse database as host:port (psql, not a browser)
        where = f"127.0.0.1:{port}" if tool == "WAREHOUSE_DB" else f"http://127.0.0.1:{port}"
        assert where in README and where in README_FR, (tool, where)


@pytest.mark.parametrize("name", ["steps.md", "steps.fr.md"])
def test_step_map_lists_every_core_step_in_graph_order(name):
    from bottleneck_core import graph

    rows = re.findall(r"^\| `(\w+)` \|", (REPO / "docs" / name).read_text(), re.M)
    assert rows == [s.name for s in graph.STEPS]
