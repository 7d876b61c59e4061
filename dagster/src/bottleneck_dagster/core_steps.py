"""The bridge to bottleneck-core. Every asset calls `materialize_step`, every check `quality_gates`.

Dagster decides WHEN a step runs (partitions, schedule, backfills, retries); core decides
WHAT it does. Nothing here reads a table itself: it asks core and turns the answer into
Dagster metadata (row counts, previews, revenue total, premium count, check results).
"""

import datetime as dt
from collections.abc import Iterator
from pathlib import PurePath

import dagster as dg

from bottleneck_core import config, graph, runner, summary
from bottleneck_core.config import Paths
from bottleneck_core.errors import GateFailed, PipelineError, current_lang

# The batch month IS the partition: keys are written YYYY-MM ("2026-05"), core's own format.
MONTHLY = dg.MonthlyPartitionsDefinition(start_date=config.FIRST_MONTH, fmt="%Y-%m", timezone=config.TIMEZONE)

# Only I/O steps (reading the Excel exports, writing the reports) are retried: a locked or
# half-synced file may work a minute later. Gates are never retried: bad data fails fast.
IO_RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)

STEP_TAG = "bottleneck/step"  # definition metadata: which core step produces an asset
KINDS = {".xlsx": "excel", ".csv": "csv", ".json": "json"}


def asset_name(output: str) -> str:
    """Asset key of a step output: tables keep their name, report files lose their suffix."""
    return PurePath(output).stem


def reads(step: str) -> list[str]:
    """The assets a step reads: its input tables in core's step graph (not the source files)."""
    return [asset_name(table) for table in graph.get(step).inputs if not table.startswith("source:")]


def describe(step: str) -> str:
    """The step's one-liner, English then French (shown in the UI)."""
    s = graph.get(step)
    return f"{s.en}\n\n{s.fr}\n\nCore step: `{s.name}`"


def month_paths(context) -> Paths:
    """The month's folders: the partition key is the batch month (BOTTLENECK_* env vars apply)."""
    return Paths.for_month(context.partition_key)


def materialize_step(context: dg.AssetExecutionContext, step: str) -> Iterator[dg.MaterializeResult]:
    """Run one core step for the partition's month; one MaterializeResult per output."""
    paths = month_paths(context)
    try:
        facts = runner.run_step(step, paths)
    except PipelineError as exc:  # core's bilingual message, without a traceback to dig through
        raise dg.Failure(description=exc.text()) from exc
    for output in graph.get(step).outputs:
        yield dg.MaterializeResult(asset_key=asset_name(output), metadata=_metadata(paths, output, facts))


def _metadata(paths: Paths, output: str, facts: dict) -> dict:
    if output in graph.TABLES:  # a Parquet work table
        figures = summary.step_figures(facts)  # the same figures as Kestra's outputs and the other UIs
        meta = {
            "dagster/row_count": dg.MetadataValue.int(figures["rows"][output]),
            "preview": dg.MetadataValue.md(summary.preview_markdown(paths, output)),
        }
        if output == "revenue":  # money as text: exact, two decimals and €
            meta["revenue_total"] = dg.MetadataValue.text(summary.money_text(figures["revenue_total"]))
        if output in ("premium", "ordinary"):
            meta[f"{output}_count"] = dg.MetadataValue.int(figures[f"{output}_count"])
        return meta
    meta = {"path": dg.MetadataValue.path(str(paths.output / output))}  # a published report file
    if output == "manifest.json":
        month = summary.month_summary(paths)
        meta |= {
            "revenue_total": dg.MetadataValue.text(summary.money_text(month["revenue_total"])),
            "premium_count": dg.MetadataValue.int(month["premium_count"]),
            "summary": dg.MetadataValue.md(summary.summary_markdown(month)),
        }
    return meta


def quality_gates(step: str, asset) -> dg.AssetChecksDefinition:
    """The step's core gates as one blocking Dagster check on one of its output assets.

    error-level failure -> failed check, severity ERROR: downstream assets do not run;
    warning-level failures only -> a passed check whose description and metadata list the
    warnings (Dagster would show any failed check as "Failed", even a WARN one).
    """

    @dg.asset_check(
        asset=asset,
        name="quality_gates",
        blocking=True,
        description=f"Core gates of step `{step}`: {', '.join(graph.get(step).checks)}. "
        "The check's status is its latest run, whichever month: the month "
        "is in the `month` metadata of each result.",
    )
    def _gates(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        paths = month_paths(context)
        try:
            ran = runner.run_checks(step, paths)  # records the verdicts: export needs them
            failure = None
        except GateFailed as exc:
            ran, failure = exc.results, exc  # the failure carries every result: nothing to re-read
        results = [r.to_dict() for r in ran]
        failed = [c for c in results if c["status"] == "failed"]
        if step == graph.STEPS[-1].name and not failure:  # the last gate passed: the run's statistics block
            stats = context.instance.get_run_stats(context.run.run_id)
            started = dt.datetime.fromtimestamp(stats.start_time, dt.timezone.utc) if stats.start_time else None
            context.log.info("\n" + summary.run_statistics(paths, started=started))
        lang = current_lang()  # BOTTLENECK_LANG: en or fr
        table = "| check | level | status | message |\n|---|---|---|---|\n" + "".join(
            f"| {c['name']} | {c['level']} | {c['status']} | {c[f'message_{lang}'].replace('|', '/')} |\n"
            for c in sorted(results, key=lambda c: c["status"] != "failed")  # failed first
        )
        warnings = (
            f"passed with {len(failed)} warning(s): {', '.join(c['name'] for c in failed)}"
            if failed
            else "all gates passed"
        )
        return dg.AssetCheckResult(
            passed=failure is None,
            severity=dg.AssetCheckSeverity.ERROR if failure else dg.AssetCheckSeverity.WARN,
            description=failure.text() if failure else warnings,
            metadata={
                "month": paths.month,
                "results": dg.MetadataValue.md(table),
                **{c["name"]: f"{c['status']} ({c['level']})" for c in results},
            },
        )

    return _gates
