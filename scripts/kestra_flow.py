"""Write kestra/flows/bottleneck_monthly.yml from core's step graph (graph.STEPS).

Run by `make lineage`; a test fails when the committed flow differs from what this script writes.
The step tasks (their order, branches, descriptions, retries, the gates' check lists, export's
output files) all come from the graph; the rest of the flow (inputs, schedule, error handler) is
written out below as plain YAML, so the generated file reads like a hand-written one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bottleneck_core import config, graph

FLOW = Path(__file__).resolve().parents[1] / "kestra" / "flows" / f"{config.PIPELINE_NAME}.yml"

HEAD = """# BottleNeck monthly pipeline as a Kestra 1.3 flow: one task per core step, one gate task per step.
# Each task only calls the core CLI (`bottleneck step` / `bottleneck check`); all logic lives in core/.
# Generated from core's step graph by `make lineage` (scripts/kestra_flow.py): edit that script,
# not this file, or a test reports the difference.
id: {pipeline}
namespace: bottleneck
description: |
  BottleNeck monthly wine-sales pipeline (ERP + link file + web shop -> revenue and premium reports).
  Three source branches run in parallel (extract -> gate -> clean -> gate -> dedup -> gate), then
  merge, revenue, premium and export, each followed by its quality gate. A failed gate fails the
  run at once (gates are never retried); only I/O steps (extract_*, export) are retried.
  Scheduled on the 15th of each month at 09:00 Europe/Paris for the previous month.

labels:
  project: bottleneck

inputs:
  - id: month
    type: STRING
    displayName: Batch month (YYYY-MM)
    description: |
      The month to process. Leave empty: a scheduled (or backfilled) run takes the month
      before its trigger date, a manual run the month before today.
    required: false
    validator: ^\\d{4}-(0[1-9]|1[0-2])$

variables:
  # The batch month. Tasks read it with {{ render(vars.month) }} (variables are not rendered recursively).
  month: "{{ inputs.month ?? ((trigger.date ?? execution.startDate) | dateAdd(-1, 'MONTHS') | date('yyyy-MM')) }}"

"""

TAIL = """  - id: run_statistics
    type: io.kestra.plugin.scripts.python.Commands
    description: "The run's statistics block (month, start and duration, rows merged, revenue, files, checks): read it in the Logs tab."
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - bottleneck stats --month {{ render(vars.month) }} --started {{ execution.startDate }}

errors:
  - id: log_failure
    type: io.kestra.plugin.core.log.Log
    level: ERROR
    message: >-
      BottleNeck run {{ execution.id }} for month {{ render(vars.month) }} FAILED: a quality gate
      or a step stopped the pipeline; no report was published for this month. Open the Gantt view
      to see which task failed and its Logs tab for the bilingual reason.
      / Le run BottleNeck {{ execution.id }} du mois {{ render(vars.month) }} a ÉCHOUÉ : un contrôle
      qualité ou une étape a arrêté le pipeline ; aucun rapport n'a été publié pour ce mois.

outputs:
  - id: month
    type: STRING
    description: The batch month this execution processed (read by the alert flow).
    value: "{{ render(vars.month) }}"

triggers:
  - id: monthly_schedule
    type: io.kestra.plugin.core.trigger.Schedule
    description: 09:00 on the 15th of every month, Paris time; the run processes the previous month.
    cron: "__CRON__"
    timezone: __TIMEZONE__
"""

RETRY = """retry:
  type: constant
  interval: PT30S
  maxAttempts: 3
"""


def indent(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(keepends=True))


def task(task_id: str, description: str, commands: list[str], extra: str = "") -> str:
    """One Commands task running the core CLI with the Process task runner."""
    lines = "".join(f"    {c}\n" if c.startswith("#") else f"    - {c}\n" for c in commands)  # a comment, or a command
    return (
        f"- id: {task_id}\n"
        f"  type: io.kestra.plugin.scripts.python.Commands\n"
        f'  description: "{description}"\n'
        f"  taskRunner:\n"
        f"    type: io.kestra.plugin.core.runner.Process\n"
        f"  commands:\n{lines}{indent(extra, 2)}"
    )


def step_tasks(step: graph.Step) -> list[str]:
    """The step's task, then its gate task."""
    month = "--month {{ render(vars.month) }}"
    commands, extra = [f"bottleneck step {step.name} {month}"], ""
    if step.name == "export":
        commands += [
            "# copy the published reports into the task's working directory: outputFiles picks them up",
            'cp "${BOTTLENECK_OUTPUT_DIR:-${BOTTLENECK_DATA_DIR:-data}/output}/{{ render(vars.month) }}"/* .',
        ]
        extra = "outputFiles:\n" + "".join(f"  - {name}\n" for name in step.outputs)
    if step.io:
        extra += RETRY
    gate = f"Quality gate of {step.name}: {', '.join(step.checks)}."
    return [
        task(step.name, step.en, commands, extra),
        task(f"check_{step.name}", gate, [f"bottleneck check {step.name} {month}"]),
    ]


def render() -> str:
    branches = list(dict.fromkeys(s.branch for s in graph.STEPS if s.branch))
    out = [
        HEAD.replace("{pipeline}", config.PIPELINE_NAME),
        "tasks:\n  - id: sources\n    type: io.kestra.plugin.core.flow.Parallel\n"
        "    description: The three source branches are independent, so they run at the same time.\n    tasks:\n",
    ]
    for number, branch in enumerate(branches):
        tasks = [t for s in graph.STEPS if s.branch == branch for t in step_tasks(s)]
        out.append(
            ("\n" if number else "") + f"      - id: {branch}_branch\n"
            "        type: io.kestra.plugin.core.flow.Sequential\n        tasks:\n"
        )
        out.append("\n".join(indent(t, 10) for t in tasks))
    for step in (s for s in graph.STEPS if not s.branch):
        out.append("\n" + "\n".join(indent(t, 2) for t in step_tasks(step)))
    out.append("\n" + TAIL.replace("__CRON__", config.MONTHLY_CRON).replace("__TIMEZONE__", config.TIMEZONE))
    return "".join(out)


def main() -> int:
    FLOW.write_text(render(), encoding="utf-8")
    print(FLOW)
    return 0


if __name__ == "__main__":
    sys.exit(main())
