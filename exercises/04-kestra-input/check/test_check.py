"""Checker of exercise 04: a `lang` input, used by every gate task (BOTTLENECK_LANG)."""

from __future__ import annotations

import re

import pytest
from checklib import expect, work_file
from kestra_kit import explain, fh, load_flow, only_branch, run_flow, structure, validate

MONTH = "2026-10"


@pytest.fixture(scope="module")
def flow() -> dict:
    return load_flow(work_file("bottleneck_monthly.yml"))


def lang_input(flow: dict) -> dict | None:
    return next((i for i in flow.get("inputs", []) if i.get("id") == "lang"), None)


def gate_tasks(flow: dict) -> list[dict]:
    return [t for t, _ in structure.all_tasks(flow) if t["id"].startswith("check_")]


def test_starter_flow_loads(flow):
    """The flow file is valid for the kit's structural validator (Kestra 1.3 types, expressions)."""
    failures = validate(work_file("bottleneck_monthly.yml"))
    expect(
        not failures,
        "The flow is not valid:\n" + "\n".join(failures),
        "Le flow n'est pas valide :\n" + "\n".join(failures),
        "Compare your YAML with the starter: indentation, property names.",
        "Comparez votre YAML avec celui de départ : indentation, noms des propriétés.",
    )
    expect(
        flow["id"] == "bottleneck_monthly",
        "The flow id must stay bottleneck_monthly.",
        "L'id du flow doit rester bottleneck_monthly.",
    )


def test_lang_input_is_declared(flow):
    spec = lang_input(flow)
    expect(
        spec is not None,
        "No input with id `lang` in `inputs:`.",
        "Aucun input d'id `lang` dans `inputs:`.",
        "Add a second input under `month`: id, type STRING, required false, a validator.",
        "Ajoutez un second input sous `month` : id, type STRING, required false, un validator.",
    )
    expect(
        spec.get("type") == "STRING" and spec.get("required") is False,
        "The `lang` input must be of type STRING and optional (required: false).",
        "L'input `lang` doit être de type STRING et facultatif (required: false).",
        "A run without `lang` keeps English; the harness does not simulate `defaults`.",
        "Une exécution sans `lang` reste en anglais ; le banc d'essai ne simule pas `defaults`.",
    )
    validator = spec.get("validator", "")
    ok = all(re.fullmatch(validator, v) for v in ("en", "fr")) and not any(
        re.fullmatch(validator, v) for v in ("de", "", "french", "EN fr")
    )
    expect(
        validator and ok,
        f"The validator {validator!r} must accept en and fr, and nothing else.",
        f"Le validator {validator!r} doit accepter en et fr, et rien d'autre.",
        "A regular expression with an alternative: ^(en|fr)$",
        "Une expression régulière avec une alternative : ^(en|fr)$",
    )


def test_every_gate_speaks_the_chosen_language(flow):
    gates = gate_tasks(flow)
    missing = [t["id"] for t in gates if "BOTTLENECK_LANG" not in (t.get("env") or {})]
    expect(
        not missing,
        f"These gate tasks set no BOTTLENECK_LANG in `env:`: {', '.join(missing)}.",
        f"Ces tâches de contrôle ne fixent pas BOTTLENECK_LANG dans `env:` : {', '.join(missing)}.",
        "On each check_* task: env: {BOTTLENECK_LANG: \"{{ inputs.lang ?? 'en' }}\"}",
        "Sur chaque tâche check_* : env: {BOTTLENECK_LANG: \"{{ inputs.lang ?? 'en' }}\"}",
    )
    for given, wanted in (({"lang": "fr"}, "fr"), ({"lang": "en"}, "en"), ({}, "en")):
        for task in gates:
            value = fh.Context({"inputs": given, "vars": flow.get("variables", {})}).render(
                task["env"]["BOTTLENECK_LANG"]
            )
            expect(
                value == wanted,
                f"{task['id']}: with inputs {given}, BOTTLENECK_LANG is {value!r}, expected {wanted!r}.",
                f"{task['id']} : avec les inputs {given}, BOTTLENECK_LANG vaut {value!r} au lieu de {wanted!r}.",
                "Use the input, with English when it is empty: {{ inputs.lang ?? 'en' }}",
                "Utilisez l'input, et l'anglais s'il est vide : {{ inputs.lang ?? 'en' }}",
            )


def test_a_french_run_reports_the_failed_gate_in_french(flow, tmp_path):
    """The erp branch of the flow, on a month with blanked ERP prices, run with lang=fr."""
    import bottleneck_testkit as testing
    from bottleneck_core import runner
    from bottleneck_core.config import Paths
    from bottleneck_core.errors import GateFailed

    expect(lang_input(flow) is not None, "Declare the `lang` input first.", "Déclarez d'abord l'input `lang`.")
    sources = testing.sample_month(MONTH, tmp_path / "data")
    testing.break_prices(sources)  # the gate after clean_erp must stop the run
    ex = run_flow(only_branch(flow, "erp_branch"), tmp_path / "data", tmp_path, {"month": MONTH, "lang": "fr"})
    failed = ex.run_of("check_clean_erp")
    expect(
        ex.state == "FAILED" and failed is not None and failed.state == "FAILED",
        f"The broken month should fail at check_clean_erp:\n{explain(ex)}",
        f"Le mois cassé devrait échouer à check_clean_erp :\n{explain(ex)}",
    )
    try:  # what core says about the same work folder, in French
        runner.run_checks(
            "clean_erp",
            Paths.for_month(
                MONTH, sources=sources, work_root=tmp_path / "data" / "work", output_root=tmp_path / "data" / "output"
            ),
        )
        raise AssertionError("the broken month passed the clean_erp gate in-process")  # the checker itself is wrong
    except GateFailed as exc:
        french = exc.text("fr").splitlines()[0]
    said = failed.stdout + "\n" + failed.stderr
    first = next((line for line in said.splitlines() if line.startswith("✗")), "")
    expect(
        french in first,
        f"With lang=fr the gate task said {first!r}; expected the French message {french!r}.",
        f"Avec lang=fr la tâche de contrôle a dit {first!r} au lieu du message en français {french!r}.",
        "Does check_clean_erp pass the input to BOTTLENECK_LANG in its env?",
        "check_clean_erp transmet-elle bien l'input à BOTTLENECK_LANG dans son env ?",
    )
