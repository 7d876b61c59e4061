"""Structural validation of kestra/flows/*.yml (CI has no Kestra server: see kestra/README.md).

Every flow passes kestra_validator.py (types, properties, required properties, value kinds and
enum values from the committed Kestra 1.3 catalogue; test_validator.py tests the validator itself),
ids are unique, every {{ }} expression is one the harness understands and refers to something
that exists, the schedule and the alert trigger are as required, and the task graph maps onto
core's graph.STEPS.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from bottleneck_core import graph

HERE = Path(__file__).resolve().parent
FLOWS_DIR = HERE.parent / "flows"
CATALOGUE = yaml.safe_load((HERE / "kestra_1_3_catalogue.yml").read_text(encoding="utf-8"))


def _load_validator():
    """kestra_validator.py, loaded by path as the harness is (kestra/ is not a package; the
    exercises' checkers load this file by path too)."""
    name = "bottleneck_kestra_validator"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "kestra_validator.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


validator = _load_validator()
FLOW_FILES = sorted(FLOWS_DIR.glob("*.yml"))
MONTHLY, ALERT, PURGE = "bottleneck_monthly", "bottleneck_alert_on_failure", "bottleneck_purge"
SCRIPT_TYPES = ("io.kestra.plugin.scripts.python.Commands", "io.kestra.plugin.scripts.python.Script")


def load(name: str) -> dict:
    return yaml.safe_load((FLOWS_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def walk(tasks: list, parents=()):
    """Every task with the chain of its flowable parents."""
    for task in tasks:
        yield task, parents
        yield from walk(task.get("tasks", []), (*parents, task))
        yield from walk(task.get("errors", []), (*parents, task))
        yield from walk(task.get("then", []), (*parents, task))
        yield from walk(task.get("else", []), (*parents, task))


def all_tasks(flow: dict):
    yield from walk(flow.get("tasks", []))
    yield from walk(flow.get("errors", []))


def step_of(task: dict) -> tuple[str, str] | None:
    """('step'|'check', step name) for a task that calls the core CLI, else None."""
    if task["type"] != "io.kestra.plugin.scripts.python.Commands":
        return None
    m = re.match(r"bottleneck (step|check) (\w+) ", task["commands"][0])
    return (m.group(1), m.group(2)) if m else None


def test_the_kits_flows_exist():
    assert {p.stem for p in FLOW_FILES} == {MONTHLY, ALERT, PURGE, "bottleneck_warehouse"}


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: p.stem)
class TestEveryFlow:
    def test_id_namespace_description(self, path):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert flow["id"] == path.stem, "the flow id must match the file name"
        assert flow["namespace"] == "bottleneck"
        assert flow.get("description", "").strip()
        assert set(flow) <= set(CATALOGUE["flow_properties"]), set(flow) - set(CATALOGUE["flow_properties"])

    def test_types_and_properties_are_kestra_1_3(self, path):
        """Types, properties, required properties, value kinds, enum values, duplicate ids."""
        problems = validator.validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert not problems, "\n".join(problems)

    def test_ids_are_unique(self, path):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids = [t["id"] for t, _ in all_tasks(flow)] + [t["id"] for t in flow.get("triggers", [])]
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), "ids are snake_case"

    def test_nothing_kestra_2_0_removed(self, path):
        text = path.read_text(encoding="utf-8")
        flow = yaml.safe_load(text)
        removed = CATALOGUE["removed_in_2_0"]
        assert not {t["type"] for t, _ in all_tasks(flow)} & set(removed["types"])
        assert not set(flow) & set(removed["flow_keys"])
        assert not any(p in text for p in removed["pebble"])

    def test_script_tasks_run_in_the_process_runner(self, path):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        scripts = [t for t, _ in all_tasks(flow) if t["type"] in SCRIPT_TYPES]
        assert scripts or path.stem == PURGE, "the purge flow alone uses Kestra's own tasks only"
        assert all(t["taskRunner"] == {"type": "io.kestra.plugin.core.runner.Process"} for t in scripts)

    def test_every_expression_is_understood_and_refers_to_something(self, path, fh):
        flow = yaml.safe_load(path.read_text(encoding="utf-8"))
        inputs = {i["id"] for i in flow.get("inputs", [])}
        variables = set(flow.get("variables", {}))
        task_ids = {t["id"] for t, _ in all_tasks(flow)}
        monthly_outputs = {o["id"] for o in load(MONTHLY).get("outputs", [])}
        trigger_types = {t["type"].rsplit(".", 1)[1] for t in flow.get("triggers", [])}
        allowed_trigger = {"Schedule": {"date"}, "Flow": {"executionId", "namespace", "flowId", "state", "outputs"}}
        found = fh.expressions({k: v for k, v in flow.items() if k != "triggers"})
        assert found, "no expression found: the test would prove nothing"
        for expression in found:
            for ref in fh.paths(fh.parse(expression)):  # parse() raises on anything the harness cannot run
                root, _, rest = ref.partition(".")
                if root == "inputs":
                    assert rest in inputs, f"{{{{ {expression} }}}}: no input {rest}"
                elif root == "vars":
                    assert rest in variables, f"{{{{ {expression} }}}}: no variable {rest}"
                elif root == "outputs":
                    assert rest.split(".")[0] in task_ids, f"{{{{ {expression} }}}}: no task {rest}"
                elif root == "trigger":
                    head = rest.split(".")[0]
                    assert any(head in allowed_trigger[t] for t in trigger_types), (
                        f"{{{{ {expression} }}}}: trigger.{rest}"
                    )
                    if head == "outputs":
                        assert rest.split(".")[1] in monthly_outputs, f"{{{{ {expression} }}}}: no flow output {rest}"
                elif root == "execution":
                    assert rest in ("id", "startDate")
                elif root == "flow":
                    assert rest in ("id", "namespace")
                elif root == "envs":  # the worker's ENV_<NAME> variables; the compose files must set them
                    assert rest.islower() and rest.replace("_", "").isalnum(), f"{{{{ {expression} }}}}: envs.{rest}"
                else:
                    pytest.fail(f"{{{{ {expression} }}}}: unknown variable {ref}")


def test_schedule_is_the_kits_convention():
    """The kit's calendar lives in core's config: the monthly flow at 09:00 on the 15th, the
    warehouse an hour later, Paris time (the warehouse flow is hand-written: this test ties it)."""
    from bottleneck_core import config

    for flow, cron in ((MONTHLY, "0 9 15 * *"), ("bottleneck_warehouse", "0 10 15 * *")):
        (trigger,) = [t for t in load(flow)["triggers"] if t["type"].endswith(".Schedule")]
        assert trigger["cron"] == cron == (config.MONTHLY_CRON if flow == MONTHLY else config.WAREHOUSE_CRON)
        assert trigger["timezone"] == "Europe/Paris" == config.TIMEZONE


def test_the_month_defaults_to_the_month_before_the_trigger_date():
    flow = load(MONTHLY)
    (month,) = flow["inputs"]
    assert month["id"] == "month" and month["type"] == "STRING" and month["required"] is False
    assert re.fullmatch(month["validator"], "2026-10") and not re.fullmatch(month["validator"], "2026-13")
    assert "trigger.date" in flow["variables"]["month"] and "dateAdd(-1, 'MONTHS')" in flow["variables"]["month"]


def test_alert_flow_listens_to_failed_runs_of_the_monthly_flow():
    monthly, alert = load(MONTHLY), load(ALERT)
    (trigger,) = alert["triggers"]
    assert trigger["type"] == "io.kestra.plugin.core.trigger.Flow"
    assert trigger["states"] == ["FAILED"]
    assert trigger["preconditions"]["flows"] == [
        {"namespace": monthly["namespace"], "flowId": monthly["id"], "states": ["FAILED"]}
    ]
    assert any("send_alert" in t.get("script", "") for t, _ in all_tasks(alert)), "the alert uses core's send_alert"


def test_alert_flow_mails_cores_message_with_kestras_mail_task():
    tasks = {t["id"]: (t, parents) for t, parents in all_tasks(load(ALERT))}
    write, _ = tasks["write_email"]
    assert write["commands"][0].startswith("bottleneck alert-email --tool kestra --month {{ trigger.outputs.month")
    assert "--run-id {{ trigger.executionId }}" in write["commands"][0] and "--run-url http" in write["commands"][0]
    send, parents = tasks["send_email"]
    assert send["type"] == "io.kestra.plugin.email.MailSend" and send["transportStrategy"] == "SMTP"
    for key in ("host", "port", "from", "to", "subject"):
        assert send[key] == {
            "host": "{{ outputs.write_email.vars.smtp_host }}",
            "port": "{{ outputs.write_email.vars.smtp_port }}",
        }.get(key, f"{{{{ outputs.write_email.vars.{key} }}}}"), key
    assert send["plainTextContent"] == "{{ outputs.write_email.vars.text }}"
    (guard,) = parents
    assert (
        guard["type"] == "io.kestra.plugin.core.flow.If" and guard["condition"] == "{{ outputs.write_email.vars.send }}"
    )
    assert "else" not in guard, "no SMTP host: no e-mail, and nothing else"


def test_purge_flow_runs_nightly_and_deletes_what_is_older_than_n_days():
    flow = load(PURGE)
    (trigger,) = flow["triggers"]
    assert trigger["type"] == "io.kestra.plugin.core.trigger.Schedule"
    assert (trigger["cron"], trigger["timezone"]) == ("0 2 * * *", "Europe/Paris")
    (days,) = flow["inputs"]
    assert (days["id"], days["type"], days["required"], days["defaults"]) == ("retention_days", "INT", False, 30)
    tasks = {t["type"].rsplit(".", 1)[1]: t for t, _ in all_tasks(flow)}
    assert set(tasks) == {"PurgeExecutions", "PurgeLogs"}
    cutoff = "{{ now() | dateAdd(-inputs.retention_days, 'DAYS') }}"
    executions, logs = tasks["PurgeExecutions"], tasks["PurgeLogs"]
    assert executions["endDate"] == logs["endDate"] == cutoff
    assert executions["namespace"] == logs["namespace"] == flow["namespace"]
    assert (executions["purgeExecution"], executions["purgeMetric"], executions["purgeStorage"]) == (True, True, True)
    assert executions["purgeLog"] is False, "logs are purged in bulk by PurgeLogs"


def test_errors_branch_logs_a_clear_message():
    errors = load(MONTHLY)["errors"]
    assert [e["type"] for e in errors] == ["io.kestra.plugin.core.log.Log"]
    assert errors[0]["level"] == "ERROR" and "FAILED" in errors[0]["message"]


class TestGraphMapping:
    """The flow is core's step graph: one task per step, its gate right after it, parallel branches."""

    def setup_method(self):
        self.flow = load(MONTHLY)
        self.tasks = list(all_tasks(self.flow))

    def test_one_task_per_step_and_one_gate_task_per_step(self):
        steps = [step_of(t) for t, _ in self.tasks if step_of(t)]
        assert sorted(n for k, n in steps if k == "step") == sorted(s.name for s in graph.STEPS)
        assert sorted(n for k, n in steps if k == "check") == sorted(s.name for s in graph.STEPS)
        for task, _ in self.tasks:
            kind = step_of(task)
            if kind:
                assert task["id"] == (kind[1] if kind[0] == "step" else f"check_{kind[1]}")
                assert task["commands"][0] == f"bottleneck {kind[0]} {kind[1]} --month {{{{ render(vars.month) }}}}"

    def sequences(self):
        """Each list of sibling tasks, in order (the top level and every Sequential)."""
        yield self.flow["tasks"]
        for task, _ in self.tasks:
            if task["type"].endswith(".Sequential"):
                yield task["tasks"]

    def test_each_gate_follows_its_step(self):
        for seq in self.sequences():
            for i, task in enumerate(seq):
                if step_of(task) and step_of(task)[0] == "step":
                    assert step_of(seq[i + 1]) == ("check", task["id"]), f"{task['id']} is not followed by its gate"

    def test_branches_run_in_parallel_in_graph_order(self):
        first = self.flow["tasks"][0]
        assert first["type"] == "io.kestra.plugin.core.flow.Parallel"
        branches = {b["id"]: b for b in first["tasks"]}
        assert set(branches) == {f"{s.branch}_branch" for s in graph.STEPS if s.branch}
        for name, branch in branches.items():
            assert branch["type"] == "io.kestra.plugin.core.flow.Sequential"
            steps = [t["id"] for t in branch["tasks"] if step_of(t)[0] == "step"]
            assert steps == [s.name for s in graph.STEPS if s.branch == name.removesuffix("_branch")]

    def test_every_step_runs_after_its_upstream_steps(self):
        position = {}  # step -> (branch or None, index in its sequence); the Parallel runs first
        for seq in self.sequences():
            for i, task in enumerate(seq):
                if step_of(task) and step_of(task)[0] == "step":
                    position[task["id"]] = i
        top_level = [t["id"] for t in self.flow["tasks"]]
        for step in graph.STEPS:
            for up in graph.upstream(step.name):
                up_step = graph.get(up)
                if step.branch:
                    assert up_step.branch == step.branch and position[up] < position[step.name]
                elif up_step.branch:
                    assert step.name in top_level  # after the Parallel, which holds every branch step
                else:
                    assert top_level.index(up) < top_level.index(step.name)

    def test_retry_on_io_steps_only(self):
        retried = {t["id"] for t, _ in self.tasks if "retry" in t}
        assert retried == {s.name for s in graph.STEPS if s.io}
        assert not any(i.startswith("check_") for i in retried), "a failed gate is never retried"

    def test_report_files_are_output_files_of_export(self):
        (export,) = [t for t, _ in self.tasks if t["id"] == "export"]
        assert export["outputFiles"] == list(graph.get("export").outputs)
