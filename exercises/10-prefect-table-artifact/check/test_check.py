"""Checker of exercise 10: publish_summary also makes the table artifact `bottleneck-<month>-checks`.

The month's work folder is made by core in-process; publish_summary runs inside a small flow
against Prefect's own test harness (a throw-away API server), whose artifacts are then read back.
"""

from __future__ import annotations

import json

import prefect_kit  # first: sets PREFECT_HOME before prefect is imported
import pytest
from checklib import expect

MONTH = "2026-10"
COLUMNS = ["step", "name", "level", "status", "message"]


@pytest.fixture(scope="module")
def module():
    return prefect_kit.flow_module("exercise_monthly_report_10")


def test_starter_flow_loads(module):
    from prefect import Flow

    expect(
        isinstance(module.monthly_report, Flow) and callable(module.publish_summary),
        "monthly_report.py must keep the monthly_report flow and publish_summary(paths).",
        "monthly_report.py doit garder le flow monthly_report et publish_summary(paths).",
    )


@pytest.fixture(scope="module")
def published(module, tmp_path_factory):
    """Run publish_summary in a flow run on a month core has just processed; its artifacts by key."""
    from prefect import flow, get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.testing.utilities import prefect_test_harness

    import bottleneck_testkit as testing
    from bottleneck_core.config import Paths

    root = tmp_path_factory.mktemp("month")
    testing.core_outputs(MONTH, testing.sample_month(MONTH, root), root)
    paths = Paths.for_month(
        MONTH, sources=root / "sources" / MONTH, work_root=root / "work", output_root=root / "output"
    )

    @flow
    def summary_only():
        module.publish_summary(paths)

    with prefect_test_harness(server_startup_timeout=120):
        state = summary_only(return_state=True)
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])
                )
            )
    from bottleneck_core.summary import month_summary

    return {a.key: a for a in found}, month_summary(paths)


def test_the_checks_table_artifact_exists(published):
    artifacts, figures = published
    key = f"bottleneck-{MONTH}-checks"
    expect(
        key in artifacts,
        f"No artifact {key!r}; the run made {sorted(artifacts)}.",
        f"Pas d'artefact {key!r} ; l'exécution a créé {sorted(artifacts)}.",
        'create_table_artifact(key=f"{key}-checks", table=[...], description=...), like the -rows one.',
        'create_table_artifact(key=f"{key}-checks", table=[...], description=...), comme celui des lignes (-rows).',
    )
    artifact = artifacts[key]
    expect(
        artifact.type == "table",
        f"{key} is a {artifact.type} artifact, not a table.",
        f"{key} est un artefact {artifact.type}, pas un tableau.",
    )
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    expect(
        len(rows) == len(figures["checks"]),
        f"{key} has {len(rows)} rows; the month recorded {len(figures['checks'])} gates.",
        f"{key} a {len(rows)} lignes ; le mois a enregistré {len(figures['checks'])} contrôles.",
        'One row per entry of figures["checks"].',
        'Une ligne par élément de figures["checks"].',
    )
    columns = list(rows[0]) if rows else []
    expect(
        columns == COLUMNS,
        f"The columns are {columns}; expected {COLUMNS}.",
        f"Les colonnes sont {columns} au lieu de {COLUMNS}.",
    )
    from bottleneck_core.errors import current_lang

    lang = current_lang()
    first = figures["checks"][0]
    expect(
        rows[0]["name"] == first["name"] and rows[0]["message"] == first[f"message_{lang}"],
        f"The first row should be the gate {first['name']} with its message in {lang}: {rows[0]}.",
        f"La première ligne devrait être le contrôle {first['name']} avec son message en {lang} : {rows[0]}.",
        "message_en or message_fr, after current_lang().",
        "message_en ou message_fr, selon current_lang().",
    )
