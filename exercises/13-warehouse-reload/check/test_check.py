"""Checker of exercise 13: dw.sp_load_staging_to_dw reloads one batch without duplicating it.

Core publishes the sample months 2026-09 and 2026-10 in a temporary folder; their reports are
staged with core's own staging code (no S3 needed: the files are read from disk) into a fresh
database on the local PostgreSQL (127.0.0.1:5432), where core's warehouse SQL is applied and then
the student's file, which replaces core's procedure.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import core_kit  # noqa: F401  (clears the student's BOTTLENECK_* settings)
import psycopg
import pytest
from checklib import expect, work_file

MONTHS = ("2026-09", "2026-10")
HINT_EN = "Delete the batch's facts first (WHERE month_date = v_month), then insert the staged ones."
HINT_FR = "Supprimez d'abord les faits du lot (WHERE month_date = v_month), puis insérez ceux du staging."


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The two months' published reports, made by core alone: month -> output folder."""
    import bottleneck_testkit as testing

    root = tmp_path_factory.mktemp("months")
    return {month: testing.core_outputs(month, testing.sample_month(month, root), root) for month in MONTHS}


def staged(published, month: str):
    """What load_staging would stage for ``month``: (manifest, its sha256, the rows)."""
    from bottleneck_core.warehouse import staging

    files = {p.name: p.read_bytes() for p in published[month].iterdir() if p.is_file()}
    manifest = json.loads(files["manifest.json"])
    return manifest, hashlib.sha256(files["manifest.json"]).hexdigest(), staging.staged_rows(month, files)


def student_sql() -> str:
    return work_file("sp_load_staging_to_dw.sql").read_text(encoding="utf-8")


@pytest.fixture
def conn(published):
    """A fresh warehouse with both months staged and the student's procedure in place."""
    import bottleneck_testkit as testing
    from bottleneck_core.warehouse import db, staging

    connection = db.connect(testing.postgres_database("exercise13"))
    db.init(connection)
    connection.execute(student_sql())
    connection.execute("CALL dw.sp_seed_dim_category()")
    for month in MONTHS:
        staging.load(connection, month, *staged(published, month))
    yield connection
    connection.close()


def load(conn, month: str, attempt: str) -> None:
    try:
        conn.execute("CALL dw.sp_load_staging_to_dw(%s)", (f"{month}-15",))
    except psycopg.Error as exc:
        error = str(exc).strip().splitlines()[0]
        expect(
            False,
            f"The {attempt} load of batch {month} failed: {error}. A reload must replace the batch's facts, not add them again.",
            f"Le {attempt} chargement du lot {month} a échoué : {error}. Un rechargement doit remplacer les faits du lot, pas les ajouter une seconde fois.",
            HINT_EN,
            HINT_FR,
        )


def facts(conn, month: str) -> dict:
    rows = conn.execute(
        "SELECT product_id, category_code, price, total_sales, revenue FROM dw.fact_monthly_sales"
        " WHERE month_date = %s ORDER BY product_id",
        (f"{month}-01",),
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_starter_file_creates_the_procedure(published):
    import bottleneck_testkit as testing
    from bottleneck_core.warehouse import db

    with db.connect(testing.postgres_database("exercise13")) as connection:
        db.init(connection)
        try:
            connection.execute(student_sql())
        except psycopg.Error as exc:
            expect(
                False,
                f"PostgreSQL refuses the file: {exc}",
                f"PostgreSQL refuse le fichier : {exc}",
                "Check the syntax: one CREATE OR REPLACE PROCEDURE, its body between $$ and $$.",
                "Vérifiez la syntaxe : un seul CREATE OR REPLACE PROCEDURE, son corps entre $$ et $$.",
            )
        found = connection.execute("SELECT count(*) FROM pg_proc WHERE proname = 'sp_load_staging_to_dw'").fetchone()[0]
        expect(
            found == 1,
            "The file does not define dw.sp_load_staging_to_dw(batch_date date).",
            "Le fichier ne définit pas dw.sp_load_staging_to_dw(batch_date date).",
        )


def test_a_batch_loaded_twice_is_not_duplicated(conn, published):
    manifest = staged(published, "2026-10")[0]
    load(conn, "2026-10", "first")
    once = facts(conn, "2026-10")
    load(conn, "2026-10", "second")
    twice = facts(conn, "2026-10")
    count = conn.execute("SELECT count(*) FROM dw.fact_monthly_sales WHERE month_date = '2026-10-01'").fetchone()[0]
    expect(
        count == len(twice) == manifest["rows"]["revenue"] and twice == once,
        f"After two loads of 2026-10 the fact table holds {count} rows for that month; "
        f"expected {manifest['rows']['revenue']}, the same as after one load.",
        f"Après deux chargements de 2026-10, la table des faits contient {count} lignes pour ce mois ; "
        f"{manifest['rows']['revenue']} attendues, comme après un seul chargement.",
        HINT_EN,
        HINT_FR,
    )
    total = sum(revenue for *_, revenue in twice.values())
    expect(
        total == Decimal(manifest["revenue_total"]),
        f"2026-10's revenue in the warehouse is {total} €, the manifest says {manifest['revenue_total']} €.",
        f"Le chiffre d'affaires de 2026-10 dans l'entrepôt vaut {total} €, le manifeste dit {manifest['revenue_total']} €.",
    )


def test_a_corrected_batch_replaces_the_old_one_and_nothing_else(conn, published):
    """2026-10 is staged again from a corrected export: one product less, one figure changed."""
    from bottleneck_core.warehouse import staging

    load(conn, "2026-09", "first")
    september = facts(conn, "2026-09")  # as loaded, before any other batch
    load(conn, "2026-10", "first")
    manifest, sha, rows = staged(published, "2026-10")
    removed, (batch, pid, sku, name, price, sales, _, category), *kept = rows
    corrected = [(batch, pid, sku, name, price, sales + 1, price * (sales + 1), category), *kept]
    staging.load(conn, "2026-10", manifest, sha, corrected)
    load(conn, "2026-10", "second")
    october = facts(conn, "2026-10")
    expect(
        removed[1] not in october,
        f"Product {removed[1]} left the corrected export of 2026-10 but is still in its facts: the old rows of the batch must go.",
        f"Le produit {removed[1]} a disparu de l'export corrigé de 2026-10 mais figure toujours dans ses faits : "
        "les anciennes lignes du lot doivent partir.",
        "ON CONFLICT updates the rows that are still there; it never removes the others.",
        "ON CONFLICT met à jour les lignes encore présentes ; il ne supprime jamais les autres.",
    )
    expect(
        october.get(pid, (None, None, None))[2] == sales + 1 and len(october) == len(corrected),
        f"The corrected figures of 2026-10 are not all in the warehouse (product {pid}: {october.get(pid)}).",
        f"Les chiffres corrigés de 2026-10 ne sont pas tous dans l'entrepôt (produit {pid} : {october.get(pid)}).",
        HINT_EN,
        HINT_FR,
    )
    expect(
        september and facts(conn, "2026-09") == september,
        "Loading 2026-10 changed the facts of 2026-09: a load touches its own batch only.",
        "Charger 2026-10 a modifié les faits de 2026-09 : un chargement ne touche que son propre lot.",
        "Filter on the batch's month (v_month); never empty the whole table.",
        "Filtrez sur le mois du lot (v_month) ; ne videz jamais toute la table.",
    )
