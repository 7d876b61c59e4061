"""One name per thing: the pipeline is called the same in the four tools and in the docs (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bottleneck_core.config import PIPELINE_NAME

REPO = Path(__file__).resolve().parents[1]
OLD_NAMES = ("monthly_pipeline", "bottleneck-monthly-report")


def test_kestra_flow_id():
    flow = yaml.safe_load((REPO / "kestra" / "flows" / f"{PIPELINE_NAME}.yml").read_text(encoding="utf-8"))
    assert flow["id"] == PIPELINE_NAME


def test_airflow_dag_ids():
    """TaskFlow names the DAG after its function: the kit's DAG and the exercise's copies."""
    for path in [REPO / "airflow" / "dags" / f"{PIPELINE_NAME}.py", *REPO.glob(f"*/*/{PIPELINE_NAME}.py")]:
        assert re.search(rf"^def {PIPELINE_NAME}\(\):", path.read_text(encoding="utf-8"), re.M), path


def test_dagster_job_and_prefect_flow_take_the_name_from_core():
    automation = (REPO / "dagster/src/bottleneck_dagster/defs/automation.py").read_text(encoding="utf-8")
    assert "dg.define_asset_job(\n    config.PIPELINE_NAME," in automation
    flow = (REPO / "prefect" / "flows" / "monthly_report.py").read_text(encoding="utf-8")
    assert re.search(r"^FLOW_NAME = config\.PIPELINE_NAME\b", flow, re.M)


def test_no_text_uses_an_old_name():
    found = []
    for path in REPO.rglob("*"):
        parts = set(path.relative_to(REPO).parts)
        if parts & {".git", ".venvs", "mutants", "data", "img"} or not path.is_file():
            continue
        if path.suffix in {".py", ".md", ".yml", ".yaml", ".toml", ".sh", ".txt", ".json"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [
                f"{path.relative_to(REPO)}: {name}"
                for name in OLD_NAMES
                if name in text and path.name != "test_names.py"
            ]
    assert found == []
