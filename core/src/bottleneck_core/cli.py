"""The ``bottleneck`` command: parse options, call the library, print, exit with a clear code.

Exit codes: 0 success, 1 a quality gate failed, 2 bad input (a source file), 3 other
pipeline error (bad option, missing work table), 4 unexpected error (a bug: please report).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from functools import wraps
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import graph, lineage, runner
from .config import Paths
from .errors import PipelineError, current_lang

console = Console()
err = Console(stderr=True)

T = {
    "en": {"step": "step", "rows": "rows", "checks": "checks", "done": "Done", "revenue": "Revenue total",
           "premium": "Premium wines", "ordinary": "Ordinary wines", "outputs": "Reports written to",
           "warnings": "warning(s)", "passed": "passed"},
    "fr": {"step": "étape", "rows": "lignes", "checks": "contrôles", "done": "Terminé", "revenue": "Chiffre d'affaires total",
           "premium": "Vins premium", "ordinary": "Vins ordinaires", "outputs": "Rapports écrits dans",
           "warnings": "avertissement(s)", "passed": "réussi(s)"},
}  # fmt: skip


def _t(key: str) -> str:
    return T[current_lang()][key]


def handle_errors(func):
    """Turn pipeline errors into a bilingual message and an exit code, never a bare traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            err.print(f"[bold red]✗[/] {escape(exc.text())}", highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except Exception as exc:  # a bug: say so in both languages, keep the traceback on demand
            if os.environ.get("BOTTLENECK_DEBUG"):
                raise
            err.print(
                "[bold red]✗[/] " + escape(
                    f"Unexpected error (please report it; BOTTLENECK_DEBUG=1 shows the traceback): "
                    f"{type(exc).__name__}: {exc}\nErreur inattendue (merci de la signaler ; BOTTLENECK_DEBUG=1 "
                    f"affiche la trace) : {type(exc).__name__} : {exc}"
                ),
                highlight=False, soft_wrap=True,
            )  # fmt: skip
            sys.exit(4)

    return wrapper


def month_options(func):
    func = click.option("--month", required=True, help="Batch month, YYYY-MM.")(func)
    func = click.option("--sources", type=click.Path(path_type=Path), help="Folder holding the three exports [data/sources/<month>].")(func)
    func = click.option("--work", type=click.Path(path_type=Path), help="Work root; the month's folder is made in it [data/work].")(func)
    func = click.option("--out", type=click.Path(path_type=Path), help="Output root; the month's folder is made in it [data/output].")(func)
    return func


def _paths(month, sources, work, out_dir) -> Paths:
    return Paths.for_month(month, sources=sources, work_root=work, output_root=out_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["en", "fr"]), envvar="BOTTLENECK_LANG", default="en", show_default=True,
              help="Language of messages (or BOTTLENECK_LANG).")  # fmt: skip
@click.option("-v", "--verbose", is_flag=True, help="Log every check result.")
def main(lang: str, verbose: bool) -> None:
    """BottleNeck monthly wine-sales pipeline (ERP + web shop + link file → reports)."""
    os.environ["BOTTLENECK_LANG"] = lang
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")


def _check_cell(results) -> str:
    failed = [r for r in results if r.status == "failed"]
    text = f"{len(results) - len(failed)}/{len(results)} {_t('passed')}"
    return text + (f", [yellow]{len(failed)} {_t('warnings')}[/]" if failed else "")


@main.command()
@month_options
@click.option("--threshold", type=float, help="Premium z-score threshold [2.0, or BOTTLENECK_PREMIUM_Z].")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON instead of tables.")
@click.option("--max-unmatched", type=float, help="Largest share (0-1) of products without a partner at the merge [0.05, or BOTTLENECK_MAX_UNMATCHED].")
@handle_errors
def run(month, sources, work, out, threshold, as_json, max_unmatched):
    """Run every step, each followed by its quality gates, then publish the reports."""
    _set_max_unmatched(max_unmatched)
    paths = _paths(month, sources, work, out)
    table = Table(_t("step"), _t("rows"), _t("checks"), title=f"BottleNeck {paths.month}")

    def progress(step, phase, info):
        if phase == "start":
            return
        rows = ", ".join(f"{k} {v}" for k, v in info["facts"]["rows"].items())
        table.add_row(step, rows, _check_cell(info["checks"]))
        if not as_json:
            err.print(f"[green]✓[/] {step:<14} {rows}", highlight=False)

    manifest = runner.run_pipeline(paths, threshold, on_step=progress)
    if as_json:
        click.echo(json.dumps({"output": str(paths.output), **manifest}, indent=2, ensure_ascii=False))
        return
    console.print(table)
    console.print(f"{_t('revenue')}: [bold]{manifest['revenue_total']} €[/]")
    console.print(f"{_t('premium')}: {manifest['premium_count']}   {_t('ordinary')}: {manifest['ordinary_count']}")
    console.print(f"{_t('outputs')}: [bold]{paths.output}[/]", soft_wrap=True)
    for name in [*manifest["outputs"], "manifest.json"]:
        console.print(f"  {paths.output / name}", highlight=False, soft_wrap=True)


@main.command()
@click.argument("name", type=click.Choice([s.name for s in graph.STEPS]))
@month_options
@click.option("--threshold", type=float, help="Premium z-score threshold (step 'premium').")
@click.option("--json", "as_json", is_flag=True, help="Print the step's facts as JSON.")
@handle_errors
def step(name, month, sources, work, out, threshold, as_json):
    """Run ONE step (its inputs and outputs are Parquet files in the month's work folder).

    The step's quality gates do NOT run here: run `bottleneck check NAME` after it.
    `export` refuses to publish unless every earlier step's gates have passed.
    """
    facts = runner.run_step(name, _paths(month, sources, work, out), threshold)
    click.echo(json.dumps(facts, ensure_ascii=False) if as_json else f"{name}: " + ", ".join(f"{k} {v}" for k, v in facts["rows"].items()))
    _emit_kestra(facts)


@main.command()
@click.argument("name", type=click.Choice([s.name for s in graph.STEPS]))
@month_options
@click.option("--json", "as_json", is_flag=True, help="Print the check results as JSON.")
@click.option("--max-unmatched", type=float, help="Largest share (0-1) of products without a partner at the merge [0.05, or BOTTLENECK_MAX_UNMATCHED].")
@handle_errors
def check(name, month, sources, work, out, as_json, max_unmatched):
    """Run the quality gates of step NAME on its outputs (exit 1 if an error-level gate fails)."""
    _set_max_unmatched(max_unmatched)
    paths = _paths(month, sources, work, out)
    try:
        results = runner.run_checks(name, paths)
    finally:
        if as_json and paths.checks_file(name).exists():
            click.echo(paths.checks_file(name).read_text(encoding="utf-8"), nl=False)
    if not as_json:
        for r in results:
            colour = "green" if r.status != "failed" else "yellow"
            message = r.message_fr if current_lang() == "fr" else r.message_en
            console.print(f"[{colour}]{r.status:<7}[/] {r.level:<7} {r.name}: {escape(message)}", highlight=False, soft_wrap=True)
    _emit_kestra({"step": name, "checks": [r.to_dict() for r in results]})


@main.command(name="alert-email")
@click.option("--tool", required=True, help="The orchestrator that ran the month (kestra, airflow, dagster, prefect).")
@month_options
@click.option("--run-id", required=True, help="The failed run's id in that tool.")
@click.option("--run-url", help="A link to the run in the tool's UI.")
@handle_errors
def alert_email(tool, month, sources, work, out, run_id, run_url):
    """Print the failure e-mail of a run (subject and text, from the month's gate results) as JSON."""
    from .alerts import failure_email

    message = failure_email(tool, _paths(month, sources, work, out), run_id, run_url)
    click.echo(json.dumps(message, ensure_ascii=False, indent=2))
    if os.environ.get("BOTTLENECK_KESTRA_OUTPUTS"):
        from .kestra_outputs import emit_email

        emit_email(message)


@main.command()
@month_options
@click.option("--started", help="When the run started (ISO 8601) [the oldest file of the month's work folder].")
@handle_errors
def stats(month, sources, work, out, started):
    """Print the statistics block of the month's finished run (figures, files, checks)."""
    from .summary import run_statistics

    click.echo(run_statistics(_paths(month, sources, work, out), started=started), nl=False)


@main.command()
def steps():
    """Print the step graph as JSON."""
    click.echo(json.dumps(graph.as_dict(), indent=2, ensure_ascii=False))


@main.command(name="lineage")
@click.option("--drawio", type=click.Path(path_type=Path), default=Path("lineage.drawio"), show_default=True,
              help="Where to write the draw.io diagram.")  # fmt: skip
def lineage_cmd(drawio: Path):
    """Print the lineage as Mermaid and write it as a draw.io file."""
    drawio.write_text(lineage.drawio(), encoding="utf-8")
    click.echo(lineage.mermaid(), nl=False)
    err.print(f"draw.io: {drawio}")


@main.command(name="generate-data")
@click.option("--out", type=click.Path(path_type=Path), default=Path("data/sources"), show_default=True)
@click.option("--months", type=int, default=6, show_default=True, help="How many consecutive months.")
@click.option("--first", default="2026-05", show_default=True, help="First month, YYYY-MM.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--products", type=int, help="Write ONE large month of this many products instead (benchmark).")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@handle_errors
def generate_data(out, months, first, seed, products, fmt):
    """Write seeded sample exports (Excel) with their reference values, or a large instance."""
    from . import generate

    if products:
        folder = generate.generate_large(out, products, fmt, seed)
        click.echo(f"{products} products → {folder}")
        return
    for folder in generate.generate_months(out, first, months, seed):
        click.echo(folder)


def _set_max_unmatched(value: float | None) -> None:
    """``--max-unmatched`` wins over BOTTLENECK_MAX_UNMATCHED (gate merged_unmatched_share reads it)."""
    if value is not None:
        os.environ["BOTTLENECK_MAX_UNMATCHED"] = repr(value)


def _emit_kestra(facts: dict) -> None:
    """Under Kestra, publish the step's facts as task outputs and metrics (shown in its UI)."""
    if not os.environ.get("BOTTLENECK_KESTRA_OUTPUTS"):
        return
    from .kestra_outputs import emit

    emit(facts)


from .warehouse.cli import warehouse  # noqa: E402  (after handle_errors, which it reuses)

main.add_command(warehouse)
