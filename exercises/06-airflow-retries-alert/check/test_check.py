"""Checker of exercise 06: retries on the I/O steps only, and an on_failure_callback that alerts.

No database and no scheduler: the DAG is parsed as Airflow parses it (DagBag), and the callback
is called the way Airflow calls it, with a task's context, against a local webhook receiver.
"""

from __future__ import annotations

import airflow_kit  # first: sets AIRFLOW_HOME before airflow is imported
import pytest
from checklib import expect

from bottleneck_core import graph


@pytest.fixture(scope="module")
def dag():
    bag = airflow_kit.dag_bag()
    errors = "\n".join(f"{k}: {v}" for k, v in bag.import_errors.items())
    expect(
        not bag.import_errors,
        f"The DAG file does not import:\n{errors}",
        f"Le fichier du DAG ne s'importe pas :\n{errors}",
        "Run `python bottleneck_monthly.py` in .venvs/airflow to see the error.",
        "Lancez `python bottleneck_monthly.py` dans .venvs/airflow pour voir l'erreur.",
    )
    return bag.dags[airflow_kit.DAG_ID]


def test_starter_dag_loads(dag):
    """The DAG parses and still has one task per core step and one gate task per step."""
    wanted = {s.name for s in graph.STEPS} | {f"check_{s.name}" for s in graph.STEPS}
    missing = wanted - set(dag.task_ids)
    expect(
        not missing, f"Tasks missing from the DAG: {sorted(missing)}.", f"Tâches absentes du DAG : {sorted(missing)}."
    )


def test_io_steps_are_retried_and_gates_are_not(dag):
    for step in graph.STEPS:
        work, gate = dag.get_task(step.name), dag.get_task(f"check_{step.name}")
        if step.io:
            expect(
                work.retries >= 1 and work.retry_delay.total_seconds() > 0,
                f"{step.name} reads or writes files but has retries={work.retries}, retry_delay={work.retry_delay}.",
                f"{step.name} lit ou écrit des fichiers mais a retries={work.retries}, retry_delay={work.retry_delay}.",
                "Give the I/O steps (Step.io) retries and a retry_delay: a locked file may work a minute later.",
                "Donnez aux étapes d'E/S (Step.io) des retries et un retry_delay : un fichier verrouillé peut passer une minute plus tard.",
            )
        else:
            expect(
                work.retries == 0,
                f"{step.name} is no I/O step and must not be retried (retries={work.retries}).",
                f"{step.name} n'est pas une étape d'E/S et ne doit pas être relancée (retries={work.retries}).",
            )
        expect(
            gate.retries == 0,
            f"check_{step.name} is a quality gate: retries must be 0 (bad data does not get better).",
            f"check_{step.name} est un contrôle qualité : retries doit valoir 0 (de mauvaises données ne s'améliorent pas).",
        )


def callbacks(task) -> list:
    found = task.on_failure_callback
    return list(found) if isinstance(found, (list, tuple)) else [found] if found else []


def test_every_task_has_the_failure_callback(dag):
    without = [t.task_id for t in dag.tasks if not callbacks(t)]
    expect(
        not without,
        f"{len(without)} task(s) have no on_failure_callback: {', '.join(without[:6])}...",
        f"{len(without)} tâche(s) sans on_failure_callback : {', '.join(without[:6])}...",
        "One line in the @dag's default_args gives it to every task.",
        "Une ligne dans les default_args du @dag la donne à toutes les tâches.",
    )


class Obj:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_the_callback_posts_to_the_webhook(dag, monkeypatch):
    import pendulum

    from bottleneck_testkit import WebhookReceiver

    task = dag.get_task("check_clean_erp")
    expect(
        callbacks(task), "check_clean_erp has no on_failure_callback.", "check_clean_erp n'a pas d'on_failure_callback."
    )
    context = {
        "params": {"month": None},
        "data_interval_start": pendulum.datetime(2026, 10, 15, 9, tz="Europe/Paris"),
        "dag_run": Obj(run_after=pendulum.datetime(2026, 11, 15, 9, tz="Europe/Paris")),
        "ti": Obj(task_id="check_clean_erp", dag_id=dag.dag_id),
        "task": task,
        "dag": dag,
        "run_id": "scheduled__2026-10-15T07:00:00+00:00",
        "exception": RuntimeError("erp_price_not_negative failed"),
    }
    with WebhookReceiver() as hook:
        monkeypatch.setenv("BOTTLENECK_ALERT_WEBHOOK", hook.url)
        for callback in callbacks(task):
            callback(context)
        received = hook.wait(1, timeout=10)
    expect(
        received,
        "The callback posted nothing to BOTTLENECK_ALERT_WEBHOOK.",
        "Le callback n'a rien posté sur BOTTLENECK_ALERT_WEBHOOK.",
        "Call core's send_alert(TOOL, month, context['run_id'], reason): it reads the webhook URL itself.",
        "Appelez send_alert(TOOL, month, context['run_id'], reason) du cœur : il lit lui-même l'URL du webhook.",
    )
    alert = received[0]
    expect(
        alert.get("tool") == "airflow" and alert.get("month") == "2026-10" and alert.get("run") == context["run_id"],
        f"The alert should name tool airflow, month 2026-10 and the run id; it was {alert}.",
        f"L'alerte devrait nommer l'outil airflow, le mois 2026-10 et l'id du run ; elle valait {alert}.",
        "The month comes from month_of(params, data_interval_start, dag_run).",
        "Le mois vient de month_of(params, data_interval_start, dag_run).",
    )
    expect(
        "check_clean_erp" in str(alert.get("reason")),
        f"The reason should name the failed task: {alert.get('reason')!r}.",
        f"La raison devrait nommer la tâche en échec : {alert.get('reason')!r}.",
        "context['ti'].task_id",
        "context['ti'].task_id",
    )
