"""The ``bottleneck`` command: parse options, call the library, print, exit with a clear code.

Exit codes: 0 success, 1 a quality gate failed, 2 bad input (a source file), 3 pipeline error
(missing work table, OS error naming the path, month being processed by another run),
4 unexpected error (a bug: please report), 5 usage error (bad or missing option, unknown step).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from functools import wraps
from pathlib import Path

import click

from . import graph
from .config import FIRST_MONTH, Paths
from .errors import PipelineError, current_lang

# Imports are lazy (rich, pandas, pyarrow…): `bottleneck steps` and a single `step` process
# start in a fraction of a second, which matters when an orchestrator runs one process per task.


class _LazyConsole:
    """A rich Console made on first use (importing rich costs time that `steps` does not need)."""

    def __init__(self, stderr: bool = False):
        self._stderr, self._console = stderr, None

    def __getattr__(self, name):
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return getattr(self._console, name)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


console = _LazyConsole()
err = _LazyConsole(stderr=True)

T = {
    "en": {
        "step": "step",
        "rows": "rows",
        "checks": "checks",
        "done": "Done",
        "revenue": "Revenue total",
        "premium": "Premium wines",
        "ordinary": "Ordinary wines",
        "outputs": "Reports written to",
        "warnings": "warning(s)",
        "passed": "passed",
    },
    "fr": {
        "step": "étape",
        "rows": "lignes",
        "checks": "contrôles",
        "done": "Terminé",
        "revenue": "Chiffre d'affaires total",
        "premium": "Vins premium",
        "ordinary": "Vins ordinaires",
        "outputs": "Rapports écrits dans",
        "warnings": "avertissement(s)",
        "passed": "réussi(s)",
    },
}


def _t(key: str) -> str:
    return T[current_lang()][key]


def _label(key: str) -> str:
    """A label followed by its colon: French typography puts a space before it."""
    return f"{_t(key)} :" if current_lang() == "fr" else f"{_t(key)}:"


def _euros(amount: str) -> str:
    """87439.69 € as in the manifest (English) or 87 439,69 € (French: narrow no-break spaces, comma)."""
    if current_lang() != "fr":
        return f"{amount} €"
    whole, _, cents = amount.partition(".")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return f"{sign}{int(whole):,}".replace(",", "\u202f") + f",{cents}\u00a0€"


class _Formatter(logging.Formatter):
    """Log lines in the display language: ``AVERTISSEMENT [gate] échoué : …`` in French."""

    LEVELS_FR = {"WARNING": "AVERTISSEMENT", "ERROR": "ERREUR", "INFO": "INFO", "DEBUG": "DÉBOGAGE"}

    def format(self, record):
        level = self.LEVELS_FR.get(record.levelname, record.levelname) if current_lang() == "fr" else record.levelname
        return f"{level} {record.getMessage()}"


def handle_errors(func):
    """Turn pipeline errors into a bilingual message and an exit code, never a bare traceback."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            err.print(f"[bold red]✗[/] {escape(exc.text())}", highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except click.ClickException:
            raise  # usage errors: click prints them (exit 5, see Cli)
        except BrokenPipeError:  # output piped into e.g. `head`, which closed early
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
            sys.exit(3)
        except OSError as exc:  # disk full, read-only folder, a file where a folder is expected…
            err.print("[bold red]✗[/] " + escape(_os_error_text(exc)), highlight=False, soft_wrap=True)
            sys.exit(3)
        except Exception as exc:  # a bug: say so in both languages, keep the traceback on demand
            if os.environ.get("BOTTLENECK_DEBUG"):
                raise
            err.print(
                "[bold red]✗[/] "
                + escape(
                    f"Unexpected error (please report it; BOTTLENECK_DEBUG=1 shows the traceback): "
                    f"{type(exc).__name__}: {exc}\nErreur inattendue (merci de la signaler ; BOTTLENECK_DEBUG=1 "
                    f"affiche la trace) : {type(exc).__name__} : {exc}"
                ),
                highlight=False,
                soft_wrap=True,
            )
            sys.exit(4)

    return wrapper


def _os_error_text(exc: OSError) -> str:
    path = " → ".join(str(p) for p in (exc.filename, exc.filename2) if p) or "?"
    reason = exc.strerror or type(exc).__name__
    return PipelineError(  # the OS states its reason in English only
        en=f"System error on {path}: {reason} (check that the folder exists, is writable and the disk is not full).",
        fr=f"Erreur système sur {path} : {reason} (vérifiez que le dossier existe, est accessible en écriture "
        f"et que le disque n'est pas plein).",
    ).text()


def month_options(func):
    func = click.option("--month", required=True, help="Batch month, YYYY-MM.")(func)
    func = click.option(
        "--sources", type=click.Path(path_type=Path), help="Folder holding the three exports [data/sources/<month>]."
    )(func)
    func = click.option(
        "--work", type=click.Path(path_type=Path), help="Work root; the month's folder is made in it [data/work]."
    )(func)
    func = click.option(
        "--out", type=click.Path(path_type=Path), help="Output root; the month's folder is made in it [data/output]."
    )(func)
    return func


def _paths(month, sources, work, out_dir) -> Paths:
    return Paths.for_month(month, sources=sources, work_root=work, output_root=out_dir)


USAGE_EXIT = 5


def _lang_first(args: list[str]) -> list[str]:
    """Move ``--lang X`` / ``--lang=X`` found after the subcommand to the front (accepted anywhere)."""
    args, moved = list(args), []
    i = 1
    while i < len(args):
        if args[i] == "--":
            break
        if args[i] == "--lang" and i + 1 < len(args):
            moved += args[i : i + 2]
            del args[i : i + 2]
        elif args[i].startswith("--lang="):
            moved.append(args.pop(i))
        else:
            i += 1
    return moved + args


class Cli(click.Group):
    """The command group: usage errors exit with code 5 (not click's 2, which means a bad input file)."""

    def parse_args(self, ctx, args):
        return super().parse_args(ctx, _lang_first(args))

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = USAGE_EXIT
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.exit_code = USAGE_EXIT
            raise


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    envvar="BOTTLENECK_LANG",
    default="en",
    show_default=True,
    help="Language of messages (or BOTTLENECK_LANG).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log every check result.")
def main(lang: str, verbose: bool) -> None:
    """BottleNeck monthly wine-sales pipeline (ERP + web shop + link file → reports)."""
    os.environ["BOTTLENECK_LANG"] = lang
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_Formatter())


def _check_cell(results) -> str:
    failed = [r for r in results if r.status == "failed"]
    text = f"{len(results) - len(failed)}/{len(results)} {_t('passed')}"
    return text + (f", [yellow]{len(failed)} {_t('warnings')}[/]" if failed else "")


@main.command()
@month_options
@click.option("--threshold", type=float, help="Premium z-score threshold [2.0, or BOTTLENECK_PREMIUM_Z].")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON instead of tables.")
@click.option(
    "--max-unmatched",
    type=float,
    help="Largest share (0-1) of products without a partner at the merge [0.05, or BOTTLENECK_MAX_UNMATCHED].",
)
@handle_errors
def run(month, sources, work, out, threshold, as_json, max_unmatched):
    """Run every step, each followed by its quality gates, then publish the reports."""
    _set_max_unmatched(max_unmatched)
    from rich.table import Table

    from . import runner

    paths = _paths(month, sources, work, out)
    table = Table(_t("step"), _t("rows"), _t("checks"), title=f"BottleNeck {paths.month}")

    current = []

    def progress(step, phase, info):
        if phase == "start":
            current[:] = [step]
            return
        current.clear()
        rows = ", ".join(f"{k} {v}" for k, v in info["facts"]["rows"].items())
        table.add_row(step, rows, _check_cell(info["checks"]))
        if not as_json:
            err.print(f"[green]✓[/] {step:<14} {rows}", highlight=False)

    try:
        manifest = runner.run_pipeline(paths, threshold, on_step=progress)
    except (PipelineError, OSError):
        if current:  # the step that stopped the run (a gate failure names it in its message too)
            err.print(f"[bold red]✗[/] {current[0]}", highlight=False)
        raise
    if as_json:
        click.echo(json.dumps({"output": str(paths.output), **manifest}, indent=2, ensure_ascii=False))
        return
    console.print(table)
    console.print(f"{_label('revenue')} [bold]{_euros(manifest['revenue_total'])}[/]")
    console.print(
        f"{_label('premium')} {manifest['premium_count']}   {_label('ordinary')} {manifest['ordinary_count']}"
    )
    console.print(f"{_label('outputs')} [bold]{escape(str(paths.output))}[/]", soft_wrap=True)
    for name in [*manifest["outputs"], "manifest.json"]:
        console.print(f"  {paths.output / name}", highlight=False, soft_wrap=True)


@main.command()
@click.argument("name", type=click.Choice([s.name for s in graph.STEPS]))
@month_options
@click.option("--threshold", type=float, help="Premium z-score threshold (step 'premium').")
@click.option("--check", "and_check", is_flag=True, help="Then run the step's quality gates in the same process.")
@click.option("--json", "as_json", is_flag=True, help="Print the step's facts as JSON.")
@handle_errors
def step(name, month, sources, work, out, threshold, and_check, as_json):
    """Run ONE step (its inputs and outputs are Parquet files in the month's work folder).

    The step's quality gates run only with --check (else run `bottleneck check NAME` after it).
    `export` refuses to publish unless every earlier step's gates have passed on the current tables.
    """
    from . import runner

    paths = _paths(month, sources, work, out)
    facts = runner.run_step(name, paths, threshold)
    if as_json and and_check:
        facts = {**facts, "checks": None}  # filled below, printed once as one JSON document
    else:
        click.echo(
            json.dumps(facts, ensure_ascii=False)
            if as_json
            else f"{name}: " + ", ".join(f"{k} {v}" for k, v in facts["rows"].items())
        )
    _emit_kestra(facts)
    if and_check:
        _checks(name, paths, as_json, facts if as_json else None)


@main.command()
@click.argument("name", type=click.Choice([s.name for s in graph.STEPS]))
@month_options
@click.option("--json", "as_json", is_flag=True, help="Print the check results as JSON.")
@click.option(
    "--max-unmatched",
    type=float,
    help="Largest share (0-1) of products without a partner at the merge [0.05, or BOTTLENECK_MAX_UNMATCHED].",
)
@handle_errors
def check(name, month, sources, work, out, as_json, max_unmatched):
    """Run the quality gates of step NAME on its outputs (exit 1 if an error-level gate fails)."""
    _set_max_unmatched(max_unmatched)
    _checks(name, _paths(month, sources, work, out), as_json)


def _checks(name: str, paths: Paths, as_json: bool, facts: dict | None = None) -> None:
    """Run, record and print a step's gates (each result printed once); raise GateFailed last."""
    from . import runner
    from .errors import GateFailed

    failed = None
    try:
        results = runner.run_checks(name, paths, log_results=False)
    except GateFailed as exc:
        failed, results = exc, exc.results  # the failure carries every result: nothing to re-read
    if as_json:
        data = [r.to_dict() for r in results]
        click.echo(json.dumps({**facts, "checks": data} if facts is not None else data, indent=2, ensure_ascii=False))
    else:
        fr = current_lang() == "fr"
        for r in results:
            colour = "green" if r.status != "failed" else "yellow" if r.level == "warning" else "red"
            status = runner.STATUS_FR.get(r.status, r.status) if fr else r.status
            level = runner.LEVEL_FR.get(r.level, r.level) if fr else r.level
            message = r.message_fr if fr else r.message_en
            colon = " :" if fr else ":"
            # click, not rich: a check process (one per step in Kestra) need not import rich
            click.echo(f"{click.style(f'{status:<7}', fg=colour)} {level:<13} {r.name}{colon} {message}")
    _emit_kestra({"step": name, "checks": [r.to_dict() for r in results]})
    if failed:
        raise failed


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
@click.option(
    "--drawio",
    type=click.Path(path_type=Path),
    default=Path("lineage.drawio"),
    show_default=True,
    help="Where to write the draw.io diagram.",
)
def lineage_cmd(drawio: Path):
    """Print the lineage as Mermaid and write it as a draw.io file."""
    from . import lineage

    drawio.write_text(lineage.drawio(), encoding="utf-8")
    click.echo(lineage.mermaid(), nl=False)
    err.print(f"draw.io: {drawio}")


@main.command(name="generate-data")
@click.option("--out", type=click.Path(path_type=Path), default=Path("data/sources"), show_default=True)
@click.option("--months", type=int, default=6, show_default=True, help="How many consecutive months.")
@click.option("--first", default=FIRST_MONTH, show_default=True, help="First month, YYYY-MM.")
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


@main.command(name="break")
@click.option("--month", help="Batch month, YYYY-MM (required unless --list).")
@click.option("--sources", type=click.Path(path_type=Path), help="The month's source folder [data/sources/<month>].")
@click.option("--fault", help="The damage to apply (see --list).")
@click.option("--restore", is_flag=True, help="Put the pristine files back.")
@click.option("--list", "as_list", is_flag=True, help="List the faults and where the pipeline stops each.")
@handle_errors
def break_cmd(month, sources, fault, restore, as_list):
    """Failure lab: damage a month's source files in place (pristine copy kept), or restore them."""
    from . import faults

    fr = current_lang() == "fr"
    if as_list:
        for f in faults.FAULTS.values():
            click.echo(f"{f.name:<17} {f.fr if fr else f.en}\n{'':<17} → {f.stop_fr if fr else f.stop_en}")
        return
    if not month or bool(fault) == restore:
        raise click.UsageError("give --month and either --fault NAME or --restore (or only --list)")
    folder = _paths(month, sources, None, None).sources
    if restore:
        done = faults.restore(folder)
        if fr:
            click.echo(f"{folder} : fichiers d'origine remis en place." if done else f"{folder} : rien à restaurer.")
        else:
            click.echo(f"{folder}: pristine files put back." if done else f"{folder}: nothing to restore.")
        return
    f = faults.break_month(folder, fault)
    if fr:
        click.echo(
            f"{folder} : panne « {f.name} » appliquée ({f.fr.rstrip('.')}). Arrêt attendu : {f.stop_fr}.\n"
            f"Remise en état : bottleneck break --month {month} --restore"
        )
    else:
        click.echo(
            f"{folder}: fault '{f.name}' applied ({f.en.rstrip('.')}). Expected stop: {f.stop_en}.\n"
            f"Undo: bottleneck break --month {month} --restore"
        )


def _emit_kestra(facts: dict) -> None:
    """Under Kestra, publish the step's facts as task outputs and metrics (shown in its UI)."""
    if not os.environ.get("BOTTLENECK_KESTRA_OUTPUTS"):
        return
    from .kestra_outputs import emit

    emit(facts)


from .warehouse.cli import warehouse  # noqa: E402  (after handle_errors, which it reuses)

main.add_command(warehouse)
