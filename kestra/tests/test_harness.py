"""The harness itself: the month expression, and loud failures on anything it does not simulate."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import yaml

from bottleneck_core.config import previous_month

MONTH = "{{ render(vars.month) }}"


def month_of(fh, inputs=None, trigger=None, start="2026-11-22T17:00:00+00:00"):
    flow = fh.Harness.load("bottleneck_monthly")
    variables = {"inputs": inputs or {}, "vars": flow["variables"], "execution": {"id": "x", "startDate": start}}
    if trigger is not None:
        variables["trigger"] = trigger
    return fh.Context(variables).render(MONTH)


@pytest.mark.parametrize(
    "date", ["2026-11-15T09:00:00+01:00", "2027-01-15T09:00:00+01:00", "2026-03-15T09:00:00+01:00"]
)
def test_scheduled_run_takes_the_month_before_the_trigger_date(fh, date):
    assert month_of(fh, trigger={"date": date}) == previous_month(dt.datetime.fromisoformat(date))


def test_an_explicit_month_wins(fh):
    assert month_of(fh, inputs={"month": "2026-05"}, trigger={"date": "2026-11-15T09:00:00+01:00"}) == "2026-05"


def test_a_manual_run_without_month_takes_the_month_before_today(fh):
    assert month_of(fh, start="2027-01-03T10:00:00Z") == "2026-12"


def test_the_month_input_is_validated(fh):
    with pytest.raises(ValueError, match="does not match"):
        fh.Harness().check_inputs(fh.Harness.load("bottleneck_monthly"), {"month": "2026-13"})


@pytest.mark.parametrize(
    "expression",
    [
        "inputs.month | upper",
        "now('x')",
        "inputs.month == 'x'",
        "vars.a ~ vars.b",
        "inputs.month ? 1 : 2",
        "trigger.date | date('EEE')",
        "trigger.date | dateAdd(1, 'WEEKS')",
        "-inputs.month",
    ],
)
def test_unsupported_expressions_fail_loudly(fh, expression):
    ctx = fh.Context(
        {"inputs": {"month": "2026-01"}, "vars": {"a": "1", "b": "2"}, "trigger": {"date": "2026-01-15T09:00:00Z"}}
    )
    with pytest.raises(fh.Unsupported):
        ctx.render("{{ " + expression + " }}")


def test_now_days_and_unary_minus(fh):
    """What the purge flow uses: now(), dateAdd in DAYS, a negated integer input."""
    import datetime as dt

    ctx = fh.Context({"inputs": {"days": 30}, "trigger": {"date": "2026-01-15T09:00:00Z"}})
    assert ctx.render("{{ trigger.date | dateAdd(-inputs.days, 'DAYS') }}") == "2025-12-16T09:00:00+00:00"
    cutoff = dt.datetime.fromisoformat(ctx.render("{{ now() | dateAdd(-inputs.days, 'DAYS') }}"))
    assert abs(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30) - cutoff) < dt.timedelta(minutes=1)


def test_undefined_variables_fail_like_kestra(fh):
    with pytest.raises(KeyError, match="trigger.date"):
        fh.Context({"inputs": {}}).render("{{ trigger.date }}")
    assert fh.Context({"inputs": {}}).render("{{ trigger.date ?? 'none' }}") == "none"


def test_unsimulated_task_properties_fail_loudly(fh, tmp_path, monkeypatch):
    flow = yaml.safe_load("""
id: probe
namespace: bottleneck
tasks:
  - id: t
    type: io.kestra.plugin.scripts.python.Commands
    timeout: PT1M
    taskRunner: {type: io.kestra.plugin.core.runner.Process}
    commands: [echo hi]
""")
    monkeypatch.setattr(fh.Harness, "load", staticmethod(lambda name: flow))
    with pytest.raises(fh.Unsupported, match="timeout"):
        fh.Harness(storage=tmp_path).run("probe", fire_triggers=False)


def test_schedule_dates_of_the_monthly_cron(fh):
    paris = fh.ZoneInfo("Europe/Paris")
    dates = fh.schedule_dates(
        "0 9 15 * *", "Europe/Paris", dt.datetime(2026, 1, 1, tzinfo=paris), dt.datetime(2026, 4, 15, 9, tzinfo=paris)
    )
    assert [d.isoformat() for d in dates] == [
        "2026-01-15T09:00:00+01:00",
        "2026-02-15T09:00:00+01:00",
        "2026-03-15T09:00:00+01:00",
    ]
    with pytest.raises(fh.Unsupported):
        fh.schedule_dates("*/5 * * * *", "UTC", dates[0], dates[-1])


PARALLEL = """
id: probe
namespace: bottleneck
tasks:
  - id: both
    type: io.kestra.plugin.core.flow.Parallel
    {fail_fast}
    tasks:
      - id: failing_branch
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - {{id: fails, type: io.kestra.plugin.scripts.python.Commands, taskRunner: {{type: io.kestra.plugin.core.runner.Process}}, commands: ["exit 1"]}}
          - {{id: never, type: io.kestra.plugin.scripts.python.Commands, taskRunner: {{type: io.kestra.plugin.core.runner.Process}}, commands: ["true"]}}
      - id: slow_branch
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - {{id: slow, type: io.kestra.plugin.scripts.python.Commands, taskRunner: {{type: io.kestra.plugin.core.runner.Process}}, commands: ["sleep 1"]}}
          - {{id: after_slow, type: io.kestra.plugin.scripts.python.Commands, taskRunner: {{type: io.kestra.plugin.core.runner.Process}}, commands: ["true"]}}
  - {{id: next, type: io.kestra.plugin.core.log.Log, message: not reached}}
errors:
  - {{id: on_error, type: io.kestra.plugin.core.log.Log, message: failed}}
finally:
  - {{id: cleanup, type: io.kestra.plugin.core.log.Log, message: always}}
"""


@pytest.mark.parametrize(
    ("fail_fast", "sibling_goes_on"), [("", True), ("failFast: false", True), ("failFast: true", False)]
)
def test_parallel_follows_kestras_fail_fast(fh, tmp_path, monkeypatch, fail_fast, sibling_goes_on):
    """Kestra's Parallel waits for every branch by default (failFast: false): a failure in one
    branch ends that branch only; the Parallel fails once all are done. failFast: true stops the
    siblings (kestra-io/kestra, core/src/main/java/io/kestra/plugin/core/flow/Parallel.java).
    After the failure no later top-level task runs; `errors` then `finally` do."""
    flow = yaml.safe_load(PARALLEL.format(fail_fast=fail_fast))
    monkeypatch.setattr(fh.Harness, "load", staticmethod(lambda name: flow))
    ex = fh.Harness(storage=tmp_path).run("probe", fire_triggers=False)
    assert ex.state == "FAILED"
    assert ex.run_of("fails").state == "FAILED" and ex.run_of("never") is None
    assert ex.run_of("slow").state == "SUCCESS"  # already running: it ends (Kestra would kill it with failFast)
    assert (ex.run_of("after_slow") is not None) == sibling_goes_on
    assert ex.run_of("next") is None
    assert [task for task, *_ in ex.logs] == ["on_error", "cleanup"]


def test_fail_fast_never_stops_the_first_task_of_a_branch(fh, tmp_path, monkeypatch):
    """Kestra starts every branch's first task with the Parallel: a sibling failing before the
    branch's thread got going (a loaded machine) must not keep it from starting."""
    flow = yaml.safe_load(PARALLEL.format(fail_fast="failFast: true"))
    monkeypatch.setattr(fh.Harness, "load", staticmethod(lambda name: flow))
    run_task = fh.Harness.run_task

    def late(self, ex, task, stop=None):
        if task["id"] == "slow_branch":
            time.sleep(1.0)  # the failing branch is done by now
        return run_task(self, ex, task, stop)

    monkeypatch.setattr(fh.Harness, "run_task", late)
    ex = fh.Harness(storage=tmp_path).run("probe", fire_triggers=False)
    assert ex.run_of("fails").state == "FAILED" and ex.run_of("slow").state == "SUCCESS"
    assert ex.run_of("after_slow") is None and ex.state == "FAILED"


def test_fail_fast_must_be_a_boolean(fh, tmp_path, monkeypatch):
    flow = yaml.safe_load(PARALLEL.format(fail_fast="failFast: sometimes"))
    monkeypatch.setattr(fh.Harness, "load", staticmethod(lambda name: flow))
    with pytest.raises(fh.Unsupported, match="failFast"):
        fh.Harness(storage=tmp_path).run("probe", fire_triggers=False)


def test_coalescing_binds_tighter_than_a_filter_as_in_kestra(fh):
    """Kestra registers `??` with precedence 120, Pebble's filter `|` has 100: `a ?? b | f` is
    `(a ?? b) | f`. A harness that read it as `a ?? (b | f)` would return the raw date here."""
    expression = "{{ trigger.date ?? '2026-11-15T09:00:00+01:00' | dateAdd(-1, 'MONTHS') | date('yyyy-MM') }}"
    assert fh.Context({"trigger": {"date": "2026-03-15T09:00:00+01:00"}}).render(expression) == "2026-02"
    assert fh.Context({"inputs": {}}).render(expression.replace("trigger.date", "inputs.month")) == "2026-10"
