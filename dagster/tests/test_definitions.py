"""The definitions load, and the asset graph is core's step graph, one asset per step output."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

import bottleneck_testkit as testing
from bottleneck_core import graph
from bottleneck_core.config import previous_month
from bottleneck_core.warehouse import STEPS as WAREHOUSE_STEPS
from bottleneck_dagster.core_steps import MONTHLY, STEP_TAG, asset_name
from bottleneck_dagster.defs.warehouse import ASSET_OF


def test_definitions_load(defs):
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("bottleneck_monthly")
    assert defs.resolve_sensor_def("alert_on_failure")
    assert defs.resolve_sensor_def("email_on_failure")


def test_one_asset_per_step_output(defs):
    asset_graph = defs.resolve_asset_graph()
    expected = {asset_name(out): step.name for step in graph.STEPS for out in step.outputs}
    expected |= {ASSET_OF[step.name]: f"warehouse.{step.name}" for step in WAREHOUSE_STEPS}
    found = {key.to_user_string(): asset_graph.get(key).metadata[STEP_TAG] for key in asset_graph.get_all_asset_keys()}
    assert found == expected


def test_dependencies_follow_core_graph(defs):
    asset_graph = defs.resolve_asset_graph()
    for step in graph.STEPS:
        wanted = {asset_name(i) for i in step.inputs if i in graph.PRODUCERS}  # source files are not assets
        for out in step.outputs:
            parents = {k.to_user_string() for k in asset_graph.get(dg.AssetKey(asset_name(out))).parent_keys}
            assert parents == wanted, f"{out}: {parents} != {wanted} (step {step.name})"


def test_source_branches_are_groups(defs):
    asset_graph = defs.resolve_asset_graph()
    for step in graph.STEPS:
        for out in step.outputs:
            group = asset_graph.get(dg.AssetKey(asset_name(out))).group_name
            if step.branch:
                assert group == step.branch
            else:
                assert group not in {"erp", "link", "web"}


def test_one_blocking_gate_per_step(defs):
    asset_graph = defs.resolve_asset_graph()
    checks = {key: asset_graph.get_check_spec(key) for key in asset_graph.asset_check_keys}
    assert len(checks) == len(graph.STEPS)
    for step in graph.STEPS:  # the gate sits on one of the step's outputs (export: the manifest)
        keys = [dg.AssetCheckKey(dg.AssetKey(asset_name(out)), "quality_gates") for out in step.outputs]
        assert len([k for k in keys if k in checks]) == 1, f"no gate, or several, for step {step.name}"
        key = next(k for k in keys if k in checks)
        assert checks[key].blocking
        assert all(name in (checks[key].description or "") for name in step.checks)


def test_retries_on_io_steps_only(defs):
    asset_graph = defs.resolve_asset_graph()
    for step in graph.STEPS:
        assets_def = asset_graph.assets_def_for_key(dg.AssetKey(asset_name(step.outputs[0])))
        assert (assets_def.op.retry_policy is not None) == step.io, step.name
    for key in asset_graph.asset_check_keys:  # gates: bad data fails fast
        checks_def = next(a for a in defs.asset_checks if key in a.check_keys)
        assert checks_def.op.retry_policy is None


def test_partitions_are_batch_months():
    keys = MONTHLY.get_partition_keys(current_time=dt.datetime(2026, 11, 2, tzinfo=ZoneInfo("Europe/Paris")))
    assert keys == list(testing.SAMPLE_MONTHS)  # 2026-05 .. 2026-10, written YYYY-MM like core


@pytest.mark.parametrize("day", ["2026-06-15", "2026-12-15", "2027-01-15", "2027-03-15"])
def test_schedule_requests_previous_month(defs, day):
    schedule = defs.resolve_schedule_def("bottleneck_monthly_schedule")
    assert schedule.cron_schedule == "0 9 15 * *"
    assert schedule.execution_timezone == "Europe/Paris"
    tick = dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=ZoneInfo("Europe/Paris"))
    context = dg.build_schedule_context(scheduled_execution_time=tick, repository_def=defs.get_repository_def())
    requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == [previous_month(tick)]


def test_dg_project_layout():
    """`dg check defs` (Dagster's project tooling) finds and loads the project from dagster/."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_")}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dg")), "check", "defs"],
        cwd=Path(__file__).parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All definitions loaded successfully" in done.stdout + done.stderr
