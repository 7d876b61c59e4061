"""Checker of exercise 01: the gate erp_expensive_in_stock.sql (no wine above 500 € out of stock).

Core runs the sample month in a temporary folder; the student's gate file is then loaded exactly
as core loads the files of ``sql/gates/`` and evaluated by core's own gate machinery
(``checks.evaluate``), first on the month as it is (the gate must pass), then on a copy of its
``erp_clean`` table that the checker damages (the gate must fail on exactly the damaged wines).
"""

from __future__ import annotations

import shutil

import core_kit
import duckdb
import pytest
from checklib import expect, work_file

NAME = "erp_expensive_in_stock"


def load_gate():
    """The student's file as a core gate, read by core's own checks.sql_gate."""
    from bottleneck_core import checks

    text = work_file(f"{NAME}.sql").read_text(encoding="utf-8")
    header = checks._split_sql(text)[0]
    missing = [k for k in ("level", "en", "fr") if k not in header]
    expect(
        not missing,
        f"The header lacks the line(s) {', '.join('-- ' + k + ':' for k in missing)}.",
        f"Il manque à l'en-tête la ou les lignes {', '.join('-- ' + k + ' :' for k in missing)}.",
        "Keep the three first lines: -- level:, -- en:, -- fr:.",
        "Gardez les trois premières lignes : -- level:, -- en:, -- fr:.",
    )
    return checks.sql_gate(NAME, text)


def evaluate(gate, paths):
    from bottleneck_core import checks

    tables = checks.Tables(paths)
    try:
        return checks.evaluate(gate, "clean_erp", tables)
    except (duckdb.Error, KeyError, IndexError, ValueError) as exc:
        expect(
            False,
            f"core could not run the gate: {type(exc).__name__}: {exc}",
            f"le cœur n'a pas pu exécuter le contrôle : {type(exc).__name__} : {exc}",
            "Try the query by hand: duckdb, then SELECT ... FROM 'data/work/2026-10/erp_clean.parquet' ...",
            "Essayez la requête à la main : duckdb, puis SELECT ... FROM 'data/work/2026-10/erp_clean.parquet' ...",
        )
    finally:
        tables.close()


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return core_kit.processed_month(tmp_path_factory.mktemp("month"))


@pytest.fixture(scope="module")
def damaged(month, tmp_path_factory):
    """A copy of the month whose erp_clean holds four edited wines; the ids that must be caught."""
    from bottleneck_core.config import Paths

    root = tmp_path_factory.mktemp("damaged")
    shutil.copytree(month.work, root / "work" / month.month)
    paths = Paths.for_month(month.month, sources=month.sources, work_root=root / "work", output_root=root / "output")
    table = paths.table("erp_clean")
    ids = [
        r[0]
        for r in duckdb.sql(
            f"SELECT product_id FROM '{table}' WHERE stock_status = 'instock' ORDER BY source_row LIMIT 4"
        ).fetchall()
    ]
    caught_650, boundary_500, in_stock_900, caught_500_01 = ids
    edits = {  # product_id: (price, stock_quantity, stock_status)
        caught_650: ("650.00", 0, "outofstock"),
        boundary_500: ("500.00", 0, "outofstock"),  # not ABOVE 500: must not be caught
        in_stock_900: ("900.00", 5, "instock"),  # expensive but in stock: must not be caught
        caught_500_01: ("500.01", 0, "outofstock"),
    }
    values = lambda n: "CASE " + " ".join(f"WHEN product_id = '{k}' THEN {v[n]!r}" for k, v in edits.items())  # noqa: E731
    tmp = table.with_suffix(".edited")
    duckdb.sql(f"""COPY (SELECT * REPLACE (
            CASE WHEN product_id IN ({", ".join(repr(k) for k in edits)}) THEN CAST(({values(0)} END) AS DECIMAL(18, 2)) ELSE price END AS price,
            CASE WHEN product_id IN ({", ".join(repr(k) for k in edits)}) THEN CAST(({values(1)} END) AS BIGINT) ELSE stock_quantity END AS stock_quantity,
            CASE WHEN product_id IN ({", ".join(repr(k) for k in edits)}) THEN ({values(2)} END) ELSE stock_status END AS stock_status)
        FROM '{table}' ORDER BY source_row) TO '{tmp}' (FORMAT parquet)""")
    tmp.replace(table)
    return paths, {caught_650, caught_500_01}, edits


def test_starter_gate_loads_and_runs(month):
    result = evaluate(load_gate(), month)
    expect(
        result.level in ("error", "warning"),
        f"level {result.level!r}: expected error or warning.",
        f"niveau {result.level!r} : error ou warning attendu.",
    )


def test_the_gate_passes_on_the_sample_month(month):
    result = evaluate(load_gate(), month)
    expect(
        result.status == "passed",
        f"On the sample month (no wine above 500 €), the gate says: {result.message_en}",
        f"Sur le mois d'exemple (aucun vin à plus de 500 €), le contrôle dit : {result.message_fr}",
        "The query must return only the offending rows; none here.",
        "La requête ne doit renvoyer que les lignes fautives ; ici, aucune.",
    )


def test_the_gate_fails_on_a_damaged_month(damaged):
    paths, expected, edits = damaged
    result = evaluate(load_gate(), paths)
    shown = "; ".join(f"{k}: {p} €, {s}" for k, (p, _, s) in edits.items())
    expect(
        result.status == "failed",
        f"The checker set four wines to [{shown}]: the gate still passes.",
        f"Quatre vins ont été modifiés [{shown}] : votre contrôle passe encore.",
        "WHERE price > 500 AND stock_status = ...; look at the values of stock_status in erp_clean.",
        "WHERE price > 500 AND stock_status = ... ; regardez les valeurs de stock_status dans erp_clean.",
    )
    first = [next(iter(r.values())) for r in result.evidence["rows"]]
    expect(
        set(first) == expected and result.evidence["count"] == len(expected),
        f"The gate should return exactly the wines {sorted(expected)} (product_id first); it returned {first}.",
        f"Le contrôle devrait renvoyer exactement les vins {sorted(expected)} (product_id en premier) ; il a renvoyé {first}.",
        "Above 500 € means strictly more than 500.00; a wine in stock is fine.",
        "« Plus de 500 € » veut dire strictement plus de 500,00 ; un vin en stock ne pose pas de problème.",
    )


def test_the_gate_stops_the_run_and_names_the_wines(damaged):
    paths, expected, _ = damaged
    result = evaluate(load_gate(), paths)
    expect(
        result.level == "error",
        f"The gate's level is {result.level!r}: a warning is only logged, the run goes on.",
        f"Le niveau du contrôle est {result.level!r} : un warning est seulement journalisé, l'exécution continue.",
        "-- level: error",
        "-- level: error",
    )
    for text, lang in ((result.message_en, "en"), (result.message_fr, "fr")):
        expect(
            "TODO" not in text and all(str(i) in text for i in expected),
            f"The {lang} message should name the offending wines ({sorted(expected)}): {text!r}",
            f"Le message {lang} devrait nommer les vins fautifs ({sorted(expected)}) : {text!r}",
            "Use {count} and {rows} (or {keys}) in the -- en: and -- fr: lines.",
            "Utilisez {count} et {rows} (ou {keys}) dans les lignes -- en: et -- fr:.",
        )
