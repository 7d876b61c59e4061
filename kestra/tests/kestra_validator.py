"""A validator of Kestra 1.3 flows, as strict as Kestra on the constructs the kit's flows use.

    validate(flow) -> list of problems (empty: valid)

It reads kestra_1_3_catalogue.yml (what Kestra's sources say about each type and property) and
reports, with the path of the faulty value: an unknown type, an unknown property, a missing
required property, a value of the wrong kind, an unknown enum value, a duplicate id. It checks
tasks at any depth (Parallel, Sequential, If then/else, errors, finally), their task runners and
retries, the triggers, the inputs and the outputs. It is still not Kestra: `kestra flow validate`
remains the reference (kestra/README.md says how to run it).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

CATALOGUE = yaml.safe_load((Path(__file__).resolve().parent / "kestra_1_3_catalogue.yml").read_text(encoding="utf-8"))
TYPES = CATALOGUE["types"]
PLUGIN_ROLES = {"task": "task", "flowable": "task", "trigger": "trigger", "task_runner": "task runner"}
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)  # a Pebble expression, rendered by Kestra
DURATION = re.compile(
    r"-?P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+([.,]\d{1,9})?S)?)?", re.I
)  # java.time.Duration.parse


# Lenient on purpose with quoted scalars: Jackson, which maps Kestra's YAML onto the Java fields, may
# coerce "3" to 3 and "true" to true, so only what can never be an integer or a boolean is reported.
def _is_int(v) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, str) and re.fullmatch(r"-?\d+", v) is not None
    )


def _is_bool(v) -> bool:
    return isinstance(v, bool) or (isinstance(v, str) and v.lower() in ("true", "false"))


def _is_list_of_str(v) -> bool:
    return isinstance(v, list) and all(isinstance(i, str) for i in v)


def _is_list_of_dicts(v) -> bool:
    return isinstance(v, list) and all(isinstance(i, dict) for i in v)


# kind -> (test of the value, what Kestra expects, in words)
KINDS = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "integer": (_is_int, "an integer"),
    "boolean": (_is_bool, "a boolean (true or false)"),
    "duration": (
        lambda v: isinstance(v, str) and DURATION.fullmatch(v) is not None,
        "an ISO-8601 duration such as PT30S",
    ),
    "map": (lambda v: isinstance(v, dict), "a map (key: value)"),
    "object": (lambda v: isinstance(v, dict), "an object (key: value)"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "list_of_strings": (_is_list_of_str, "a list of strings"),
    "list_of_objects": (_is_list_of_dicts, "a list of objects"),
    "string_or_list_of_strings": (lambda v: isinstance(v, str) or _is_list_of_str(v), "a string or a list of strings"),
    "map_or_list": (lambda v: isinstance(v, (dict, list)), "a map or a list"),
    "map_or_string": (lambda v: isinstance(v, (dict, str)), "a map or a string"),
    "any": (lambda v: v is not None, "a value"),
    "tasks": (_is_list_of_dicts, "a list of tasks"),
    "triggers": (_is_list_of_dicts, "a list of triggers"),
    "inputs": (_is_list_of_dicts, "a list of inputs"),
    "outputs": (_is_list_of_dicts, "a list of outputs"),
    "task_runner": (lambda v: isinstance(v, dict), "a task runner (type: ...)"),
    "retry": (lambda v: isinstance(v, dict), "a retry (type: constant, interval: ...)"),
}


def validate(flow: dict) -> list[str]:
    """Every problem Kestra 1.3 would find in this flow, as far as the catalogue describes it."""
    v = _Validator()
    v.check_object(flow, CATALOGUE["flow_properties"], "flow", "the flow")
    for what, ids in (
        ("task", v.task_ids),
        ("trigger", v.trigger_ids),
        ("input", v.input_ids),
        ("output", v.output_ids),
    ):
        for dup in sorted(i for i, n in Counter(ids).items() if n > 1 and i is not None):
            v.problems.append(f"flow: duplicate {what} id `{dup}` (Kestra requires unique {what} ids)")
    return v.problems


class _Validator:
    def __init__(self):
        self.problems: list[str] = []
        self.task_ids, self.trigger_ids, self.input_ids, self.output_ids = [], [], [], []

    def check_object(self, obj: dict, props: dict, path: str, what: str) -> None:
        """Unknown and missing properties, then each value against its description."""
        for name in obj:
            if name not in props:
                self.problems.append(
                    f"{path}: unknown property `{name}` for {what} (its Kestra 1.3 properties: {', '.join(props)})"
                )
        for name, spec in props.items():
            if spec.get("required") and obj.get(name) in (None, "", [], {}):
                self.problems.append(f"{path}: missing required property `{name}` ({KINDS[spec['kind']][1]}) of {what}")
        for name, value in obj.items():
            if name in props and value is not None:
                self.check_value(value, props[name], f"{path}.{name}")

    def check_value(self, value, spec: dict, path: str) -> None:
        if spec.get("unverified"):
            return  # not checked in Kestra's sources: not strict on it
        if spec.get("dynamic") and isinstance(value, str) and TEMPLATE.search(value):
            return  # rendered by Kestra at run time: any kind may come out of it
        test, expected = KINDS[spec["kind"]]
        if not test(value):
            self.problems.append(f"{path}: expected {expected}, got {value!r}")
            return
        if "enum" in spec:
            for item in value if isinstance(value, list) else [value]:
                if item not in spec["enum"]:
                    self.problems.append(f"{path}: {item!r} is not one of Kestra's values: {', '.join(spec['enum'])}")
        if "pattern" in spec and not re.match(spec["pattern"] + "$", value):
            self.problems.append(f"{path}: {value!r} does not match Kestra's pattern {spec['pattern']}")
        if "min" in spec and int(value) < spec["min"]:
            self.problems.append(f"{path}: {value!r} is below Kestra's minimum {spec['min']}")
        self.check_nested(value, spec, path)

    def check_nested(self, value, spec: dict, path: str) -> None:
        kind = spec["kind"]
        if kind == "tasks":
            for i, task in enumerate(value):
                self.check_plugin(task, f"{path}[{task.get('id', i)}]", "task", CATALOGUE["task_common"])
                self.task_ids.append(task.get("id"))
        elif kind == "triggers":
            for i, trigger in enumerate(value):
                self.check_plugin(trigger, f"{path}[{trigger.get('id', i)}]", "trigger", CATALOGUE["trigger_common"])
                self.trigger_ids.append(trigger.get("id"))
        elif kind == "task_runner":
            self.check_plugin(value, path, "task runner", {})
        elif kind == "retry":
            known = CATALOGUE["retry"]
            if value.get("type") not in known:
                self.problems.append(
                    f"{path}.type: unknown retry type {value.get('type')!r} (the catalogue describes: {', '.join(known)})"
                )
            else:
                self.check_object(value, known[value["type"]], path, f"a {value['type']} retry")
        elif kind == "inputs":
            for i, item in enumerate(value):
                props = CATALOGUE["input_properties"] | CATALOGUE["input_type_properties"].get(item.get("type"), {})
                if item.get("type") not in CATALOGUE["input_type_properties"]:  # not described: common properties only
                    props = props | {k: {"kind": "any"} for k in item if k not in props}
                self.check_object(item, props, f"{path}[{item.get('id', i)}]", f"an input of type {item.get('type')}")
                self.input_ids.append(item.get("id"))
        elif kind == "outputs":
            for i, item in enumerate(value):
                self.check_object(
                    item, CATALOGUE["flow_output_properties"], f"{path}[{item.get('id', i)}]", "a flow output"
                )
                self.output_ids.append(item.get("id"))
        elif "spec" in spec:  # an object, or a list of objects, that the catalogue describes
            for i, item in enumerate(value if kind == "list_of_objects" else [value]):
                where = f"{path}[{i}]" if kind == "list_of_objects" else path
                self.check_object(item, CATALOGUE[spec["spec"]], where, spec["spec"].replace("_", " "))

    def check_plugin(self, obj: dict, path: str, role: str, common: dict) -> None:
        """A task, trigger or task runner: its type must be one the catalogue knows, in that role."""
        type_ = obj.get("type")
        if type_ is None:
            self.problems.append(f"{path}: missing required property `type` of a {role}")
            return
        spec = TYPES.get(type_)
        if spec is None or PLUGIN_ROLES[spec["kind"]] != role:
            known = ", ".join(t for t, s in TYPES.items() if PLUGIN_ROLES[s["kind"]] == role)
            self.problems.append(
                f"{path}: unknown {role} type {type_!r} (the catalogue's Kestra 1.3 {role} types: {known})"
            )
            return
        self.check_object(obj, common | spec["properties"], path, type_)
