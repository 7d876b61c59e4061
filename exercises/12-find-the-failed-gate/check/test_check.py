"""Checker of exercise 12: for each tool, the step, gate and message of the failure the student found.

The right answer is not written here: the checker breaks a private copy of the month with the
same recipe (`bottleneck break ... --fault blank-prices`), runs core on it, and reads the first
failed error-level gate that core recorded. Every tool shows that same verdict.
"""

from __future__ import annotations

import re

import pytest
import tomllib
from checklib import expect, work_file

from bottleneck_core import graph

MONTH = "2026-10"
FAULT = "blank-prices"
TOOLS = ("kestra", "airflow", "dagster", "prefect")


def damage(sources) -> None:
    """The failure recipe's fault; the kit's test helper does the same while `bottleneck break` is missing."""
    try:
        from bottleneck_core import faults
    except ImportError:
        from bottleneck_testkit import break_prices

        break_prices(sources)  # blanks every ERP price, as the recipe's blank-prices fault does
        return
    faults.get(FAULT).damage(sources)


@pytest.fixture(scope="module")
def truth(tmp_path_factory) -> dict:
    """What core says about the broken month: the first failed error-level gate."""
    import bottleneck_testkit as testing
    from bottleneck_core.config import Paths
    from bottleneck_core.errors import GateFailed
    from bottleneck_core.runner import run_pipeline
    from bottleneck_core.summary import month_summary

    root = tmp_path_factory.mktemp("broken")
    sources = testing.sample_month(MONTH, root)
    damage(sources)
    paths = Paths.for_month(MONTH, sources=sources, work_root=root / "work", output_root=root / "output")
    with pytest.raises(GateFailed):
        run_pipeline(paths)
    failed = [c for c in month_summary(paths)["checks"] if c["status"] == "failed" and c["level"] == "error"]
    assert failed, "the broken month failed no error-level gate: the checker is out of date"
    return failed[0]


@pytest.fixture(scope="module")
def answers() -> dict:
    text = work_file("answers.toml").read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        expect(
            False,
            f"answers.toml is not valid TOML: {exc}",
            f"answers.toml n'est pas du TOML valide : {exc}",
            "Keep the quotes around each value.",
            "Gardez les guillemets autour de chaque valeur.",
        )


def test_starter_form_is_readable(answers):
    missing = [t for t in TOOLS if not isinstance(answers.get(t), dict)]
    expect(
        not missing, f"answers.toml has no section for {missing}.", f"answers.toml n'a pas de section pour {missing}."
    )


def step_of(answer: str) -> str:
    """The core step a tool's name points to: check_clean_erp, clean_erp, erp_clean (an asset)..."""
    name = answer.strip().lower()
    name = re.split(r"[\s:/.]+", name)[0] if name else name  # "erp_clean:quality_gates" -> "erp_clean"
    name = name.removeprefix("check_")
    return graph.PRODUCERS.get(name, name)


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def check_tool(tool: str, answers: dict, truth: dict) -> None:
    answer = answers.get(tool) or {}
    step, gate, message = (str(answer.get(k, "")) for k in ("step", "gate", "message"))
    expect(
        step and gate and message,
        f"[{tool}]: fill in step, gate and message.",
        f"[{tool}] : remplissez step, gate et message.",
        f"Run the broken month in {tool}, open the failed run, and read the failed task or check.",
        f"Exécutez le mois cassé dans {tool}, ouvrez l'exécution en échec et lisez la tâche ou le contrôle en échec.",
    )
    expect(
        step_of(step) == truth["step"],
        f"[{tool}] step {step!r}: that is not where the run stopped.",
        f"[{tool}] step {step!r} : ce n'est pas là que l'exécution s'est arrêtée.",
        "The first failed task is not always the last red one: read the order of the tasks.",
        "La première tâche en échec n'est pas forcément la dernière en rouge : regardez l'ordre des tâches.",
    )
    expect(
        gate.strip() == truth["name"],
        f"[{tool}] gate {gate!r}: not the gate that stopped the run.",
        f"[{tool}] gate {gate!r} : ce n'est pas le contrôle qui a arrêté l'exécution.",
        "Warnings are logged too: the gate that stops the run is an ERROR.",
        "Les avertissements sont aussi journalisés : le contrôle qui arrête l'exécution est une ERREUR.",
    )
    said = normal(message).strip("✗ ").removeprefix(f"[{truth['name']}]").strip()
    known = [normal(truth["message_en"]), normal(truth["message_fr"])]
    expect(
        len(said) >= 20 and any(said in k or k in said for k in known),
        f"[{tool}] message {message!r} is not the gate's message (or under 20 characters).",
        f"[{tool}] message {message!r} n'est pas le message du contrôle (ou fait moins de 20 caractères).",
        "Copy it from the tool, in English or in French; its first line is enough.",
        "Copiez-le depuis l'outil, en français ou en anglais ; sa première ligne suffit.",
    )


def test_kestra_answer(answers, truth):
    check_tool("kestra", answers, truth)


def test_airflow_answer(answers, truth):
    check_tool("airflow", answers, truth)


def test_dagster_answer(answers, truth):
    check_tool("dagster", answers, truth)


def test_prefect_answer(answers, truth):
    check_tool("prefect", answers, truth)
