"""``bottleneck warehouse …``: the warehouse module's commands (same conventions as the pipeline's)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli import handle_errors
from . import STEPS

BATCH = click.option("--batch-date", required=True, help="Batch date, YYYY-MM-DD (the month containing it is loaded).")
OUT = click.option(
    "--out", type=click.Path(path_type=Path), help="Published month folder to land [data/output/<month>]."
)


@click.group(name="warehouse")
def warehouse() -> None:
    """Phase 2: land a published month in S3, load PostgreSQL staging, then the warehouse."""


@warehouse.command()
@handle_errors
def init() -> None:
    """Create the warehouse schemas, tables and procedures (safe to re-run)."""
    from . import db
    from .settings import Settings

    with db.connect(Settings.from_env().database_url) as conn:
        for name in db.init(conn):
            click.echo(f"applied {name}")


@warehouse.command()
@click.argument("name", type=click.Choice([s.name for s in STEPS]))
@BATCH
@OUT
@handle_errors
def step(name, batch_date, out) -> None:
    """Run ONE warehouse step for a batch, followed by its gates (exit 1 if one fails)."""
    from .runner import run_step

    click.echo(json.dumps(run_step(name, batch_date, output=out), ensure_ascii=False, default=str))


@warehouse.command()
@click.argument("name", type=click.Choice(["load_staging", "seed_dims", "load_dw"]))
@BATCH
@handle_errors
def check(name, batch_date) -> None:
    """Run the gates of one database step on their own (exit 1 if one fails)."""
    from .runner import run_checks

    for result in run_checks(name, batch_date):
        click.echo(f"{result['status']:<7} {result['name']}: {result['message_en']}")


@warehouse.command()
@BATCH
@OUT
@handle_errors
def run(batch_date, out) -> None:
    """init, land, load_staging, seed_dims, load_dw for a batch, each followed by its gates."""
    from .runner import run_all

    def progress(name, facts):
        checks = facts["checks"]
        click.echo(f"✓ {name:<13} {sum(c['status'] == 'passed' for c in checks)}/{len(checks)} checks passed", err=True)

    done = run_all(batch_date, output=out, on_step=progress)
    click.echo(json.dumps({"month": done["land"]["month"], "rows": done["load_staging"]["rows"]}, ensure_ascii=False))


@warehouse.command()
@handle_errors
def dump() -> None:
    """Print the sha256 of a canonical dump of the warehouse (every row, fixed order): parity."""
    from . import db
    from .settings import Settings

    with db.connect(Settings.from_env().database_url) as conn:
        click.echo(db.dump_sha256(conn))
