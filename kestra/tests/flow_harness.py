"""A small stand-in for a Kestra 1.3 executor, so CI can run the flows without a Kestra server.

It runs a flow file the way Kestra would, for the constructs our flows use and nothing more:
tasks in declared order, ``Parallel`` children at the same time, ``Sequential`` children one
after the other, each script task's commands rendered and run by ``/bin/sh`` in a fresh working
directory (the Process task runner), ``retry`` on the tasks that declare it, the ``errors``
branch when a task fails, flow outputs at the end, ``outputFiles`` collected, and the
``::{json}::`` lines of the ``kestra`` Python library read back as task outputs and metrics.
Flow triggers (``preconditions``) and the Schedule trigger (with its backfill) are simulated too.
``Parallel`` waits for every branch (``failFast: false``, Kestra's default) or, with
``failFast: true``, starts nothing more after the first failure; the flow's ``finally`` tasks run
at the end whatever happened. ``If`` runs its ``then`` or ``else`` branch; ``MailSend`` really sends its e-mail over plain SMTP
(``transportStrategy: SMTP`` only); ``PurgeExecutions`` and ``PurgeLogs`` delete from the
harness's own records (executions, logs, metrics, task working folders) what ended before
their ``endDate``.

Templates: only the Pebble forms our flows use are understood (paths, string and integer
literals, ``??``, parentheses, unary minus, ``render()``, ``now()``, the ``dateAdd`` and ``date`` filters). Anything
else raises :class:`Unsupported`: the harness fails loudly instead of guessing.

This is NOT Kestra: see kestra/README.md for the command that validates the flows with Kestra itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

FLOWS = Path(__file__).resolve().parents[1] / "flows"
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)


class Unsupported(Exception):
    """A construct the harness does not implement (so it cannot vouch for it)."""


class Undefined:
    """A variable that does not exist (Kestra raises on it unless ``??`` catches it)."""

    def __init__(self, path: str):
        self.path = path


# --- Pebble subset -------------------------------------------------------------------------

TOKEN = re.compile(
    r"\s*(?:(\?\?)|(\|)|(\()|(\))|(,)|('(?:[^'\\]|\\.)*')|(-?\d+)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(-))"
)
FILTERS = {"dateAdd", "date"}
FUNCTIONS = {"render", "now"}
JAVA_PATTERN = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    kinds = ("coalesce", "pipe", "lpar", "rpar", "comma", "string", "int", "name", "minus")
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read {text[pos:]!r} in expression {text!r}")
        kind = next(k for k, g in zip(kinds, m.groups(), strict=True) if g is not None)
        tokens.append((kind, m.group(m.lastindex)))
        pos = m.end()
    return tokens


class Parser:
    """expr := primary (('??' primary) | ('|' filter))* ; primary := '(' expr ')' | '-' primary | call | name | literal."""

    def __init__(self, text: str):
        self.text, self.tokens, self.i = text, tokenize(text), 0

    def peek(self, kind=None):
        tok = self.tokens[self.i] if self.i < len(self.tokens) else (None, None)
        return tok if kind is None or tok[0] == kind else None

    def take(self, kind):
        tok = self.peek(kind)
        if not tok:
            raise Unsupported(f"expected {kind} in expression {self.text!r}")
        self.i += 1
        return tok[1]

    def parse(self):
        node = self.expr()
        if self.i != len(self.tokens):
            raise Unsupported(f"unexpected {self.tokens[self.i][1]!r} in expression {self.text!r}")
        return node

    def expr(self):
        """Pebble's precedence climbing with Kestra's operators: `??` (120) binds tighter than the
        filter `|` (100), so `a ?? b | f` is `(a ?? b) | f`, and a chain reads left to right.
        Sources: kestra-io/kestra core/.../runners/pebble/Extension.java (BinaryOperatorImpl("??", 120, ...)),
        PebbleTemplates/pebble CoreExtension.java (BinaryOperatorImpl("|", 100, ..., FILTER, ...))."""
        node = self.primary()
        while self.peek("coalesce") or self.peek("pipe"):
            if self.peek("coalesce"):
                self.i += 1
                node = ("??", node, self.primary())  # its right side: an operand, never a filter chain
                continue
            self.i += 1
            name = self.take("name")
            if name not in FILTERS:
                raise Unsupported(f"filter {name!r} in expression {self.text!r}")
            node = ("filter", name, node, self.args())
        return node

    def args(self):
        self.take("lpar")
        args = []
        while not self.peek("rpar"):
            args.append(self.expr())
            if not self.peek("rpar"):
                self.take("comma")
        self.take("rpar")
        return args

    def primary(self):
        if self.peek("minus"):
            self.i += 1
            return ("neg", self.primary())
        if self.peek("lpar"):
            self.i += 1
            node = self.expr()
            self.take("rpar")
            return node
        if self.peek("string"):
            raw = self.take("string")[1:-1]
            return ("lit", raw.replace("\\'", "'"))
        if self.peek("int"):
            return ("lit", int(self.take("int")))
        name = self.take("name")
        if self.peek("lpar"):
            if name not in FUNCTIONS:
                raise Unsupported(f"function {name!r} in expression {self.text!r}")
            return ("call", name, self.args())
        return ("path", name)


def parse(expression: str):
    return Parser(expression).parse()


def paths(node) -> list[str]:
    """Every variable path an expression reads (for the structural tests)."""
    kind = node[0]
    if kind == "path":
        return [node[1]]
    if kind == "??":
        return paths(node[1]) + paths(node[2])
    if kind == "neg":
        return paths(node[1])
    if kind == "filter":
        return paths(node[2]) + [p for a in node[3] for p in paths(a)]
    if kind == "call":
        return [p for a in node[2] for p in paths(a)]
    return []


def expressions(value) -> list[str]:
    """All ``{{ }}`` expressions in a (nested) YAML value."""
    if isinstance(value, str):
        return [m.group(1).strip() for m in EXPRESSION.finditer(value)]
    if isinstance(value, dict):
        return [e for v in value.values() for e in expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in expressions(v)]
    return []


def to_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    raise Unsupported(f"not a date: {value!r}")


def add_months(day: dt.datetime, months: int) -> dt.datetime:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


def java_format(day: dt.datetime, pattern: str) -> str:
    parts = re.findall(r"yyyy|MM|dd|HH|mm|ss|[^A-Za-z]+|[A-Za-z]+", pattern)
    out = []
    for part in parts:
        if part in JAVA_PATTERN:
            out.append(day.strftime(JAVA_PATTERN[part]))
        elif part.isalpha():
            raise Unsupported(f"date pattern {pattern!r}")
        else:
            out.append(part)
    return "".join(out)


class Context:
    """The variables a template sees: inputs, vars, outputs, trigger, execution, flow."""

    def __init__(self, variables: dict):
        self.variables = variables

    def lookup(self, path: str):
        value = self.variables
        for part in path.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return Undefined(path)
        return value

    def evaluate(self, node):
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "path":
            return self.lookup(node[1])
        if kind == "??":
            left = self.evaluate(node[1])
            return self.evaluate(node[2]) if isinstance(left, Undefined) or left is None else left
        if kind == "neg":
            value = self.strict(self.evaluate(node[1]))
            if isinstance(value, bool) or not isinstance(value, int):
                raise Unsupported(f"unary minus on {value!r}")
            return -value
        args = [self.strict(self.evaluate(a)) for a in node[-1]]
        if kind == "call" and node[1] == "now":  # now(): the current date and time
            if args:
                raise Unsupported("now() with arguments")
            return dt.datetime.now(dt.timezone.utc)
        if kind == "call":  # render(x): render a template held in a variable
            return self.render(str(args[0]))
        value = self.strict(self.evaluate(node[2]))
        if node[1] == "dateAdd":
            amount, unit = args
            if unit == "DAYS":
                return to_datetime(value) + dt.timedelta(days=amount)
            if unit != "MONTHS":
                raise Unsupported(f"dateAdd unit {unit!r}")
            return add_months(to_datetime(value), amount)
        return java_format(to_datetime(value), args[0])  # date(pattern)

    @staticmethod
    def strict(value):
        if isinstance(value, Undefined):
            raise KeyError(f"Unable to find `{value.path}` (Kestra fails the task on an undefined variable)")
        return value

    def render(self, text):
        if isinstance(text, dict):
            return {k: self.render(v) for k, v in text.items()}
        if isinstance(text, list):
            return [self.render(v) for v in text]
        if not isinstance(text, str):
            return text
        if "{%" in text or "{#" in text:
            raise Unsupported(f"Pebble tags or comments in {text!r}")

        def one(m):
            value = self.strict(self.evaluate(parse(m.group(1).strip())))
            return value.isoformat() if isinstance(value, dt.datetime) else str(value)

        return EXPRESSION.sub(one, text)


# --- Execution -----------------------------------------------------------------------------

COMMON = {"id", "type", "description"}
MAIL = "io.kestra.plugin.email.MailSend"
PURGE_EXECUTIONS, PURGE_LOGS = "io.kestra.plugin.core.execution.PurgeExecutions", "io.kestra.plugin.core.log.PurgeLogs"
KNOWN_KEYS = {
    "io.kestra.plugin.core.flow.Parallel": COMMON | {"tasks", "failFast"},
    "io.kestra.plugin.core.flow.Sequential": COMMON | {"tasks"},
    "io.kestra.plugin.core.flow.If": COMMON | {"condition", "then", "else"},
    MAIL: COMMON
    | {
        "host",
        "port",
        "username",
        "password",
        "transportStrategy",
        "from",
        "to",
        "cc",
        "subject",
        "plainTextContent",
        "htmlTextContent",
    },
    PURGE_EXECUTIONS: COMMON
    | {
        "namespace",
        "flowId",
        "startDate",
        "endDate",
        "states",
        "purgeExecution",
        "purgeLog",
        "purgeMetric",
        "purgeStorage",
    },
    PURGE_LOGS: COMMON | {"namespace", "flowId", "startDate", "endDate"},
    "io.kestra.plugin.core.log.Log": COMMON | {"message", "level"},
    "io.kestra.plugin.scripts.python.Commands": COMMON | {"taskRunner", "commands", "env", "outputFiles", "retry"},
    "io.kestra.plugin.scripts.python.Script": COMMON | {"taskRunner", "script", "env", "outputFiles", "retry"},
    "io.kestra.plugin.jdbc.postgresql.Queries": COMMON | {"url", "username", "password", "sql", "fetchType"},
}
PROCESS = "io.kestra.plugin.core.runner.Process"


@dataclass
class TaskRun:
    task_id: str
    state: str
    attempts: int = 0
    started: float = 0.0
    ended: float = 0.0
    stdout: str = ""
    stderr: str = ""


@dataclass
class Execution:
    flow: dict
    id: str
    state: str = "RUNNING"
    inputs: dict = field(default_factory=dict)
    trigger: dict | None = None
    outputs: dict = field(default_factory=dict)  # task id -> {"vars": {...}, "outputFiles": {...}}
    metrics: list = field(default_factory=list)  # (task id, metric dict)
    logs: list = field(default_factory=list)  # (task id, level, message)
    task_runs: list = field(default_factory=list)
    flow_outputs: dict = field(default_factory=dict)
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    ended: dt.datetime | None = None
    storage: list = field(default_factory=list)  # the task working folders (Kestra's internal storage)
    fired: list = field(default_factory=list)  # executions of flows triggered by this one's end

    def run_of(self, task_id: str) -> TaskRun | None:
        return next((r for r in self.task_runs if r.task_id == task_id), None)

    def ran(self) -> list[str]:
        return [r.task_id for r in self.task_runs]


class TaskFailed(Exception):
    pass


class Harness:
    """Runs flow files; ``env`` is the environment the Kestra worker would have."""

    def __init__(self, env: dict | None = None, storage: Path | None = None, retry_interval_scale: float = 0.0):
        self.env = dict(os.environ if env is None else env)
        bindir = str(Path(sys.executable).parent)  # `bottleneck` and `python` of this venv, as in the kit image
        self.env["PATH"] = bindir + os.pathsep + self.env.get("PATH", "")
        self.env.setdefault("BOTTLENECK_KESTRA_OUTPUTS", "1")  # the kit image sets it
        # Tasks run in their own working directory, so the data folder must be absolute (the kit
        # image sets BOTTLENECK_DATA_DIR=/app/data); relative settings are taken from here.
        self.env["BOTTLENECK_DATA_DIR"] = str(Path(self.env.get("BOTTLENECK_DATA_DIR", "data")).resolve())
        for name in ("BOTTLENECK_WORK_DIR", "BOTTLENECK_OUTPUT_DIR"):
            if self.env.get(name):
                self.env[name] = str(Path(self.env[name]).resolve())
        self.storage = Path(storage or tempfile.mkdtemp(prefix="kestra-storage-"))
        self.storage.mkdir(parents=True, exist_ok=True)
        self.retry_interval_scale = retry_interval_scale
        self._lock = threading.Lock()
        # What a Kestra server keeps after an execution ends, and what the purge tasks delete:
        self.executions: dict[str, Execution] = {}  # execution id -> execution (with its metrics and storage)
        self.log_store: list[dict] = []  # {execution, namespace, flow, date, task, level, message}

    # flows ---------------------------------------------------------------------------------
    @staticmethod
    def load(name: str) -> dict:
        return yaml.safe_load((FLOWS / f"{name}.yml").read_text(encoding="utf-8"))

    def check_inputs(self, flow: dict, inputs: dict) -> dict:
        declared = {i["id"]: i for i in flow.get("inputs", [])}
        unknown = set(inputs) - set(declared)
        if unknown:
            raise ValueError(f"unknown inputs {sorted(unknown)}")
        values = {}
        for name, spec in declared.items():
            if spec["type"] not in ("STRING", "INT"):
                raise Unsupported(f"input type {spec['type']}")
            if name in inputs and inputs[name] is not None:
                if spec["type"] == "INT":
                    if isinstance(inputs[name], bool) or not re.fullmatch(r"-?\d+", str(inputs[name])):
                        raise ValueError(f"input {name}={inputs[name]!r} is not an integer")
                    values[name] = int(inputs[name])
                    continue
                value = str(inputs[name])
                if "validator" in spec and not re.fullmatch(spec["validator"], value):
                    raise ValueError(f"input {name}={value!r} does not match {spec['validator']!r}")
                values[name] = value
            elif "defaults" in spec:
                default = spec["defaults"]
                if spec["type"] == "INT" and (isinstance(default, bool) or not isinstance(default, int)):
                    raise Unsupported(f"INT input {name} with defaults {default!r}")
                values[name] = default if spec["type"] == "INT" else str(default)
            elif spec.get("required", True):
                raise ValueError(f"input {name} is required")
        return values

    def run(
        self, name: str, inputs: dict | None = None, trigger: dict | None = None, fire_triggers: bool = True
    ) -> Execution:
        flow = self.load(name)
        ex = Execution(
            flow=flow, id=uuid.uuid4().hex[:22], inputs=self.check_inputs(flow, inputs or {}), trigger=trigger
        )
        try:
            self.run_tasks(ex, flow["tasks"])
            ex.state = "SUCCESS"
        except TaskFailed:
            ex.state = "FAILED"
            try:
                self.run_tasks(ex, flow.get("errors", []))
            except TaskFailed:
                pass
        try:  # `finally` runs whatever happened; a failure there fails the execution
            self.run_tasks(ex, flow.get("finally", []))
        except TaskFailed:
            ex.state = "FAILED"
        # Kestra renders flow outputs when the execution ends, failed ones included (kestra-io/kestra#11379).
        for output in flow.get("outputs", []):
            ex.flow_outputs[output["id"]] = self.context(ex).render(output["value"])
        self.record(ex)
        if fire_triggers:
            ex.fired = self.fire_flow_triggers(ex)
        return ex

    def record(self, ex: Execution) -> None:
        """Keep the ended execution and its logs (the Log tasks' messages, each task's output)."""
        ex.ended = dt.datetime.now(dt.timezone.utc)
        with self._lock:
            self.executions[ex.id] = ex
            base = {"execution": ex.id, "namespace": ex.flow["namespace"], "flow": ex.flow["id"], "date": ex.ended}
            self.log_store += [base | {"task": t, "level": level, "message": m} for t, level, m in ex.logs]
            for run in ex.task_runs:
                self.log_store += [
                    base | {"task": run.task_id, "level": level, "message": text}
                    for level, text in (("INFO", run.stdout), ("WARN", run.stderr))
                    if text.strip()
                ]

    def age(self, ex: Execution, days: float) -> None:
        """Pretend ``ex`` (and its logs) ended ``days`` days earlier (to exercise the purge flow)."""
        shift = dt.timedelta(days=days)
        ex.started, ex.ended = ex.started - shift, ex.ended - shift
        for entry in self.log_store:
            if entry["execution"] == ex.id:
                entry["date"] -= shift

    def context(self, ex: Execution, task: dict | None = None) -> Context:
        variables = {
            "flow": {"id": ex.flow["id"], "namespace": ex.flow["namespace"]},
            "execution": {"id": ex.id, "startDate": ex.started.isoformat()},
            "inputs": ex.inputs,
            "vars": ex.flow.get("variables", {}),
            "outputs": ex.outputs,
            # Kestra exposes the worker's ENV_* variables as {{ envs.name }} (prefix removed, lower case)
            "envs": {k[4:].lower(): v for k, v in self.env.items() if k.startswith("ENV_")},
        }
        if ex.trigger is not None:
            variables["trigger"] = ex.trigger
        if task is not None:
            variables["task"] = {"id": task["id"], "type": task["type"]}
        return Context(variables)

    def run_tasks(self, ex: Execution, tasks: list, stop: threading.Event | None = None) -> None:
        """A list of tasks, one after the other: the first failure ends the list (Kestra creates no
        task run after it). ``stop`` is set by a ``failFast`` Parallel when a sibling failed: no
        later task starts. The first task of a list starts with the list itself (Kestra creates
        every branch's first task run when the Parallel starts), however fast a sibling fails."""
        for index, task in enumerate(tasks):
            if index > 0 and stop is not None and stop.is_set():
                raise TaskFailed("stopped: a sibling branch failed (failFast)")
            self.run_task(ex, task, stop)

    def run_parallel(self, ex: Execution, task: dict, stop: threading.Event | None) -> None:
        """Kestra's Parallel: every child starts at once and, by default (``failFast: false``), runs
        to its own end even when a sibling failed; the Parallel then fails. With ``failFast: true``
        siblings start no new task after the first failure (Kestra also kills the running ones: the
        harness lets a running command finish). Source: kestra-io/kestra, core/.../flow/Parallel.java."""
        fail_fast = task.get("failFast", False)
        if not isinstance(fail_fast, bool):
            raise Unsupported(f"task {task['id']}: failFast must be true or false, not {fail_fast!r}")
        branch_stop = threading.Event() if fail_fast else stop

        def child(subtask):
            try:
                self.run_task(ex, subtask, branch_stop)
            except TaskFailed:
                if fail_fast:
                    branch_stop.set()
                raise

        with ThreadPoolExecutor(max_workers=len(task["tasks"])) as pool:
            futures = [pool.submit(child, subtask) for subtask in task["tasks"]]
        failed = [f.exception() for f in futures if f.exception() is not None]
        if failed:
            raise failed[0]

    def run_task(self, ex: Execution, task: dict, stop: threading.Event | None = None) -> None:
        kind = task["type"]
        if kind not in KNOWN_KEYS:
            raise Unsupported(f"task type {kind}")
        extra = set(task) - KNOWN_KEYS[kind]
        if extra:
            raise Unsupported(f"task {task['id']}: properties {sorted(extra)} are not simulated")
        if kind.endswith(".Parallel"):
            self.run_parallel(ex, task, stop)
            return
        if kind.endswith(".Sequential"):
            self.run_tasks(ex, task["tasks"], stop)
            return
        if kind.endswith(".If"):
            condition = self.context(ex, task).render(task["condition"])
            truthy = str(condition).strip().lower() not in ("", "false", "0", "null")
            self.run_tasks(ex, task.get("then", []) if truthy else task.get("else", []), stop)
            return
        run = TaskRun(task["id"], "RUNNING", started=time.monotonic())
        with self._lock:
            ex.task_runs.append(run)
        ctx = self.context(ex, task)
        if kind.endswith(".Log"):
            with self._lock:
                ex.logs.append((task["id"], task.get("level", "INFO"), ctx.render(task["message"])))
            run.state, run.attempts, run.ended = "SUCCESS", 1, time.monotonic()
            return
        if kind in (MAIL, PURGE_EXECUTIONS, PURGE_LOGS):
            action = {MAIL: self.send_mail, PURGE_EXECUTIONS: self.purge_executions, PURGE_LOGS: self.purge_logs}[kind]
            try:
                outputs = action(ex, ctx.render({k: v for k, v in task.items() if k not in COMMON}))
            except (OSError, smtplib.SMTPException, ValueError, KeyError) as exc:
                run.state, run.ended, run.stderr = "FAILED", time.monotonic(), f"{type(exc).__name__}: {exc}"
                raise TaskFailed(task["id"]) from exc
            with self._lock:
                ex.outputs[task["id"]] = outputs
            run.state, run.attempts, run.ended = "SUCCESS", 1, time.monotonic()
            return
        if kind.endswith(".Queries"):
            self.run_queries(ex, task, run, ctx)
            return
        self.run_script(ex, task, run, ctx)

    def run_queries(self, ex: Execution, task: dict, run: TaskRun, ctx: Context) -> None:
        """PostgreSQL Queries: the rendered statements in one transaction (Kestra's default), no fetch."""
        import psycopg

        if task.get("fetchType", "NONE") != "NONE":
            raise Unsupported(f"task {task['id']}: only fetchType NONE is simulated")
        url = ctx.render(task["url"])
        match = re.fullmatch(r"jdbc:postgresql://([^/:]+)(?::(\d+))?/(\w+)", url)
        if not match:
            raise Unsupported(f"task {task['id']}: JDBC URL {url!r}")
        host, port, dbname = match.groups()
        run.attempts = 1
        try:
            with psycopg.connect(
                host=host,
                port=port or 5432,
                dbname=dbname,
                user=ctx.render(task["username"]),
                password=ctx.render(task.get("password", "")) or None,
            ) as conn:
                conn.execute(ctx.render(task["sql"]))
            run.state = "SUCCESS"
            with self._lock:
                ex.outputs[task["id"]] = {}
        except psycopg.Error as exc:
            run.stderr, run.state = str(exc), "FAILED"
        run.ended = time.monotonic()
        if run.state == "FAILED":
            raise TaskFailed(task["id"])

    # built-in tasks ------------------------------------------------------------------------
    def send_mail(self, ex: Execution, props: dict) -> dict:
        """MailSend: a real SMTP conversation with ``host:port`` (plain SMTP only)."""
        if props.get("transportStrategy") != "SMTP":
            raise Unsupported(f"MailSend transportStrategy {props.get('transportStrategy')!r}: only SMTP is simulated")
        if props.get("htmlTextContent") or props.get("cc"):
            raise Unsupported("MailSend htmlTextContent / cc")
        mail = EmailMessage()
        mail["Subject"], mail["From"], mail["To"] = props.get("subject", ""), props["from"], props["to"]
        mail.set_content(props.get("plainTextContent") or "Please view this email in a modern email client")
        with smtplib.SMTP(props["host"], int(props["port"]), timeout=10) as server:
            if props.get("username"):
                server.login(props["username"], props.get("password", ""))
            server.send_message(mail, to_addrs=[a.strip() for a in props["to"].split(";")])
        return {}

    def _purge_filter(self, props: dict):
        if props.get("startDate") or props.get("states"):
            raise Unsupported("purge startDate / states")
        end = to_datetime(props["endDate"])
        namespace, flow_id = props.get("namespace"), props.get("flowId")
        return lambda ns, flow, date: (
            date < end
            and (namespace is None or (ns == namespace if flow_id else ns.startswith(namespace)))
            and (flow_id is None or flow == flow_id)
        )

    def purge_executions(self, ex: Execution, props: dict) -> dict:
        """PurgeExecutions: executions that ended before ``endDate``, their metrics, storage and (optionally) logs."""
        matches = self._purge_filter(props)
        flag = lambda name: str(props.get(name, True)).lower() == "true"  # noqa: E731 (the four flags default to true)
        counts = {"executionsCount": 0, "logsCount": 0, "storagesCount": 0, "metricsCount": 0}
        with self._lock:
            old = [
                e
                for e in self.executions.values()
                if e.id != ex.id and matches(e.flow["namespace"], e.flow["id"], e.ended)
            ]
            for e in old:
                if flag("purgeStorage"):
                    for folder in e.storage:
                        shutil.rmtree(folder, ignore_errors=True)
                    counts["storagesCount"] += len(e.storage)
                    e.storage = []
                if flag("purgeMetric"):
                    counts["metricsCount"] += len(e.metrics)
                    e.metrics = []
                if flag("purgeLog"):
                    kept = [entry for entry in self.log_store if entry["execution"] != e.id]
                    counts["logsCount"] += len(self.log_store) - len(kept)
                    self.log_store = kept
                if flag("purgeExecution"):
                    del self.executions[e.id]
                    counts["executionsCount"] += 1
        return counts

    def purge_logs(self, ex: Execution, props: dict) -> dict:
        """PurgeLogs: every log dated before ``endDate`` (in bulk, whether its execution still exists or not)."""
        matches = self._purge_filter(props)
        with self._lock:
            kept = [e for e in self.log_store if not matches(e["namespace"], e["flow"], e["date"])]
            count, self.log_store = len(self.log_store) - len(kept), kept
        return {"count": count}

    def run_script(self, ex: Execution, task: dict, run: TaskRun, ctx: Context) -> None:
        runner = task.get("taskRunner", {})
        if runner != {"type": PROCESS}:
            raise Unsupported(f"task {task['id']}: only the Process task runner is simulated, got {runner}")
        retry = task.get("retry")
        attempts = 1
        if retry:
            if retry.get("type") != "constant" or set(retry) - {"type", "interval", "maxAttempts"}:
                raise Unsupported(f"retry {retry}")
            attempts = int(retry["maxAttempts"])
        env = dict(self.env) | {k: str(v) for k, v in ctx.render(task.get("env", {})).items()}
        for attempt in range(1, attempts + 1):
            run.attempts = attempt
            workdir = Path(tempfile.mkdtemp(prefix=f"{task['id']}-", dir=self.storage))
            ex.storage.append(workdir)
            if task["type"].endswith(".Commands"):
                script = "set -e\n" + "\n".join(ctx.render(task["commands"]))  # Kestra's failFast (default)
                argv = ["/bin/sh", "-c", script]
            else:
                (workdir / "main.py").write_text(ctx.render(task["script"]), encoding="utf-8")
                argv = ["python", "main.py"]
            proc = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
            run.stdout, run.stderr = proc.stdout, proc.stderr
            vars_, metrics = read_kestra_lines(proc.stdout)
            if proc.returncode == 0:
                files = {}
                for name in task.get("outputFiles", []):
                    if not (workdir / name).is_file():
                        proc = None
                        run.stderr += f"\noutput file {name} not found in the working directory"
                        break
                    files[name] = workdir / name
                if proc is not None:
                    with self._lock:
                        ex.outputs[task["id"]] = {"vars": vars_, "exitCode": 0} | (
                            {"outputFiles": files} if files else {}
                        )
                        ex.metrics += [(task["id"], m) for m in metrics]
                    run.state, run.ended = "SUCCESS", time.monotonic()
                    return
            if attempt < attempts:
                time.sleep(duration_seconds(retry["interval"]) * self.retry_interval_scale)
        run.state, run.ended = "FAILED", time.monotonic()
        raise TaskFailed(task["id"])

    # triggers ------------------------------------------------------------------------------
    def fire_flow_triggers(self, ex: Execution) -> list[Execution]:
        """Run every flow whose Flow trigger (``preconditions``) matches the ended execution."""
        fired = []
        for path in sorted(FLOWS.glob("*.yml")):
            flow = yaml.safe_load(path.read_text(encoding="utf-8"))
            for trigger in flow.get("triggers", []):
                if trigger["type"] != "io.kestra.plugin.core.trigger.Flow":
                    continue
                if set(trigger) - {"id", "type", "description", "states", "preconditions"}:
                    raise Unsupported(f"Flow trigger properties {sorted(trigger)}")
                if ex.state not in trigger.get("states", [ex.state]):
                    continue
                wanted = trigger["preconditions"]["flows"]
                if not any(
                    f["namespace"] == ex.flow["namespace"]
                    and f["flowId"] == ex.flow["id"]
                    and ex.state in f.get("states", [ex.state])
                    for f in wanted
                ):
                    continue
                variables = {
                    "executionId": ex.id,
                    "namespace": ex.flow["namespace"],
                    "flowId": ex.flow["id"],
                    "flowRevision": 1,
                    "state": ex.state,
                    "outputs": ex.flow_outputs,
                }
                fired.append(self.run(flow["id"], trigger=variables, fire_triggers=False))
        return fired

    def backfill(
        self, name: str, start: dt.datetime, end: dt.datetime, trigger_id: str | None = None
    ) -> list[Execution]:
        """What the Schedule trigger's backfill does: one execution per schedule date in [start, end)."""
        flow = self.load(name)
        schedules = [t for t in flow.get("triggers", []) if t["type"] == "io.kestra.plugin.core.trigger.Schedule"]
        trigger = next(t for t in schedules if trigger_id in (None, t["id"]))
        return [
            self.run(name, trigger={"date": d.isoformat()})
            for d in schedule_dates(trigger["cron"], trigger["timezone"], start, end)
        ]


def schedule_dates(cron: str, timezone: str, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Dates of a monthly cron ``M H D * *`` or a daily cron ``M H * * *`` in ``timezone`` within
    [start, end). Other crons: Unsupported."""
    daily = re.fullmatch(r"(\d+) (\d+) \* \* \*", cron)
    if daily:
        minute, hour = map(int, daily.groups())
        zone, day = ZoneInfo(timezone), start.astimezone(ZoneInfo(timezone)).date()
        dates = []
        while (candidate := dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)) < end:
            if candidate >= start:
                dates.append(candidate)
            day += dt.timedelta(days=1)
        return dates
    m = re.fullmatch(r"(\d+) (\d+) (\d+) \* \*", cron)
    if not m:
        raise Unsupported(f"cron {cron!r}: the harness only expands 'M H D * *' and 'M H * * *'")
    minute, hour, day = map(int, m.groups())
    zone = ZoneInfo(timezone)
    dates, cursor = [], dt.datetime(start.year, start.month, 1)
    while True:
        candidate = dt.datetime(cursor.year, cursor.month, day, hour, minute, tzinfo=zone)
        if candidate >= end:
            return dates
        if candidate >= start:
            dates.append(candidate)
        cursor = add_months(cursor, 1)


def duration_seconds(iso: str) -> float:
    m = re.fullmatch(r"PT(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", iso)
    if not m:
        raise Unsupported(f"duration {iso!r}")
    return int(m.group(1) or 0) * 60 + float(m.group(2) or 0)


def read_kestra_lines(stdout: str) -> tuple[dict, list]:
    """Outputs and metrics from the ``::{json}::`` lines the ``kestra`` library prints."""
    outputs, metrics = {}, []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("::{") and line.endswith("}::"):
            message = json.loads(line[2:-2])
            outputs.update(message.get("outputs", {}))
            metrics += message.get("metrics", [])
    return outputs, metrics


def copy_output_files(ex: Execution, task_id: str, dest: Path) -> Path:
    """Download a task's outputFiles, as the UI's Outputs tab does."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, path in ex.outputs[task_id]["outputFiles"].items():
        shutil.copy2(path, dest / name)
    return dest


def main(argv=None) -> int:
    """Run a flow file once, natively, with this harness: ``python kestra/tests/flow_harness.py --month 2026-10``."""
    import argparse

    parser = argparse.ArgumentParser(
        description="Run kestra/flows/<flow>.yml once without a Kestra server (test harness)."
    )
    parser.add_argument("--month", help="YYYY-MM (default: the month before today, as a manual Kestra run)")
    parser.add_argument("--flow", default="bottleneck_monthly")
    args = parser.parse_args(argv)
    ex = Harness().run(args.flow, {"month": args.month} if args.month else {})
    for run in ex.task_runs:
        print(f"{run.state:<8} {run.task_id:<22} {run.ended - run.started:6.1f}s  attempts {run.attempts}")
        if run.state == "FAILED":
            print(run.stderr.strip(), file=sys.stderr)
    for task_id, level, message in ex.logs + [log for f in ex.fired for log in f.logs]:
        print(f"{level} [{task_id}] {message}", file=sys.stderr)
    print(f"{ex.flow['id']} {ex.state} outputs={ex.flow_outputs}")
    return 0 if ex.state == "SUCCESS" else 1


if __name__ == "__main__":
    sys.exit(main())
