"""The DAG as Airflow parses it: no import error, and a task graph that is core's step graph.

No database needed: these tests only parse the dags folder.
"""

from __future__ import annotations

import sys

import pendulum

from bottleneck_core import graph

GATE = "check_{}"
EXTRA_TASKS = {"batch_month", "publish_summary", "publish_reports"}  # the month, the summary, the asset event


def test_dags_folder_imports_without_errors(dags_folder):
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(dags_folder))  # Airflow 3.3: DagBag(include_examples=...) is a TypeError
    assert bag.import_errors == {}
    assert sorted(bag.dags) == ["bottleneck_monthly", "bottleneck_warehouse"]


def test_one_task_and_one_gate_per_core_step(dag):
    expected = {s.name for s in graph.STEPS} | {GATE.format(s.name) for s in graph.STEPS} | EXTRA_TASKS
    assert set(dag.task_ids) == expected


def test_dependencies_follow_core_graph(dag):
    for step in graph.STEPS:
        work, gate = dag.get_task(step.name), dag.get_task(GATE.format(step.name))
        # a step waits for the gates of the steps whose outputs it reads (and for the month)
        assert work.upstream_task_ids == {GATE.format(u) for u in graph.upstream(step.name)} | {"batch_month"}
        # each gate runs right after its own step
        assert gate.upstream_task_ids == {step.name, "batch_month"}
    assert dag.get_task("publish_summary").upstream_task_ids == {GATE.format("export"), "batch_month"}
    assert dag.get_task("publish_reports").upstream_task_ids == {GATE.format("export"), "publish_summary"}


def test_a_failed_run_still_gets_its_summary_but_publishes_nothing(dag):
    assert dag.get_task("publish_summary").trigger_rule == "all_done"
    assert dag.get_task("publish_reports").trigger_rule == "all_success"
    assert [o.name for o in dag.get_task("publish_reports").outlets] == ["bottleneck_reports"]
    assert not dag.get_task("publish_summary").outlets
    assert {t.task_id for t in dag.leaves} == {"publish_reports"}  # its state decides the run's state


def test_source_branches_are_three_parallel_task_groups(dag):
    for step in graph.STEPS:
        for task_id in (step.name, GATE.format(step.name)):
            group = dag.get_task(task_id).task_group
            assert (group.group_id if group and group.group_id else None) == step.branch
    # nothing links one branch to another before merge
    branches = {s.branch for s in graph.STEPS if s.branch}
    assert branches == {"erp", "link", "web"}
    for b in branches:
        others = {s.name for s in graph.STEPS if s.branch and s.branch != b}
        extract = dag.get_task(f"extract_{b}")
        assert not (extract.get_flat_relative_ids(upstream=False) & others)


def test_retries_on_io_steps_only_never_on_gates(dag):
    for step in graph.STEPS:
        assert dag.get_task(step.name).retries == (2 if step.io else 0), step.name
        assert dag.get_task(GATE.format(step.name)).retries == 0, step.name
    assert any(s.io for s in graph.STEPS) and not all(s.io for s in graph.STEPS)


def test_every_task_alerts_on_failure(dag):
    for task in dag.tasks:
        callbacks = (
            task.on_failure_callback if isinstance(task.on_failure_callback, list) else [task.on_failure_callback]
        )
        assert [c.__name__ for c in callbacks if c] == ["alert_on_failure"], task.task_id


def test_schedule_params_tags_docs(dag):
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.timetable.expression == "0 9 15 * *"
    assert str(dag.timetable.timezone) == "Europe/Paris"
    assert dag.catchup is False
    assert dag.max_active_runs == 1  # a UI trigger and a scheduled run of one month never overlap
    assert {"bottleneck", "teaching"} <= set(dag.tags)
    assert dag.params["month"] is None
    assert dag.doc_md and "backfill" in dag.doc_md
    for step in graph.STEPS:
        assert step.en in dag.get_task(step.name).doc_md


def test_scheduled_runs_process_the_previous_month(dag):
    """Each scheduled run fires at 09:00 Paris on the 15th of M; its interval starts in M-1, its batch month."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    from bottleneck_core.config import previous_month

    timetable = coerce_to_core_timetable(dag.timetable)  # the scheduler's view of the timetable
    restriction = TimeRestriction(earliest=pendulum.datetime(2026, 5, 1, tz="Europe/Paris"), latest=None, catchup=True)
    last, seen = None, []
    for _ in range(14):  # over a year boundary
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        fired = info.run_after.in_timezone("Europe/Paris")
        assert (fired.day, fired.hour, fired.minute) == (15, 9, 0)
        month = dag_module(dag).month_of({"month": None}, info.data_interval.start, None)
        assert month == previous_month(fired)
        seen.append(month)
        last = info.data_interval
    assert seen[:2] == ["2026-05", "2026-06"] and "2026-12" in seen and "2027-01" in seen


def test_month_param_overrides_the_interval(dag):
    start = pendulum.datetime(2026, 10, 15, 9, tz="Europe/Paris")
    assert dag_module(dag).month_of({"month": "2026-05"}, start, None) == "2026-05"


def test_manual_run_without_interval_takes_last_complete_month(dag):
    class Run:
        run_after = pendulum.datetime(2026, 3, 2, tz="Europe/Paris")

    assert dag_module(dag).month_of({"month": None}, None, Run()) == "2026-02"


def dag_module(dag):
    """The DAG file's module, as Airflow imported it."""
    return sys.modules[dag.get_task("batch_month").python_callable.__module__]
