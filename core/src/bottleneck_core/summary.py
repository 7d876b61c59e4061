"""What each orchestrator shows in its UI: row counts, revenue total, premium count, check results."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from . import graph
from .checks import ERROR, FAILED, recorded_results
from .config import Paths
from .errors import current_lang
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


def money_text(value, lang: str | None = None) -> str:
    """An amount as a student reads it: two decimals and €, e.g. "87,428.70 €" (fr: "87 428,70 €").

    Exact: the value is turned into a Decimal (from its string for floats), never rounded twice.
    """
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    if (lang or current_lang()) == "fr":  # French: narrow no-break space for thousands, decimal comma
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


VERDICTS = {
    "en": {"stopped": "❌ stopped at check_{step}: {name} — {message}",
           "early": "❌ stopped before the revenue step: see the failed task's log",
           "warned": "⚠️ finished with {n} warning(s): {names}", "passed": "✅ all {n} checks passed"},
    "fr": {"stopped": "❌ arrêtée au contrôle check_{step} : {name} — {message}",
           "early": "❌ arrêtée avant l'étape revenue : voir le journal de la tâche en échec",
           "warned": "⚠️ terminée avec {n} avertissement(s) : {names}", "passed": "✅ les {n} contrôles sont passés"},
}  # fmt: skip


def verdict(summary: dict) -> str:
    """One line that says how the run ended, e.g. "❌ stopped at check_clean_erp: erp_prices_present — …"."""
    checks, lang = summary["checks"], current_lang()
    say = VERDICTS[lang]
    blocking = [c for c in checks if c["level"] == ERROR and c["status"] == FAILED]
    if blocking:
        c = blocking[0]
        return say["stopped"].format(step=c["step"], name=c["name"], message=c[f"message_{lang}"])
    if "revenue_total" not in summary:
        return say["early"]
    warnings = [c["name"] for c in checks if c["status"] == FAILED]
    if warnings:
        return say["warned"].format(n=len(warnings), names=", ".join(warnings))
    return say["passed"].format(n=len(checks))


def summary_markdown(summary: dict) -> str:
    """A short report: the verdict, the figures, then one line per check (failed ones first)."""
    lines = [f"# BottleNeck {summary['month']}", "", f"**{verdict(summary)}**", ""]
    if "revenue_total" in summary:
        lines += [f"**Revenue total / CA total:** {money_text(summary['revenue_total'])}  ",
                  f"**Premium / ordinary:** {summary.get('premium_count')} / {summary.get('ordinary_count')}", ""]  # fmt: skip
    lines += ["| table | rows |", "|---|---|"] + [f"| {t} | {n} |" for t, n in summary["rows"].items()]
    lines += ["", "| check | level | status |", "|---|---|---|"]
    failed_first = sorted(summary["checks"], key=lambda c: c["status"] != FAILED)  # stable: graph order within
    lines += [f"| {c['name']} | {c['level']} | {c['status']} |" for c in failed_first]
    return "\n".join(lines) + "\n"
