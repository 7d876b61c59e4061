"""Checker of exercise 11: deployments() serves `monthly` and a second deployment, `early-preview`,
at 07:00 on the 1st of every month (Paris). No server: deployments are built, never served."""

from __future__ import annotations

import prefect_kit  # first: sets PREFECT_HOME before prefect is imported
import pytest
from checklib import expect


@pytest.fixture(scope="module")
def deployments():
    module = prefect_kit.flow_module("exercise_monthly_report_11")
    expect(
        callable(getattr(module, "deployments", None)),
        "monthly_report.py must keep deployments().",
        "monthly_report.py doit garder deployments().",
    )
    return {d.name: d for d in module.deployments()}


def crons(deployment) -> list[tuple[str, str]]:
    return [(s.schedule.cron, s.schedule.timezone) for s in deployment.schedules]


def test_starter_monthly_deployment_is_unchanged(deployments):
    expect("monthly" in deployments, "The `monthly` deployment is gone.", "Le déploiement `monthly` a disparu.")
    expect(
        crons(deployments["monthly"]) == [("0 9 15 * *", "Europe/Paris")],
        f"`monthly` must keep its schedule 0 9 15 * * (Europe/Paris): {crons(deployments['monthly'])}.",
        f"`monthly` doit garder son planning 0 9 15 * * (Europe/Paris) : {crons(deployments['monthly'])}.",
    )


def test_the_early_preview_deployment_exists(deployments):
    expect(
        "early-preview" in deployments,
        f"No deployment `early-preview`; deployments() returns {sorted(deployments)}.",
        f"Pas de déploiement `early-preview` ; deployments() renvoie {sorted(deployments)}.",
        "monthly_report.to_deployment(name=..., schedules=[Cron(...)]) builds one; serve() takes several.",
        "monthly_report.to_deployment(name=..., schedules=[Cron(...)]) en construit un ; serve() en prend plusieurs.",
    )
    preview = deployments["early-preview"]
    expect(
        crons(preview) == [("0 7 1 * *", "Europe/Paris")],
        f"`early-preview` should run at 07:00 on the 1st (Europe/Paris); its schedules are {crons(preview)}.",
        f"`early-preview` devrait tourner à 7 h le 1er du mois (Europe/Paris) ; ses plannings sont {crons(preview)}.",
        'Cron("minute hour day-of-month month day-of-week", timezone="Europe/Paris").',
        'Cron("minute heure jour-du-mois mois jour-de-semaine", timezone="Europe/Paris").',
    )
    expect(
        not (preview.parameters or {}).get("month"),
        "`early-preview` must not fix `month`: each run processes the month before its scheduled day.",
        "`early-preview` ne doit pas fixer `month` : chaque exécution traite le mois précédant sa date planifiée.",
    )
    expect(
        preview.flow_name == deployments["monthly"].flow_name,
        "Both deployments must run the same flow.",
        "Les deux déploiements doivent lancer le même flow.",
    )
