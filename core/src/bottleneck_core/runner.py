"""Run steps and their quality gates, one at a time (orchestrators) or all in order (``run``)."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from . import graph, sources
from .config import Paths, check_separate, check_threshold, threshold_from_env
from .errors import GateFailed, PipelineError, current_lang

if TYPE_CHECKING:
    from .checks import CheckResult, Tables
from .locks import month_lock
from .store import read_json, row_count, sha256, write_json, write_table

log = logging.getLogger("bottleneck")


@dataclass
class Context:
    paths: Paths
    threshold: float
    _tables: Tables | None = None

    @property
    def tables(self) -> Tables:
        """The month's work tables, read on first use (an extract step reads none: no pandas import)."""
        if self._tables is None:
            from .checks import Tables

            self._tables = Tables(self.paths)
        return self._tables

    def write(self, name: str, table) -> None:
        write_table(table, self.paths.table(name))


def _extract(ctx: Context, src: str) -> dict:
    table, path = sources.extract(ctx.paths.sources, src)
    ctx.write(f"{src}_raw", table)
    return {"file": path.name, "sha256": sha256(path)}


def _need_tables(paths: Paths, tables) -> None:
    """Refuse clearly when a work table is missing (its step has not run for this month)."""
    from .store import read_arrow

    for table in tables:
        if not paths.table(table).exists():
            read_arrow(paths.table(table))  # raises the bilingual "run step X first" error


def _need(ctx: Context, *tables: str) -> None:
    _need_tables(ctx.paths, tables)


def _clean(ctx: Context, src: str) -> None:
    from . import transforms

    _need(ctx, f"{src}_raw")
    transforms.clean(ctx.paths.work, src)


def _dedup(ctx: Context, src: str) -> None:
    from . import transforms

    _need(ctx, f"{src}_clean")
    transforms.dedup(ctx.paths.work, src)


def _merge(ctx: Context) -> None:
    from . import transforms

    _need(ctx, "erp_dedup", "link_dedup", "web_dedup")
    transforms.merge(ctx.paths.work)


def _revenue(ctx: Context) -> dict:
    from . import transforms

    _need(ctx, "merged")
    transforms.revenue(ctx.paths.work)
    return {"revenue_total": str(transforms.revenue_total(ctx.paths.work))}


def _premium(ctx: Context) -> dict:
    from . import transforms

    _need(ctx, "revenue")
    transforms.classify(ctx.paths.work, ctx.threshold)
    return {"threshold": ctx.threshold, "ddof": transforms.DDOF}


def _export(ctx: Context) -> dict:
    from . import reports

    results = gate_results(ctx.paths, upto="export")  # refuses unless every upstream gate passed
    manifest = reports.export_month(ctx.paths, ctx.tables, results)
    return {"revenue_total": manifest["revenue_total"], "output": str(ctx.paths.output)}


FUNCTIONS: dict[str, Callable[[Context], dict | None]] = {
    "merge": _merge,
    "revenue": _revenue,
    "premium": _premium,
    "export": _export,
}
for _name in sources.SOURCES:  # the three branches: the same functions, one source each
    FUNCTIONS[f"extract_{_name}"] = partial(_extract, src=_name)
    FUNCTIONS[f"clean_{_name}"] = partial(_clean, src=_name)
    FUNCTIONS[f"dedup_{_name}"] = partial(_dedup, src=_name)


WORK_MARKER = ".bottleneck-work"  # only folders holding this file are ever deleted by reset_work


def _prepare(paths: Paths) -> None:
    """Refuse overlapping folders; make the work folder with its marker."""
    check_separate(paths)
    paths.work.mkdir(parents=True, exist_ok=True)
    marker = paths.work / WORK_MARKER
    if not marker.exists():
        marker.write_text("Made by bottleneck: the month's work tables. Safe to delete.\n", encoding="utf-8")


def downstream(name: str) -> list[str]:
    """Every step that reads, directly or not, what step ``name`` writes (graph order)."""
    found: set[str] = set()
    for step in graph.STEPS:
        if any(up == name or up in found for up in graph.upstream(step.name)):
            found.add(step.name)
    return [s.name for s in graph.STEPS if s.name in found]


def _invalidate(paths: Paths, name: str) -> None:
    """A step runs (again): its tables and verdict, and every later table and verdict, no longer apply."""
    for step_name in [name, *downstream(name)]:
        paths.checks_file(step_name).unlink(missing_ok=True)
        paths.stamp_file(step_name).unlink(missing_ok=True)
        if step_name != name:
            paths.facts_file(step_name).unlink(missing_ok=True)
        for table in graph.get(step_name).outputs:  # its own too: a failed re-run leaves no old table
            if table in graph.TABLES:
                paths.table(table).unlink(missing_ok=True)


def fingerprint(paths: Paths, tables) -> dict:
    """Identity of each table file: every write is a new file (temporary + rename), so a new inode."""
    out = {}
    for table in tables:
        try:
            st = paths.table(table).stat()
            out[table] = f"{st.st_ino}-{st.st_size}-{st.st_mtime_ns}"
        except FileNotFoundError:
            out[table] = None
    return out


def _step_tables(name: str) -> list[str]:
    step = graph.get(name)
    return [t for t in (*step.inputs, *step.outputs) if t in graph.TABLES]


def run_step(name: str, paths: Paths, threshold: float | None = None) -> dict:
    """Run one step: read its inputs from the work folder, write its outputs there.

    Returns the step's facts (row counts of its output tables, plus what the step reports).
    The step's quality checks are *not* run: call :func:`run_checks` for that. Running a step
    again deletes every later table and gate verdict of the month (they were built from the old one).
    """
    step = graph.get(name)
    threshold = threshold_from_env() if threshold is None else check_threshold(threshold)
    with month_lock(paths):
        _prepare(paths)
        _invalidate(paths, name)
        ctx = Context(paths, threshold)
        facts = FUNCTIONS[name](ctx) or {}
        if facts:
            write_json(facts, paths.facts_file(name))
        else:
            paths.facts_file(name).unlink(missing_ok=True)
        rows = {t: row_count(paths.table(t)) for t in step.outputs if t in graph.TABLES}
    return {"step": name, "rows": rows, **facts}


def run_checks(name: str, paths: Paths, log_results: bool = True) -> list[CheckResult]:
    """Run a step's quality gates; record them; raise :class:`GateFailed` on an error-level failure.

    Each result is also logged (``log_results``), in the display language.
    """
    from .checks import REGISTRY, Tables, evaluate

    step = graph.get(name)
    with month_lock(paths):
        _prepare(paths)
        _need_tables(paths, _step_tables(name))  # a gate never checks a missing (or another run's) table
        stamp = fingerprint(paths, _step_tables(name))
        tables = Tables(paths)
        try:
            results = [evaluate(REGISTRY[check], name, tables) for check in step.checks]
        finally:
            tables.close()
        write_json([r.to_dict() for r in results], paths.checks_file(name))
        write_json(stamp, paths.stamp_file(name))
    for result in results if log_results else ():
        level = (
            logging.INFO
            if result.status != "failed"
            else logging.WARNING
            if result.level == "warning"
            else logging.ERROR
        )
        log.log(level, "%s", result_line(result))
    failures = [r for r in results if r.blocking]
    if failures:
        raise GateFailed(name, failures, results)
    return results


STATUS_FR = {"passed": "réussi", "failed": "échoué", "skipped": "ignoré"}
LEVEL_FR = {"error": "erreur", "warning": "avertissement"}


def result_line(result) -> str:
    """``[gate] status: message`` in the display language (French typography in French)."""
    if current_lang() == "fr":
        return f"[{result.name}] {STATUS_FR.get(result.status, result.status)} : {result.message_fr}"
    return f"[{result.name}] {result.status}: {result.message_en}"


def gate_results(paths: Paths, upto: str) -> list[CheckResult]:
    """The recorded check results of every step before ``upto``; refuse if any is missing, failed,
    or was recorded on tables that have changed since (a step run again without its check)."""
    from .checks import recorded_results

    results = []
    for step in graph.STEPS:
        if step.name == upto:
            break
        step_results = recorded_results(paths, step.name)
        if step_results is None:
            raise PipelineError(
                en=f"No quality-gate results for step '{step.name}' of {paths.month}: run `bottleneck check {step.name}` first.",
                fr=f"Aucun résultat de contrôle pour l'étape « {step.name} » de {paths.month} : lancez d'abord `bottleneck check {step.name}`.",
            )
        if any(r.blocking for r in step_results):
            raise GateFailed(step.name, [r for r in step_results if r.blocking])
        stamp = read_json(paths.stamp_file(step.name)) if paths.stamp_file(step.name).exists() else None
        if stamp != fingerprint(paths, _step_tables(step.name)):
            raise PipelineError(
                en=f"The tables of step '{step.name}' of {paths.month} changed after its quality gates ran: "
                f"run `bottleneck step {step.name}` then `bottleneck check {step.name}` again (and the steps after it).",
                fr=f"Les tables de l'étape « {step.name} » de {paths.month} ont changé après ses contrôles qualité : "
                f"relancez `bottleneck step {step.name}` puis `bottleneck check {step.name}` (et les étapes suivantes).",
            )
        results.extend(step_results)
    return results


def reset_work(paths: Paths) -> None:
    """Start a month afresh: remove its work folder (tables, gate results), never its reports.

    Only a folder this tool made (it holds the marker file) is deleted, or one that holds
    nothing but work files of an older version of the kit.
    """
    check_separate(paths)
    with month_lock(paths):
        if not paths.work.exists():
            return
        if not (paths.work / WORK_MARKER).exists() and not _looks_like_work(paths.work):
            raise PipelineError(
                en=f"Refusing to delete {paths.work}: it was not made by bottleneck (no {WORK_MARKER} file). "
                "Choose another --work folder, or empty this one yourself.",
                fr=f"Suppression de {paths.work} refusée : ce dossier n'a pas été créé par bottleneck (pas de fichier "
                f"{WORK_MARKER}). Choisissez un autre dossier --work, ou videz celui-ci vous-même.",
            )
        shutil.rmtree(paths.work)


def _looks_like_work(folder) -> bool:
    names = {"checks", "facts", "stamps"}
    return all(
        (p.is_dir() and p.name in names) or (p.is_file() and (p.suffix == ".parquet" or p.name.endswith(".tmp")))
        for p in folder.iterdir()
    )


def run_pipeline(paths: Paths, threshold: float | None = None, on_step: Callable | None = None) -> dict:
    """All steps in graph order, each followed by its gates, in a fresh work folder.

    Returns the published manifest. Stops at the first failed error-level gate. The month is
    locked for the whole run: a second run of the same month is refused at once.
    """
    threshold = threshold_from_env() if threshold is None else check_threshold(threshold)
    check_separate(paths)
    with month_lock(paths, wait=False):
        reset_work(paths)
        for step in graph.STEPS:
            if on_step:
                on_step(step.name, "start", None)
            facts = run_step(step.name, paths, threshold)
            results = run_checks(step.name, paths)
            if on_step:
                on_step(step.name, "done", {"facts": facts, "checks": results})
        return read_json(paths.output / "manifest.json")
