"""What each orchestrator shows in its UI: row counts, revenue total, premium count, check results."""

from __future__ import annotations

import pandas as pd

from . import graph
from .checks import recorded_results
from .config import Paths
from .store import read_json, read_table, row_count


def month_summary(paths: Paths) -> dict:
    """The month's figures so far, from its work folder (steps not yet run are left out)."""
    rows = {t: row_count(paths.table(t)) for t in graph.TABLES if paths.table(t).exists()}
    checks = [r.to_dict() for step in graph.STEPS for r in recorded_results(paths, step.name) or []]
    summary = {"month": paths.month, "rows": rows, "checks": checks}
    if "revenue" in rows:  # the total the revenue step recorded, rather than summing its table again
        summary["revenue_total"] = read_json(paths.facts_file("revenue"))["revenue_total"]
    if "premium" in rows:
        summary["premium_count"] = rows["premium"]
        summary["ordinary_count"] = rows["ordinary"]
    return summary


def preview_markdown(paths: Paths, table: str, rows: int = 5) -> str:
    """The first rows of a work table as a Markdown table (for UIs that render Markdown)."""
    frame = read_table(paths.table(table)).head(rows).astype(object)
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return head + "".join("| " + " | ".join("" if pd.isna(v) else str(v) for v in r) + " |\n" for r in frame.itertuples(index=False))


def summary_markdown(summary: dict) -> str:
    """A short report: figures, then one line per check."""
    lines = [f"# BottleNeck {summary['month']}", ""]
    if "revenue_total" in summary:
        lines += [f"**Revenue total / CA total:** {summary['revenue_total']} €  ",
                  f"**Premium / ordinary:** {summary.get('premium_count')} / {summary.get('ordinary_count')}", ""]  # fmt: skip
    lines += ["| table | rows |", "|---|---|"] + [f"| {t} | {n} |" for t, n in summary["rows"].items()]
    lines += ["", "| check | level | status |", "|---|---|---|"]
    lines += [f"| {c['name']} | {c['level']} | {c['status']} |" for c in summary["checks"]]
    return "\n".join(lines) + "\n"
