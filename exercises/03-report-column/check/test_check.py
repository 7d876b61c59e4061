"""Checker of exercise 03: revenue_csv.py writes a share_pct column, exact, and the same bytes every time.

Core runs the sample month in a temporary folder; the student's write_revenue_csv turns its
revenue table into CSV (in-process, then twice more in fresh Python processes with different
hash seeds, which would reorder any iteration over a set). The checker computes every share
itself with exact fractions.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import core_kit
import duckdb
import pytest
from checklib import expect, load_module, work_file

BASE = ["product_id", "sku", "name", "price", "total_sales", "revenue"]


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return core_kit.processed_month(tmp_path_factory.mktemp("month"))


@pytest.fixture(scope="module")
def written(month, tmp_path_factory):
    module = load_module(work_file("revenue_csv.py"), "exercise_revenue_csv_03")
    target = tmp_path_factory.mktemp("csv") / "revenue.csv"
    module.write_revenue_csv(month.work, target)
    with open(target, newline="", encoding="utf-8") as f:
        return target, list(csv.reader(f))


def expected_rows(month) -> list[tuple]:
    return duckdb.sql(f"SELECT {', '.join(BASE)} FROM '{month.table('revenue')}'").fetchall()


def test_starter_writes_the_report(month, written):
    _, rows = written
    expect(
        rows and rows[0][: len(BASE)] == BASE,
        f"The header should start with {BASE}: {rows[:1]}",
        f"L'en-tête devrait commencer par {BASE} : {rows[:1]}",
    )
    table = expected_rows(month)
    expect(
        len(rows) - 1 == len(table),
        f"{len(rows) - 1} rows written; the revenue table has {len(table)}.",
        f"{len(rows) - 1} lignes écrites ; la table revenue en a {len(table)}.",
    )
    first = [[("" if v is None else str(v)) for v in r] for r in table]
    expect(
        [r[: len(BASE)] for r in rows[1:]] == first,
        "The first six columns no longer match the revenue table (values or order).",
        "Les six premières colonnes ne correspondent plus à la table revenue (valeurs ou ordre).",
        "Keep the rows in the table's order and money as Decimal text (24.20).",
        "Gardez l'ordre de la table et l'argent en texte décimal (24.20).",
    )


def test_the_share_column_exists(written):
    _, rows = written
    expect(
        rows[0] == [*BASE, "share_pct"],
        f"The header is {rows[0]}; expected {[*BASE, 'share_pct']}.",
        f"L'en-tête est {rows[0]} ; attendu : {[*BASE, 'share_pct']}.",
        'Add "share_pct" at the end of COLUMNS, and a value to every row.',
        'Ajoutez "share_pct" à la fin de COLUMNS, et une valeur à chaque ligne.',
    )


# A tiny month made by the checker, total 80.00 €: four shares fall exactly on a half cent
# (0.275, 0.225, 0.125, 0.075 %), where a float or another rounding rule gives another cent.
HALF_CENTS = [("1001", "79.44"), ("1002", "0.22"), ("1003", "0.18"), ("1004", "0.10"), ("1005", "0.06")]


def half_cent_month(folder):
    values = ", ".join(
        f"('{i}', 'sku{i}', 'Wine {i}', CAST({p} AS DECIMAL(18, 2)), CAST(1 AS BIGINT))" for i, p in HALF_CENTS
    )
    duckdb.sql(f"""COPY (SELECT product_id, sku, name, price, total_sales,
                              CAST(price * total_sales AS DECIMAL(18, 2)) AS revenue
                       FROM (VALUES {values}) t(product_id, sku, name, price, total_sales)
                       ORDER BY revenue DESC, product_id) TO '{folder / "revenue.parquet"}' (FORMAT parquet)""")
    return folder


def wrong_shares(work, target) -> list[str]:
    load_module(work_file("revenue_csv.py"), "exercise_revenue_csv_03").write_revenue_csv(work, target)
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    table = duckdb.sql(f"SELECT {', '.join(BASE)} FROM '{work / 'revenue.parquet'}'").fetchall()
    total = sum((Fraction(r[5]) for r in table if r[5] is not None), Fraction(0))
    wrong = []
    for row, values in zip(rows[1:], table, strict=False):  # a missing row is reported below
        if values[5] is None or total == 0:
            want = ""
        else:
            share = Fraction(values[5]) * 100 / total
            want = str((Decimal(share.numerator) / Decimal(share.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP))
        got = row[6] if len(row) > 6 else "(none)"
        if got != want:
            wrong.append(f"{values[0]}: {got} != {want}")
    return wrong


def test_the_shares_are_exact(month, tmp_path):
    for work, label_en, label_fr in (
        (month.work, "the sample month", "le mois d'exemple"),
        (
            half_cent_month(tmp_path),
            "a month of 80.00 € with half-cent shares",
            "un mois de 80,00 € aux parts tombant sur un demi-centime",
        ),
    ):
        wrong = wrong_shares(work, tmp_path / "revenue.csv")
        expect(
            not wrong,
            f"On {label_en}, {len(wrong)} share(s) differ (yours != exact), e.g. {'; '.join(wrong[:3])}.",
            f"Sur {label_fr}, {len(wrong)} part(s) diffèrent (la vôtre != l'exacte), par ex. {'; '.join(wrong[:3])}.",
            'Decimal all the way: revenue * 100 / total, then .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP); no float.',
            'Des Decimal de bout en bout : revenue * 100 / total, puis .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) ; pas de float.',
        )


def test_two_runs_give_the_same_bytes(month, written, tmp_path):
    target, _ = written
    code = (
        "import sys; from pathlib import Path; from checklib import load_module; "
        "load_module(Path(sys.argv[1]), 'm').write_revenue_csv(Path(sys.argv[2]), Path(sys.argv[3]))"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"revenue-{seed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code, str(work_file("revenue_csv.py")), str(month.work), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        expect(
            done.returncode == 0,
            f"write_revenue_csv failed in a fresh process: {done.stderr[-800:]}",
            f"write_revenue_csv a échoué dans un nouveau processus : {done.stderr[-800:]}",
        )
        outputs.append(out.read_bytes())
    same = outputs[0] == outputs[1] == target.read_bytes()
    expect(
        same,
        "Three runs on the same month wrote different bytes.",
        "Trois exécutions sur le même mois ont écrit des octets différents.",
        "No set, no time, no random: keep the table's order and a fixed number format.",
        "Ni set, ni heure, ni hasard : gardez l'ordre de la table et un format de nombre fixe.",
    )
