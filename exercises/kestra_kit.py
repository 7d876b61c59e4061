"""The kit's Kestra test tools, for the Kestra exercises' checkers (run in .venvs/kestra).

Loads kestra/tests/flow_harness.py (the stand-in for a Kestra executor) and
kestra/tests/test_flows_structure.py (the structural validator) by path, as kestra/tests does,
and runs a flow FILE of the exercise — not the kit's own flows/ folder.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml
from checklib import REPO

KIT_TESTS = REPO / "kestra" / "tests"


def _load(name: str, filename: str):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, KIT_TESTS / filename)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


fh = _load("bottleneck_kestra_flow_harness", "flow_harness.py")
structure = _load("bottleneck_kestra_flows_structure", "test_flows_structure.py")

# The structural validator's per-flow checks (kestra/tests/test_flows_structure.py, TestEveryFlow).
VALIDATOR_CHECKS = (
    "test_id_namespace_description",
    "test_types_and_properties_are_kestra_1_3",
    "test_ids_are_unique",
    "test_nothing_kestra_2_0_removed",
    "test_every_expression_is_understood_and_refers_to_something",
)


def validate(path: Path, skip: tuple[str, ...] = ()) -> list[str]:
    """Run the kit's structural validator on one flow file; return the failures (empty = valid)."""
    failures = []
    checks = structure.TestEveryFlow()
    for name in VALIDATOR_CHECKS + ("test_script_tasks_run_in_the_process_runner",):
        if name in skip:
            continue
        method = getattr(checks, name)
        try:
            method(path, fh) if "expression" in name else method(path)
        except BaseException as exc:  # AssertionError, pytest's Failed, KeyError on a malformed flow
            failures.append(f"{name}: {exc}".strip())
    return failures


def load_flow(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def script_tasks(flow: dict) -> list[tuple[dict, tuple]]:
    return [(t, parents) for t, parents in structure.all_tasks(flow) if t["type"] in structure.SCRIPT_TYPES]


def only_branch(flow: dict, branch: str) -> dict:
    """The flow cut down to one source branch (the checks need no more, and run faster)."""
    cut = copy.deepcopy(flow)
    parallel = cut["tasks"][0]
    parallel["tasks"] = [b for b in parallel["tasks"] if b["id"] == branch]
    cut["tasks"] = [parallel]
    return cut


def run_flow(flow: dict, data_dir: Path, storage: Path, inputs: dict | None = None, **env):
    """Run a flow (as a dict) in the harness, with the kit's data folder under ``data_dir``."""
    folder = Path(tempfile.mkdtemp(prefix="exercise-flows-", dir=storage))
    (folder / f"{flow['id']}.yml").write_text(yaml.safe_dump(flow, sort_keys=False), encoding="utf-8")
    worker = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BOTTLENECK_WORK_DIR", "BOTTLENECK_OUTPUT_DIR", "BOTTLENECK_ALERT_WEBHOOK", "BOTTLENECK_LANG")
    }
    worker |= {"BOTTLENECK_DATA_DIR": str(data_dir)} | env
    saved = fh.FLOWS
    fh.FLOWS = folder  # the harness reads flows from this folder: the exercise's, not the kit's
    try:
        return fh.Harness(env=worker, storage=storage).run(flow["id"], inputs or {}, fire_triggers=False)
    finally:
        fh.FLOWS = saved
        shutil.rmtree(folder, ignore_errors=True)


def explain(ex) -> str:
    failed = [r for r in ex.task_runs if r.state != "SUCCESS"]
    return "\n".join(f"{r.task_id}: {r.state}\n{r.stdout[-600:]}\n{r.stderr[-1200:]}" for r in failed)
