"""kestra_validator.py accepts every flow of the kit (kestra/flows, and the copies of the monthly flow
in the Kestra exercises and their solutions) and reports each mistake Kestra 1.3 rejects: one real
flow of the kit, one thing damaged, exactly one problem, with its path and what Kestra expects.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FLOWS_DIR = HERE.parent / "flows"
KIT_FLOWS = sorted(FLOWS_DIR.glob("*.yml"))
EXERCISE_FLOWS = sorted(REPO.glob("exercises/*-kestra-*/*.yml")) + sorted(REPO.glob("solutions/*-kestra-*/*.yml"))


validator = sys.modules["bottleneck_kestra_validator"]  # loaded by path in conftest.py (kestra/ is no package)


def load(name: str) -> dict:
    return yaml.safe_load((FLOWS_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def task(flow: dict, task_id: str) -> dict:
    """The task of that id, at any depth."""
    todo = [*flow.get("tasks", []), *flow.get("errors", [])]
    while todo:
        t = todo.pop()
        if t["id"] == task_id:
            return t
        todo += [*t.get("tasks", []), *t.get("then", []), *t.get("else", []), *t.get("errors", [])]
    raise KeyError(task_id)


def only_problem(flow: dict) -> str:
    problems = validator.validate(flow)
    assert len(problems) == 1, problems
    return problems[0]


# --- every flow of the kit is valid -------------------------------------------------------------


@pytest.mark.parametrize("path", KIT_FLOWS + EXERCISE_FLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_flow_of_the_kit_is_valid(path):
    problems = validator.validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert not problems, "\n".join(problems)


def test_the_exercise_copies_are_found():
    """The starters (valid Kestra, only a feature missing) and the solutions of exercises 04 and 05."""
    found = {str(p.relative_to(REPO)) for p in EXERCISE_FLOWS}
    assert found >= {
        f"{root}/{ex}/bottleneck_monthly.yml"
        for root in ("exercises", "solutions")
        for ex in ("04-kestra-input", "05-kestra-docker-runner")
    }, found


# --- the mistakes of the issue: each one found, for the right reason ----------------------------


def test_a_constant_retry_without_interval():
    flow = load("bottleneck_monthly")
    del task(flow, "extract_erp")["retry"]["interval"]
    problem = only_problem(flow)
    assert problem.startswith("flow.tasks[sources].tasks[erp_branch].tasks[extract_erp].retry: ")
    assert "missing required property `interval`" in problem and "PT30S" in problem and "constant retry" in problem


def test_a_flow_trigger_precondition_without_id():
    flow = load("bottleneck_alert_on_failure")
    del flow["triggers"][0]["preconditions"]["id"]
    problem = only_problem(flow)
    assert problem.startswith("flow.triggers[on_monthly_failure].preconditions: ")
    assert "missing required property `id`" in problem


def test_an_output_of_type_strng():
    flow = load("bottleneck_monthly")
    flow["outputs"][0]["type"] = "STRNG"
    problem = only_problem(flow)
    assert problem.startswith("flow.outputs[month].type: 'STRNG' is not one of Kestra's values: ")
    assert "STRING" in problem.split(": ", 2)[2].split(", ")


def test_fetch_type_storee_on_the_queries_task():
    flow = load("bottleneck_warehouse")
    queries = task(flow, "seed_dims")
    assert queries["type"] == "io.kestra.plugin.jdbc.postgresql.Queries"
    queries["fetchType"] = "STOREE"
    problem = only_problem(flow)
    assert problem.startswith("flow.tasks[seed_dims].fetchType: 'STOREE' is not one of Kestra's values: ")
    assert problem.endswith("STORE, FETCH, FETCH_ONE, NONE")


def test_a_log_level_loud():
    flow = load("bottleneck_monthly")
    task(flow, "log_failure")["level"] = "LOUD"  # in the flow's errors branch
    problem = only_problem(flow)
    assert (
        problem
        == "flow.errors[log_failure].level: 'LOUD' is not one of Kestra's values: ERROR, WARN, INFO, DEBUG, TRACE"
    )


def test_a_schedule_without_cron():
    flow = load("bottleneck_purge")
    del flow["triggers"][0]["cron"]
    problem = only_problem(flow)
    assert problem.startswith("flow.triggers[nightly]: missing required property `cron`")
    assert problem.endswith("of io.kestra.plugin.core.trigger.Schedule")


def test_a_python_commands_task_without_commands():
    flow = load("bottleneck_monthly")
    del task(flow, "merge")["commands"]
    problem = only_problem(flow)
    assert problem.startswith("flow.tasks[merge]: missing required property `commands` (a list of strings)")
    assert problem.endswith("of io.kestra.plugin.scripts.python.Commands")


def test_max_attempts_three_in_words():
    flow = load("bottleneck_monthly")
    task(flow, "export")["retry"]["maxAttempts"] = "three"
    assert only_problem(flow) == "flow.tasks[export].retry.maxAttempts: expected an integer, got 'three'"


# --- the other checks ---------------------------------------------------------------------------


def test_unknown_type_property_runner_and_duplicate_ids():
    flow = load("bottleneck_alert_on_failure")
    task(flow, "send_email")["plainTextContents"] = "typo"  # nested in If then
    task(flow, "log_alert")["type"] = "io.kestra.plugin.core.log.Logg"
    task(flow, "send_alert")["taskRunner"]["type"] = "io.kestra.plugin.core.runner.Proces"
    task(flow, "write_email")["id"] = "send_alert"
    problems = validator.validate(flow)
    assert len(problems) == 4, problems
    assert problems[0].startswith("flow.tasks[log_alert]: unknown task type 'io.kestra.plugin.core.log.Logg'")
    assert problems[1].startswith(
        "flow.tasks[send_alert].taskRunner: unknown task runner type 'io.kestra.plugin.core.runner.Proces'"
    )
    assert problems[2].startswith(
        "flow.tasks[if_smtp_configured].then[send_email]: unknown property `plainTextContents`"
    )
    assert problems[3] == "flow: duplicate task id `send_alert` (Kestra requires unique task ids)"


def test_a_template_is_accepted_only_where_kestra_renders_the_property():
    flow = load("bottleneck_alert_on_failure")
    assert task(flow, "send_email")["port"].startswith("{{"), "MailSend.port is a Property<Integer>: a template is fine"
    task(flow, "send_email")["port"] = "twenty-five"
    assert (
        only_problem(flow)
        == "flow.tasks[if_smtp_configured].then[send_email].port: expected an integer, got 'twenty-five'"
    )
    flow = load("bottleneck_monthly")
    task(flow, "export")["retry"]["interval"] = "{{ vars.interval }}"  # a java.time.Duration, not a Property
    assert (
        only_problem(flow)
        == "flow.tasks[export].retry.interval: expected an ISO-8601 duration such as PT30S, got '{{ vars.interval }}'"
    )


def test_the_docker_runner_of_the_solution_is_checked():
    flow = yaml.safe_load(
        (REPO / "solutions/05-kestra-docker-runner/bottleneck_monthly.yml").read_text(encoding="utf-8")
    )
    task(flow, "extract_erp")["taskRunner"]["pullPolicy"] = "NEVERR"
    assert only_problem(flow).startswith(
        "flow.tasks[sources].tasks[erp_branch].tasks[extract_erp].taskRunner.pullPolicy: 'NEVERR'"
    )


def test_inputs_are_checked_by_type():
    flow = load("bottleneck_purge")
    flow["inputs"][0]["validator"] = "^\\d+$"  # a STRING input's property, not an INT input's
    assert only_problem(flow).startswith(
        "flow.inputs[retention_days]: unknown property `validator` for an input of type INT"
    )
    flow = load("bottleneck_purge")
    flow["inputs"][0]["defaults"] = "thirty"
    assert only_problem(flow) == "flow.inputs[retention_days].defaults: expected an integer, got 'thirty'"


def test_not_strict_on_what_is_unverified():
    v = validator._Validator()
    v.check_value("anything", {"kind": "integer", "unverified": True}, "x")
    assert v.problems == []


# --- the catalogue itself -----------------------------------------------------------------------


def test_every_catalogue_entry_has_a_known_kind_and_a_cited_source():
    text = (HERE / "kestra_1_3_catalogue.yml").read_text(encoding="utf-8")
    catalogue = yaml.safe_load(text)
    groups = [
        catalogue["task_common"],
        catalogue["trigger_common"],
        *catalogue["retry"].values(),
        catalogue["flow_trigger_preconditions"],
        catalogue["flow_trigger_precondition_flow"],
        catalogue["flow_properties"],
        catalogue["input_properties"],
        *catalogue["input_type_properties"].values(),
        catalogue["flow_output_properties"],
        *(t["properties"] for t in catalogue["types"].values()),
    ]
    for props in groups:
        for name, spec in props.items():
            assert spec["kind"] in validator.KINDS, (name, spec)
            assert "spec" not in spec or spec["spec"] in catalogue, (name, spec)
    lines = text.splitlines()
    for type_ in catalogue["types"]:
        at = lines.index(f"  {type_}:")
        comments = " ".join(line for line in lines[at - 4 : at] if line.strip().startswith("#"))
        assert re.search(r"kestra-io/[\w-]+ \S+\.java", comments), f"{type_}: no source cited just above it"
