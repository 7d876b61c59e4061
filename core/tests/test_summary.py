"""What the four UIs show (summary.py): the month's figures as they stand, and one step's figures."""

from __future__ import annotations

from bottleneck_core import graph, summary
from bottleneck_core.runner import run_checks, run_step
from bottleneck_core.store import read_json


def test_the_month_summary_grows_step_by_step(paths):
    assert summary.month_summary(paths) == {"month": paths.month, "rows": {}, "checks": []}
    for step in graph.STEPS[:3]:  # the ERP branch only
        run_step(step.name, paths)
        run_checks(step.name, paths)
    month = summary.month_summary(paths)
    assert list(month["rows"]) == ["erp_raw", "erp_clean", "erp_dedup"]
    assert {c["step"] for c in month["checks"]} == {"extract_erp", "clean_erp", "dedup_erp"}
    assert "revenue_total" not in month and "premium_count" not in month


def test_a_finished_month_has_its_money_and_split(finished):
    month = summary.month_summary(finished)
    manifest = read_json(finished.output / "manifest.json")
    assert month["revenue_total"] == manifest["revenue_total"]
    assert (month["premium_count"], month["ordinary_count"]) == (manifest["premium_count"], manifest["ordinary_count"])
    assert month["rows"] == {t: manifest["rows"][t] for t in graph.TABLES}


def test_step_figures_are_what_each_step_decides():
    assert summary.step_figures({"step": "merge", "rows": {"merged": 719}}) == {"rows": {"merged": 719}}
    revenue = summary.step_figures({"step": "revenue", "rows": {"revenue": 719}, "revenue_total": "87439.69"})
    assert revenue == {"rows": {"revenue": 719}, "revenue_total": "87439.69"}
    split = summary.step_figures({"step": "premium", "rows": {"premium": 24, "ordinary": 695}, "threshold": 2.0})
    assert split == {"rows": {"premium": 24, "ordinary": 695}, "premium_count": 24, "ordinary_count": 695}


def test_the_preview_is_a_markdown_table_of_the_first_rows(finished):
    text = summary.preview_markdown(finished, "revenue", rows=2)
    lines = text.splitlines()
    assert lines[0] == "| product_id | sku | name | price | total_sales | revenue |"
    assert lines[1] == "|---|---|---|---|---|---|" and len(lines) == 4


def test_failed_checks_come_first_in_the_markdown(finished):
    month = summary.month_summary(finished)
    month["checks"][-1] = month["checks"][-1] | {"status": "failed", "level": "warning"}
    rows = [line for line in summary.summary_markdown(month).splitlines() if line.endswith("| failed |")]
    table = summary.summary_markdown(month).split("| check | level | status |")[1].splitlines()
    assert rows and table[2] == rows[0]
