"""The step graph is coherent, and everything that follows it (functions, checks, docs) agrees with it."""

from __future__ import annotations

import importlib.util
import shutil
import xml.etree.ElementTree as ET

import pytest

from bottleneck_core import graph, lineage, runner
from bottleneck_core.checks import REGISTRY, recorded_results
from bottleneck_core.config import Paths
from bottleneck_testkit import REPO


def test_every_step_has_a_function_and_every_function_a_step():
    assert set(runner.FUNCTIONS) == set(graph.BY_NAME)


def test_every_check_is_defined_once_and_attached_to_one_step():
    attached = [c for s in graph.STEPS for c in s.checks]
    assert sorted(attached) == sorted(set(attached)) == sorted(REGISTRY)


def test_inputs_are_produced_by_an_earlier_step():
    seen = set()
    for step in graph.STEPS:
        for item in step.inputs:
            assert item.startswith("source:") or item in seen, f"{step.name} reads {item} before it exists"
        seen.update(step.outputs)


def test_three_independent_source_branches():
    for branch in ("erp", "link", "web"):
        names = [s.name for s in graph.STEPS if s.branch == branch]
        assert names == [f"extract_{branch}", f"clean_{branch}", f"dedup_{branch}"]
        assert graph.upstream(names[0]) == ()
        assert all(b == branch for n in names for b in [graph.get(u).branch for u in graph.upstream(n)])
    assert graph.upstream("merge") == ("dedup_erp", "dedup_link", "dedup_web")


def ancestors(name: str) -> set[str]:
    found, todo = set(), list(graph.upstream(name))
    while todo:
        step = todo.pop()
        if step not in found:
            found.add(step)
            todo.extend(graph.upstream(step))
    return found


def test_the_branches_meet_at_merge_and_the_rest_is_a_chain():
    """premium reads revenue's table: its gate reference_values compares the whole month."""
    assert [graph.upstream(name) for name in ("revenue", "premium", "export")] == [
        ("merge",),
        ("revenue",),
        ("revenue", "premium"),
    ]


@pytest.mark.parametrize("step", [s.name for s in graph.STEPS])
def test_gates_read_only_tables_of_their_step_and_its_ancestors(step, finished, tmp_path):
    """An orchestrator runs a step's gates as soon as the step is done, side by side with any step
    that does not depend on it: a gate that read another branch's table would race with it.
    The gates run here in a work folder holding only the tables their step may see."""
    visible = {step, *ancestors(step)}
    work = tmp_path / "work" / finished.month
    shutil.copytree(finished.work, work)
    for table in graph.TABLES:
        if graph.PRODUCERS[table] not in visible:
            (work / f"{table}.parquet").unlink()
    for folder in ("facts", "checks", "stamps"):
        for file in (work / folder).glob("*.json"):
            if file.stem not in visible:
                file.unlink()
    paths = Paths.for_month(
        finished.month, sources=finished.sources, work_root=tmp_path / "work", output_root=finished.output.parent
    )
    results = runner.run_checks(step, paths, log_results=False)
    recorded = {r.name: r.status for r in recorded_results(finished, step)}
    assert {r.name: r.status for r in results} == recorded


def test_only_reading_and_publishing_steps_are_retried():
    assert [s.name for s in graph.STEPS if s.io] == ["extract_erp", "extract_link", "extract_web", "export"]


def test_every_step_is_described_in_both_languages():
    for step in graph.STEPS:
        assert step.en and step.fr and step.en != step.fr


def test_lineage_draws_every_node_and_edge():
    root = ET.fromstring(lineage.drawio())
    cells = root.iter("mxCell")
    ids = {c.get("id") for c in cells}
    assert {s.name for s in graph.STEPS} <= ids and set(graph.TABLES) <= ids
    edges = sum(len(s.inputs) + len(s.outputs) for s in graph.STEPS)
    assert lineage.mermaid().count("-->") == edges


def script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_lineage_docs_are_up_to_date():
    for path, text in script("lineage_docs").files().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `make lineage`"


def test_committed_kestra_flow_is_generated_from_the_graph():
    module = script("kestra_flow")
    assert module.FLOW.read_text(encoding="utf-8") == module.render(), (
        "kestra/flows/bottleneck_monthly.yml is stale: run `make lineage`"
    )


def test_the_generated_kestra_flow_follows_the_graph():
    """Every step and gate as a task, in graph order, the source branches in parallel, retries
    on I/O steps only, export's reports as output files: all read back from the YAML."""
    import yaml

    flow = yaml.safe_load(script("kestra_flow").render())
    (parallel, *top) = flow["tasks"]
    assert parallel["type"] == "io.kestra.plugin.core.flow.Parallel"
    branches = {b["id"]: [t["id"] for t in b["tasks"]] for b in parallel["tasks"]}
    for branch, ids in branches.items():
        steps = [s for s in graph.STEPS if s.branch == branch.removesuffix("_branch")]
        assert ids == [i for s in steps for i in (s.name, f"check_{s.name}")]
    rest = [s for s in graph.STEPS if not s.branch]
    assert [t["id"] for t in top][: 2 * len(rest)] == [i for s in rest for i in (s.name, f"check_{s.name}")]
    tasks = {t["id"]: t for b in parallel["tasks"] for t in b["tasks"]} | {t["id"]: t for t in top}
    for step in graph.STEPS:
        assert ("retry" in tasks[step.name]) == step.io and "retry" not in tasks[f"check_{step.name}"], step.name
        assert tasks[step.name]["description"] == step.en
        assert tasks[f"check_{step.name}"]["description"].endswith(": " + ", ".join(step.checks) + ".")
        assert tasks[step.name]["commands"][0] == f"bottleneck step {step.name} --month {{{{ render(vars.month) }}}}"
    assert tasks["export"]["outputFiles"] == list(graph.get("export").outputs)
