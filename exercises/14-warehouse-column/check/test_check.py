"""Checker of exercise 14: the z-score of the wines CSVs travels through staging into the fact table.

Core publishes the sample month 2026-10 in a temporary folder. In a fresh database on the local
PostgreSQL (127.0.0.1:5432), core's warehouse SQL is applied, then the student's add_z_score.sql;
the month's files are staged with the student's staged_rows and load (staging_z.py, no S3 needed:
the files are read from disk), then loaded into the star schema with dw.sp_load_staging_to_dw.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal

import core_kit  # noqa: F401  (clears the student's BOTTLENECK_* settings)
import psycopg
import pytest
from checklib import expect, load_module, work_file

MONTH = "2026-10"
WINES = ("premium_wines.csv", "ordinary_wines.csv")
HINT_SQL_EN = "ALTER TABLE … ADD COLUMN IF NOT EXISTS z_score numeric(12, 6), on both tables; then the procedure copies s.z_score."
HINT_SQL_FR = "ALTER TABLE … ADD COLUMN IF NOT EXISTS z_score numeric(12, 6), sur les deux tables ; puis la procédure copie s.z_score."
HINT_PY_EN = "staged_rows appends each product's z_score (a Decimal of the CSV's text); load names z_score in the COPY column list."
HINT_PY_FR = "staged_rows ajoute le z_score de chaque produit (un Decimal du texte du CSV) ; load nomme z_score dans la liste des colonnes du COPY."


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The month as published by core alone: file name -> bytes (what load_staging reads back from S3)."""
    import bottleneck_testkit as testing

    root = tmp_path_factory.mktemp("month")
    output = testing.core_outputs(MONTH, testing.sample_month(MONTH, root), root)
    return {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()}


def csv_z_scores(files) -> dict[str, Decimal]:
    """What the check expects: product_id -> the z-score as the CSVs write it."""
    found = {}
    for name in WINES:
        for row in csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))):
            found[row["product_id"]] = Decimal(row["z_score"])
    return found


@pytest.fixture
def conn():
    """A fresh warehouse: core's SQL applied, categories seeded; nothing of the student's yet."""
    import bottleneck_testkit as testing
    from bottleneck_core.warehouse import db

    connection = db.connect(testing.postgres_database("exercise14"))
    db.init(connection)
    connection.execute("CALL dw.sp_seed_dim_category()")
    yield connection
    connection.close()


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def apply_sql(conn, attempt: str = "first") -> None:
    try:
        conn.execute(work_file("add_z_score.sql").read_text(encoding="utf-8"))
    except psycopg.Error as exc:
        if attempt == "first":
            expect(
                False,
                f"PostgreSQL refuses add_z_score.sql: {first_line(exc)}",
                f"PostgreSQL refuse add_z_score.sql : {first_line(exc)}",
                "Check the syntax: statements end with ';', the procedure's body is between $$ and $$.",
                "Vérifiez la syntaxe : chaque instruction finit par « ; », le corps de la procédure est entre $$ et $$.",
            )
        expect(
            False,
            f"add_z_score.sql fails when applied a second time: {first_line(exc)}. Every `bottleneck warehouse run` "
            "applies the warehouse's SQL files again (warehouse init): a migration among them must survive that.",
            f"add_z_score.sql échoue quand on l'applique une seconde fois : {first_line(exc)}. Chaque `bottleneck warehouse run` "
            "réapplique les fichiers SQL de l'entrepôt (warehouse init) : une migration qui en fait partie doit le supporter.",
            "ADD COLUMN IF NOT EXISTS; CREATE OR REPLACE PROCEDURE.",
            "ADD COLUMN IF NOT EXISTS ; CREATE OR REPLACE PROCEDURE.",
        )


def student_module():
    try:
        module = load_module(work_file("staging_z.py"), "staging_z")
    except Exception as exc:  # a syntax or import error in the student's file
        expect(
            False,
            f"staging_z.py does not import: {type(exc).__name__}: {first_line(exc)}",
            f"staging_z.py ne s'importe pas : {type(exc).__name__} : {first_line(exc)}",
        )
    missing = [name for name in ("staged_rows", "load") if not callable(getattr(module, name, None))]
    expect(
        not missing,
        f"staging_z.py has no function {', '.join(missing)}.",
        f"staging_z.py n'a pas de fonction {', '.join(missing)}.",
        "Keep staged_rows(month, files) and load(conn, month, manifest, manifest_sha256, rows).",
        "Gardez staged_rows(month, files) et load(conn, month, manifest, manifest_sha256, rows).",
    )
    return module


def manifest_of(files) -> tuple[dict, str]:
    return json.loads(files["manifest.json"]), hashlib.sha256(files["manifest.json"]).hexdigest()


def student_rows(files) -> list[tuple]:
    module = student_module()
    try:
        return module.staged_rows(MONTH, files)
    except Exception as exc:
        expect(
            False,
            f"staged_rows('{MONTH}', files) raised {type(exc).__name__}: {first_line(exc)}",
            f"staged_rows('{MONTH}', files) a levé {type(exc).__name__} : {first_line(exc)}",
            HINT_PY_EN,
            HINT_PY_FR,
        )


def stage(conn, files) -> list[tuple]:
    """Stage the month with the student's staged_rows and load; the rows staged."""
    rows, module = student_rows(files), student_module()
    try:
        module.load(conn, MONTH, *manifest_of(files), rows)
    except psycopg.Error as exc:
        expect(
            False,
            f"Staging {MONTH} failed: {first_line(exc)}",
            f"La mise en staging de {MONTH} a échoué : {first_line(exc)}",
            "Every column of load's COPY list must exist in staging.monthly_sales (add_z_score.sql), "
            "and every row needs one value per column, in that order.",
            "Chaque colonne de la liste du COPY de load doit exister dans staging.monthly_sales (add_z_score.sql), "
            "et chaque ligne a besoin d'une valeur par colonne, dans cet ordre.",
        )
    return rows


def load_dw(conn) -> None:
    try:
        conn.execute("CALL dw.sp_load_staging_to_dw(%s)", (f"{MONTH}-15",))
    except psycopg.Error as exc:
        expect(
            False,
            f"CALL dw.sp_load_staging_to_dw('{MONTH}-15') failed: {first_line(exc)}",
            f"CALL dw.sp_load_staging_to_dw('{MONTH}-15') a échoué : {first_line(exc)}",
            HINT_SQL_EN,
            HINT_SQL_FR,
        )


def has_z_column(conn, table: str) -> bool:
    schema, name = table.split(".")
    return (
        conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
            " AND column_name = 'z_score'",
            (schema, name),
        ).fetchone()[0]
        == 1
    )


def expect_z_scores(conn, table: str, query: str, files, hint_null: tuple[str, str]) -> None:
    """``table`` has a z_score column and ``query`` (product_id, z_score) gives the CSVs' values exactly;
    ``hint_null``: the hint (en, fr) when the values are missing (NULL)."""
    expect(
        has_z_column(conn, table),
        f"{table} has no column z_score.",
        f"{table} n'a pas de colonne z_score.",
        HINT_SQL_EN,
        HINT_SQL_FR,
    )
    found = dict(conn.execute(query, (f"{MONTH}-01",)).fetchall())
    expected = csv_z_scores(files)
    wrong = [
        (pid, found.get(pid))
        for pid in sorted(expected)
        if not (isinstance(found.get(pid), Decimal) and found[pid] == expected[pid])
    ]
    for pid, value in wrong[:1]:
        hint = (
            hint_null
            if value is None
            else (
                "numeric(12, 6) keeps the CSV's 6 decimals exactly.",
                "numeric(12, 6) garde exactement les 6 décimales du CSV.",
            )
        )
        value = f"{value} ({type(value).__name__})" if value is not None and not isinstance(value, Decimal) else value
        expect(
            False,
            f"{len(wrong)} product(s) of {MONTH} without their exact z-score in {table}; "
            f"first, product {pid}: {value}, the CSV says {expected[pid]}.",
            f"{len(wrong)} produit(s) de {MONTH} sans leur z-score exact dans {table} ; le premier, produit {pid} : {value}, le CSV dit {expected[pid]}.",
            *hint,
        )


def test_starter_files_load(conn, files):
    """PostgreSQL accepts add_z_score.sql; staging_z.py imports and stages one row per product."""
    apply_sql(conn)
    rows = student_rows(files)
    manifest = manifest_of(files)[0]
    expect(
        len(rows) == manifest["rows"]["revenue"],
        f"staged_rows returns {len(rows)} rows for {MONTH}; the revenue report has {manifest['rows']['revenue']} products.",
        f"staged_rows renvoie {len(rows)} lignes pour {MONTH} ; le rapport de chiffre d'affaires a {manifest['rows']['revenue']} produits.",
    )


def test_the_sql_is_safe_to_apply_twice(conn):
    apply_sql(conn, "first")
    apply_sql(conn, "second")


def test_a_product_in_neither_csv_is_refused(files):
    from bottleneck_core.errors import PipelineError
    from bottleneck_core.warehouse import staging

    ghost = staging.revenue_rows(files["revenue_report.xlsx"])[0][0]
    damaged = dict(files)
    for name in WINES:  # the product leaves both wines CSVs, stays in the revenue report
        table = list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"), newline="")))
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows([table[0], *(r for r in table[1:] if r[0] != ghost)])
        damaged[name] = out.getvalue().encode()
    module = student_module()
    try:
        module.staged_rows(MONTH, damaged)
        raised = None
    except Exception as exc:
        raised = exc
    expect(
        isinstance(raised, PipelineError),
        f"Product {ghost} is in revenue_report.xlsx but in neither wines CSV; "
        "staged_rows should refuse the month with core's PipelineError, "
        f"it {'returned rows' if raised is None else f'raised {type(raised).__name__}: {first_line(raised)}'}.",
        f"Le produit {ghost} figure dans revenue_report.xlsx mais dans aucun des CSV de vins ; "
        "staged_rows devrait refuser le mois avec la PipelineError du cœur, "
        f"{'elle a renvoyé des lignes' if raised is None else f'elle a levé {type(raised).__name__} : {first_line(raised)}'}.",
        "Let core's staging.staged_rows check the categories first, then add the z-scores to its rows.",
        "Laissez staging.staged_rows du cœur vérifier d'abord les catégories, puis ajoutez les z-scores à ses lignes.",
    )


def test_a_batch_without_z_scores_still_loads(conn, files):
    """A batch staged before the change (core's staging code, which knows no z_score) must still load."""
    from bottleneck_core.warehouse import staging

    apply_sql(conn)
    try:
        staging.load(conn, MONTH, *manifest_of(files), staging.staged_rows(MONTH, files))
        conn.execute("CALL dw.sp_load_staging_to_dw(%s)", (f"{MONTH}-15",))
    except psycopg.Error as exc:
        expect(
            False,
            f"A batch staged without z-scores, as every batch before this change, no longer loads: {first_line(exc)}",
            f"Un lot mis en staging sans z-scores, comme tous les lots d'avant ce changement, ne se charge plus : {first_line(exc)}",
            "Both tables need the column, and it must accept NULL: no NOT NULL.",
            "Les deux tables ont besoin de la colonne, et elle doit accepter NULL : pas de NOT NULL.",
        )
    count = conn.execute(
        "SELECT count(*) FROM dw.fact_monthly_sales WHERE month_date = %s", (f"{MONTH}-01",)
    ).fetchone()[0]
    products = manifest_of(files)[0]["rows"]["revenue"]
    expect(
        count == products,
        f"A batch staged without z-scores gives {count} facts for {MONTH}; expected {products}.",
        f"Un lot mis en staging sans z-scores donne {count} faits pour {MONTH} ; {products} attendus.",
    )
    if has_z_column(conn, "dw.fact_monthly_sales"):
        invented = conn.execute("SELECT count(*) FROM dw.fact_monthly_sales WHERE z_score IS NOT NULL").fetchone()[0]
        expect(
            invented == 0,
            f"{invented} fact(s) got a z-score although their batch has none.",
            f"{invented} fait(s) ont reçu un z-score alors que leur lot n'en a pas.",
            "No DEFAULT: an unknown z-score is NULL, not 0.",
            "Pas de DEFAULT : un z-score inconnu vaut NULL, pas 0.",
        )


def test_staging_holds_the_z_scores(conn, files):
    apply_sql(conn)
    rows = stage(conn, files)
    floats = [(row[1], value) for row in rows for value in row if isinstance(value, float)]
    expect(
        not floats,
        f"staged_rows returns floats (first: {floats[:1]}): a binary float is not the CSV's exact value.",
        f"staged_rows renvoie des floats (premier : {floats[:1]}) : un float binaire n'est pas la valeur exacte du CSV.",
        "Decimal(text), as core does for money.",
        "Decimal(texte), comme le cœur pour l'argent.",
    )
    expect_z_scores(
        conn,
        "staging.monthly_sales",
        "SELECT product_id, z_score FROM staging.monthly_sales WHERE batch_month = %s",
        files,
        (HINT_PY_EN, HINT_PY_FR),
    )


def test_the_facts_hold_the_z_scores(conn, files):
    apply_sql(conn)
    stage(conn, files)
    load_dw(conn)
    expect_z_scores(
        conn,
        "dw.fact_monthly_sales",
        "SELECT product_id, z_score FROM dw.fact_monthly_sales WHERE month_date = %s",
        files,
        (
            "The procedure's INSERT names z_score and its SELECT s.z_score; staging must hold them (previous check).",
            "L'INSERT de la procédure nomme z_score et son SELECT s.z_score ; le staging doit les contenir (contrôle précédent).",
        ),
    )
    manifest = manifest_of(files)[0]
    count, total = conn.execute(
        "SELECT count(*), coalesce(sum(revenue), 0) FROM dw.fact_monthly_sales WHERE month_date = %s", (f"{MONTH}-01",)
    ).fetchone()
    expect(
        count == manifest["rows"]["revenue"] and total == Decimal(manifest["revenue_total"]),
        f"{MONTH} in the facts: {count} rows and {total} €; the manifest says {manifest['rows']['revenue']} rows and {manifest['revenue_total']} €.",
        f"{MONTH} dans les faits : {count} lignes et {total} € ; le manifeste dit {manifest['rows']['revenue']} lignes et {manifest['revenue_total']} €.",
        "Keep the facts part of the procedure as it was (DELETE, then INSERT … SELECT), one more column.",
        "Gardez la partie des faits de la procédure telle quelle (DELETE, puis INSERT … SELECT), une colonne de plus.",
    )
