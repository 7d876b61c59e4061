"""Checker of exercise 05: the erp branch runs in the Docker task runner; the trade-off is explained.

There is no Docker engine where the checks run: the Docker settings are checked structurally
(the kit's validator and catalogue of Kestra 1.3 properties), then the harness runs the flow
with Docker swapped back to Process, to prove nothing else changed.
"""

from __future__ import annotations

import re

import pytest
from checklib import expect, work_file
from kestra_kit import explain, fh, load_flow, only_branch, run_flow, script_tasks, structure, validate

MONTH = "2026-10"
DOCKER = "io.kestra.plugin.scripts.runner.docker.Docker"
IMAGE = "bottleneck-pipeline:0.1.0"


@pytest.fixture(scope="module")
def flow() -> dict:
    return load_flow(work_file("bottleneck_monthly.yml"))


def branch_of(parents) -> str | None:
    return next((p["id"] for p in parents if p["id"].endswith("_branch")), None)


def test_starter_flow_loads(flow):
    """Valid for the kit's structural validator, except its rule that every task uses Process."""
    failures = validate(work_file("bottleneck_monthly.yml"), skip=("test_script_tasks_run_in_the_process_runner",))
    expect(
        not failures,
        "The flow is not valid:\n" + "\n".join(failures),
        "Le flow n'est pas valide :\n" + "\n".join(failures),
        "Only properties of the Kestra 1.3 catalogue (kestra/tests/kestra_1_3_catalogue.yml) are allowed.",
        "Seules les propriétés du catalogue Kestra 1.3 (kestra/tests/kestra_1_3_catalogue.yml) sont permises.",
    )


def test_erp_branch_runs_in_docker(flow):
    erp = [t for t, parents in script_tasks(flow) if branch_of(parents) == "erp_branch"]
    expect(erp, "No erp_branch found in the flow.", "Pas de erp_branch dans le flow.")
    process = [t["id"] for t in erp if t.get("taskRunner", {}).get("type") != DOCKER]
    expect(
        not process,
        f"These erp_branch tasks do not use the Docker task runner: {', '.join(process)}.",
        f"Ces tâches de erp_branch n'utilisent pas le task runner Docker : {', '.join(process)}.",
        f"taskRunner: {{type: {DOCKER}}} on each of the six tasks of the branch.",
        f"taskRunner: {{type: {DOCKER}}} sur chacune des six tâches de la branche.",
    )
    for task in erp:
        runner = task["taskRunner"]
        expect(
            task.get("containerImage") == IMAGE,
            f"{task['id']}: containerImage must be {IMAGE} (the kit's pipeline image).",
            f"{task['id']} : containerImage doit valoir {IMAGE} (l'image pipeline du kit).",
            "The image is a property of the task (containerImage), not of the runner.",
            "L'image est une propriété de la tâche (containerImage), pas du runner.",
        )
        expect(
            runner.get("pullPolicy") == "NEVER",
            f"{task['id']}: the image is built locally, so pullPolicy must be NEVER.",
            f"{task['id']} : l'image est construite en local, donc pullPolicy doit valoir NEVER.",
            "compose/kestra.yml builds bottleneck-pipeline:0.1.0; no registry has it.",
            "compose/kestra.yml construit bottleneck-pipeline:0.1.0 ; aucun registre ne l'a.",
        )
        volumes = runner.get("volumes") or []
        expect(
            any(str(v).endswith(":/app/data") for v in volumes),
            f"{task['id']}: the container cannot see the data folder: mount it on /app/data (volumes).",
            f"{task['id']} : le conteneur ne voit pas le dossier de données : montez-le sur /app/data (volumes).",
            "The image sets BOTTLENECK_DATA_DIR=/app/data; the host path comes first: /host/path/data:/app/data",
            "L'image fixe BOTTLENECK_DATA_DIR=/app/data ; le chemin de l'hôte vient d'abord : /chemin/hote/data:/app/data",
        )


def test_the_other_branches_keep_the_process_runner(flow):
    others = [
        t["id"]
        for t, parents in script_tasks(flow)
        if branch_of(parents) != "erp_branch" and t.get("taskRunner", {}).get("type") != fh.PROCESS
    ]
    expect(
        not others,
        f"Only the erp branch moves to Docker; these tasks changed too: {', '.join(others)}.",
        f"Seule la branche erp passe sur Docker ; ces tâches ont changé aussi : {', '.join(others)}.",
    )


def test_the_task_graph_is_unchanged(flow):
    """Same steps, same gates, same order and retries: the kit's graph-mapping checks."""
    mapping = structure.TestGraphMapping()
    mapping.flow, mapping.tasks = flow, list(structure.all_tasks(flow))
    for name in [n for n in dir(mapping) if n.startswith("test_")]:
        try:
            getattr(mapping, name)()
        except AssertionError as exc:
            expect(
                False,
                f"{name}: {exc}",
                f"{name} : {exc}",
                "Change the task runner only; keep ids, commands, order and retries.",
                "Ne changez que le task runner ; gardez les ids, les commandes, l'ordre et les retries.",
            )


def test_the_erp_branch_still_runs(flow, tmp_path):
    """The harness cannot start containers: it runs the erp branch with Docker swapped back to Process."""
    import bottleneck_testkit as testing

    local = only_branch(flow, "erp_branch")
    for task, _ in script_tasks(local):
        if task.get("taskRunner", {}).get("type") == DOCKER:
            task["taskRunner"] = {"type": fh.PROCESS}
            task.pop("containerImage", None)
    testing.sample_month(MONTH, tmp_path / "data")
    ex = run_flow(local, tmp_path / "data", tmp_path, {"month": MONTH})
    expect(
        ex.state == "SUCCESS",
        f"The erp branch failed in the harness:\n{explain(ex)}",
        f"La branche erp a échoué dans le banc d'essai :\n{explain(ex)}",
    )


def test_the_trade_off_is_explained():
    text = work_file("answer.txt").read_text(encoding="utf-8")
    answer = text.split("\n## ", 1)[-1].split("\n", 1)[-1]  # what follows the question's heading
    words = re.findall(r"\w+", answer)
    expect(
        "TODO" not in answer and len(words) >= 40,
        f"answer.txt: the answer has {len(words)} words (or still says TODO); 40 or more are expected.",
        f"answer.txt : la réponse compte {len(words)} mots (ou dit encore TODO) ; 40 ou plus sont attendus.",
        "Say what each task gains (isolation, pinned versions) and what it costs (start time, the Docker socket).",
        "Dites ce que chaque tâche y gagne (isolation, versions figées) et ce que cela coûte (démarrage, socket Docker).",
    )
    topics = {
        "isolation": r"isol",
        "cost": r"slow|lent|start|démarr|overhead|surco[uû]t|second",
        "security": r"socket|root|sécurit|security",
    }
    missing = [name for name, pattern in topics.items() if not re.search(pattern, answer, re.I)]
    expect(
        not missing,
        f"answer.txt does not discuss: {', '.join(missing)}.",
        f"answer.txt n'aborde pas : {', '.join(missing)}.",
        "Three points: what isolation brings, what a container per task costs in time, what the Docker socket gives away.",
        "Trois points : ce qu'apporte l'isolation, ce que coûte en temps un conteneur par tâche, ce que livre le socket Docker.",
    )
