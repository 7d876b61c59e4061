"""Run steps and their quality gates, one at a time (orchestrators) or all in order (``run``)."""

from __future__ import annotations

import logging
import shutil
from decimal import Decimal
from dataclasses import dataclass
from typing import Callable

import pyarrow.compute as pc

from . import graph, reports, sources, transforms
from .checks import REGISTRY, CheckResult, Tables, evaluate, recorded_results
from .config import Paths, threshold_from_env
from .errors import GateFailed, PipelineError, current_lang
from .store import read_json, row_count, sha256, write_json, write_table
from .tables import write_arrow

log = logging.getLogger("bottleneck")


@dataclass
class Context:
    paths: Paths
    threshold: float
    tables: Tables

    def write(self, name: str, frame) -> None:
        write_table(frame, self.paths.table(name))


def _extract(src: str):
    def run(ctx: Context) -> dict:
        frame, path = sources.extract(ctx.paths.sources, src)
        ctx.write(f"{src}_raw", frame)
        return {"file": path.name, "sha256": sha256(path)}

    return run


def _need(ctx: Context, *tables: str) -> None:
    """Refuse clearly when an input table is missing (its step has not run for this month)."""
    from .store import read_table

    for table in tables:
        if not ctx.paths.table(table).exists():
            read_table(ctx.paths.table(table))  # raises the bilingual "run step X first" error


def _clean(src: str, key: str):
    def run(ctx: Context) -> None:
        _need(ctx, f"{src}_raw")
        write_arrow(transforms.clean(ctx.paths.work, src), ctx.paths.table(f"{src}_clean"))

    return run


def _dedup(src: str, key: str):
    def run(ctx: Context) -> None:
        _need(ctx, f"{src}_clean")
        write_arrow(transforms.dedup(ctx.paths.work, src), ctx.paths.table(f"{src}_dedup"))

    return run


def _merge(ctx: Context) -> None:
    _need(ctx, "erp_dedup", "link_dedup", "web_dedup")
    write_arrow(transforms.merge(ctx.paths.work), ctx.paths.table("merged"))


def _revenue(ctx: Context) -> dict:
    _need(ctx, "merged")
    table = transforms.revenue(ctx.paths.work)
    write_arrow(table, ctx.paths.table("revenue"))
    total = pc.sum(table["revenue"]).as_py()  # exact: decimal128 sum
    return {"revenue_total": str(total if total is not None else Decimal("0.00"))}


def _premium(ctx: Context) -> dict:
    _need(ctx, "merged")
    premium, ordinary, _ = transforms.classify(ctx.paths.work, ctx.threshold)
    write_arrow(premium, ctx.paths.table("premium"))
    write_arrow(ordinary, ctx.paths.table("ordinary"))
    return {"threshold": ctx.threshold, "ddof": transforms.DDOF}


def _export(ctx: Context) -> dict:
    results = gate_results(ctx.paths, upto="export")  # refuses unless every upstream gate passed
    manifest = reports.export_month(ctx.paths, ctx.tables, results)
    return {"revenue_total": manifest["revenue_total"], "output": str(ctx.paths.output)}


FUNCTIONS: dict[str, Callable[[Context], dict | None]] = {"merge": _merge, "revenue": _revenue, "premium": _premium, "export": _export}
for _name, _source in sources.SOURCES.items():
    FUNCTIONS[f"extract_{_name}"] = _extract(_name)
    FUNCTIONS[f"clean_{_name}"] = _clean(_name, _source.key)
    FUNCTIONS[f"dedup_{_name}"] = _dedup(_name, _source.key)


def run_step(name: str, paths: Paths, threshold: float | None = None) -> dict:
    """Run one step: read its inputs from the work folder, write its outputs there.

    Returns the step's facts (row counts of its output tables, plus what the step reports).
    The step's quality checks are *not* run: call :func:`run_checks` for that.
    """
    step = graph.get(name)
    paths.checks_file(name).unlink(missing_ok=True)  # an earlier verdict no longer applies
    ctx = Context(paths, threshold_from_env() if threshold is None else threshold, Tables(paths))
    facts = FUNCTIONS[name](ctx) or {}
    if facts:
        write_json(facts, paths.facts_file(name))
    rows = {t: row_count(paths.table(t)) for t in step.outputs if t in graph.TABLES}
    return {"step": name, "rows": rows, **facts}


def run_checks(name: str, paths: Paths) -> list[CheckResult]:
    """Run a step's quality gates; record them; raise :class:`GateFailed` on an error-level failure."""
    step = graph.get(name)
    tables = Tables(paths)
    try:
        results = [evaluate(REGISTRY[check], name, tables) for check in step.checks]
    finally:
        tables.close()
    write_json([r.to_dict() for r in results], paths.checks_file(name))
    lang = current_lang()
    for result in results:
        message = result.message_fr if lang == "fr" else result.message_en
        level = logging.INFO if result.status != "failed" else logging.WARNING if result.level == "warning" else logging.ERROR
        log.log(level, "[%s] %s: %s", result.name, result.status, message)
    failures = [r for r in results if r.blocking]
    if failures:
        raise GateFailed(name, failures)
    return results


def gate_results(paths: Paths, upto: str) -> list[CheckResult]:
    """The recorded check results of every step before ``upto``; refuse if any is missing or failed."""
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
        results.extend(step_results)
    return results


def reset_work(paths: Paths) -> None:
    """Start a month afresh: remove its work folder (tables, gate results), never its reports."""
    shutil.rmtree(paths.work, ignore_errors=True)


def run_pipeline(paths: Paths, threshold: float | None = None, on_step: Callable | None = None) -> dict:
    """All steps in graph order, each followed by its gates, in a fresh work folder.

    Returns the published manifest. Stops at the first failed error-level gate.
    """
    reset_work(paths)
    for step in graph.STEPS:
        if on_step:
            on_step(step.name, "start", None)
        facts = run_step(step.name, paths, threshold)
        results = run_checks(step.name, paths)
        if on_step:
            on_step(step.name, "done", {"facts": facts, "checks": results})
    return read_json(paths.output / "manifest.json")
