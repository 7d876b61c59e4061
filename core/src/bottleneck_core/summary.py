"""What each orchestrator shows in its UI: row counts, revenue total, premium count, check results."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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


def step_figures(facts: dict) -> dict:
    """What the UIs show for one finished step (the facts ``run_step`` returns): the row count of
    each table it wrote, and the figures it decides (the revenue total, the premium split)."""
    figures = {"rows": dict(facts.get("rows", {}))}
    if "revenue_total" in facts:
        figures["revenue_total"] = str(facts["revenue_total"])
    if "premium" in figures["rows"]:
        figures["premium_count"] = figures["rows"]["premium"]
        figures["ordinary_count"] = figures["rows"]["ordinary"]
    return figures


def preview_markdown(paths: Paths, table: str, rows: int = 5) -> str:
    """The first rows of a work table as a Markdown table (for UIs that render Markdown)."""
    import pandas as pd

    frame = read_table(paths.table(table)).head(rows).astype(object)
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return head + "".join(
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in r) + " |\n" for r in frame.itertuples(index=False)
    )


def money_text(value, lang: str | None = None) -> str:
    """An amount as a student reads it: two decimals and €, e.g. "87,439.69 €" (fr: "87 439,69 €").

    Exact: the value is turned into a Decimal (from its string for floats), never rounded twice.
    """
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    if (lang or current_lang()) == "fr":  # French: narrow no-break space for thousands, decimal comma
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


VERDICTS = {
    "en": {
        "stopped": "❌ stopped at check_{step}: {name} — {message}",
        "early": "❌ stopped before the revenue step: see the failed task's log",
        "warned": "⚠️ finished with {n} warning(s): {names}",
        "passed": "✅ all {n} checks passed",
    },
    "fr": {
        "stopped": "❌ arrêtée au contrôle check_{step} : {name} — {message}",
        "early": "❌ arrêtée avant l'étape revenue : voir le journal de la tâche en échec",
        "warned": "⚠️ terminée avec {n} avertissement(s) : {names}",
        "passed": "✅ les {n} contrôles sont passés",
    },
}


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
        lines += [
            f"**Revenue total / CA total:** {money_text(summary['revenue_total'])}  ",
            f"**Premium / ordinary:** {summary.get('premium_count')} / {summary.get('ordinary_count')}",
            "",
        ]
    lines += ["| table | rows |", "|---|---|"] + [f"| {t} | {n} |" for t, n in summary["rows"].items()]
    lines += ["", "| check | level | status |", "|---|---|---|"]
    failed_first = sorted(summary["checks"], key=lambda c: c["status"] != FAILED)  # stable: graph order within
    lines += [f"| {c['name']} | {c['level']} | {c['status']} |" for c in failed_first]
    return "\n".join(lines) + "\n"


# --- Run statistics: the block every run ends with, in every tool's logs ------------------------

STATS = {
    "en": {
        "title": "BottleNeck run statistics",
        "month": "Month",
        "started": "Started",
        "duration": "Duration",
        "merged": "Rows merged",
        "revenue": "Revenue total",
        "premium": "Premium wines",
        "ordinary": "Ordinary wines",
        "outputs": "Output files",
        "checks": "Checks",
        "counts": "{passed} passed, {warned} warned",
        "all_passed": "All quality gates passed.",
        "unknown": "unknown",
    },
    "fr": {
        "title": "Statistiques de l'exécution BottleNeck",
        "month": "Mois",
        "started": "Début",
        "duration": "Durée",
        "merged": "Lignes fusionnées",
        "revenue": "Chiffre d'affaires total",
        "premium": "Vins premium",
        "ordinary": "Vins ordinaires",
        "outputs": "Fichiers produits",
        "checks": "Contrôles",
        "counts": "{passed} réussi(s), {warned} avertissement(s)",
        "all_passed": "Tous les contrôles qualité sont passés.",
        "unknown": "inconnu",
    },
}


def _number(value, lang: str, places: int = 0) -> str:
    """``12,345.67`` in English, ``12 345,67`` in French (no-break space)."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\u00a0").replace(".", ",") if lang == "fr" else text


def _started_and_duration(paths: Paths, started, duration) -> tuple:
    """The run's start (given, else the oldest file of the month's work folder) and its duration
    (given, else from that start to the newest record of the run: work files and manifest)."""
    import datetime as dt

    files = [p for p in paths.work.rglob("*") if p.is_file()] if paths.work.is_dir() else []
    files += [paths.output / "manifest.json"] if (paths.output / "manifest.json").exists() else []
    times = [p.stat().st_mtime for p in files]
    if isinstance(started, str):
        started = dt.datetime.fromisoformat(started.replace("Z", "+00:00"))
    if isinstance(started, dt.datetime) and started.tzinfo is None:
        started = started.astimezone()
    if started is None and times:
        started = dt.datetime.fromtimestamp(min(times), dt.timezone.utc)
    if duration is None and started is not None and times:
        duration = max(max(times) - started.timestamp(), 0.0)
    if isinstance(duration, dt.timedelta):
        duration = duration.total_seconds()
    return started, duration


def run_statistics(paths: Paths, started=None, duration=None, lang: str | None = None) -> str:
    """The statistics block of a finished run (text, in the current language).

    Figures come from the published manifest and the month's recorded gate results.
    ``started``: a datetime or ISO text (default: the oldest file of the work folder);
    ``duration``: seconds or a timedelta (default: from ``started`` to the run's last record).
    """
    import datetime as dt
    from decimal import Decimal

    from .errors import PipelineError, current_lang

    lang = lang if lang in STATS else current_lang()
    s = STATS[lang]
    manifest_file = paths.output / "manifest.json"
    if not manifest_file.exists():
        raise PipelineError(
            en=f"No published reports for {paths.month} ({manifest_file} is missing): run the month first.",
            fr=f"Aucun rapport publié pour {paths.month} ({manifest_file} est absent) : lancez d'abord le mois.",
        )
    manifest = read_json(manifest_file)
    recorded = [r for step in graph.STEPS for r in recorded_results(paths, step.name) or []]
    checks = [r.to_dict() for r in recorded] or manifest.get("checks", [])
    passed = sum(c["status"] == "passed" for c in checks)
    warned = sum(c["status"] == "failed" and c["level"] == "warning" for c in checks)
    started, duration = _started_and_duration(paths, started, duration)
    when = started.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if started else s["unknown"]
    took = f"{_number(duration, lang, 1)} s" if duration is not None else s["unknown"]
    revenue = _number(Decimal(str(manifest["revenue_total"])), lang, 2) + "\u00a0€"
    outputs = [*manifest["outputs"], "manifest.json"]
    sep = " :" if lang == "fr" else ":"
    rows = [
        (s["month"], paths.month),
        (s["started"], when),
        (s["duration"], took),
        (s["merged"], _number(manifest["rows"]["merged"], lang)),
        (s["revenue"], revenue),
        (s["premium"], _number(manifest["premium_count"], lang)),
        (s["ordinary"], _number(manifest["ordinary_count"], lang)),
        (s["outputs"], ", ".join(outputs)),
        (s["checks"], s["counts"].format(passed=passed, warned=warned)),
    ]
    width = max(len(label) for label, _ in rows) + len(sep)
    lines = [f"── {s['title']} ──"] + [f"{(label + sep).ljust(width)} {value}" for label, value in rows]
    if warned == 0 and passed + sum(c["status"] == "skipped" for c in checks) == len(checks):
        lines.append(s["all_passed"])
    return "\n".join(lines) + "\n"
