"""Expected values that do not come from the code under test.

1. A small month written by hand, with prices that have odd cents (12.37 × 3 = 37.11): its
   figures are worked out in the comments below and written as literals.
2. Every sample month recomputed by a separate, plain-Python implementation of the rules of
   docs/core.md (no pandas, no DuckDB, no core function), from the raw Excel rows; the premium
   split is decided with exact fractions: z > 2 ⇔ price > mean and (price − mean)² > 4·variance.
3. The month rule (`previous_month`) on the calendar's edges.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bottleneck_core.config import Paths, previous_month
from bottleneck_core.generate import write_xlsx
from bottleneck_core.runner import run_pipeline
from bottleneck_core.sources import WEB_COLUMNS
from bottleneck_testkit import SAMPLE_MONTHS, sample_month

CENT = Decimal("0.01")

# --- 1. a month written by hand ------------------------------------------------------------

# product_id, sku, name, price, bottles sold                revenue = price × bottles
HAND_MADE = [
    (101, 9001, "Wine A", "12.37", 3),  # 37.11
    (102, 9002, "Wine B", "9.99", 7),  # 69.93
    (103, 9003, "Wine C", "15.01", 1),  # 15.01
    (104, 9004, "Wine D", "11.11", 9),  # 99.99
    (105, 9005, "Wine E", "13.13", 0),  # 0.00
    (106, 9006, "Wine F", "10.07", 13),  # 130.91
    (107, 9007, "Wine G", "14.49", 2),  # 28.98
    (108, 9008, "Wine H", "12.01", 5),  # 60.05
    (109, 9009, "Wine I", "9.95", 11),  # 109.45
    (110, 9010, "Wine J", "250.05", 1),  # 250.05
]
# total: 37.11 + 69.93 + 15.01 + 99.99 + 0 + 130.91 + 28.98 + 60.05 + 109.45 + 250.05 = 801.48
HAND_TOTAL = Decimal("801.48")
# mean price = 358.18 / 10 = 35.818; 250.05 − 35.818 = 214.232; the nine others are 20.8 to 25.9
# below the mean, so variance = (214.232² + Σ others²) / 10 ≈ 5099.4, std ≈ 71.41, z(J) ≈ 3.0 > 2:
# Wine J alone is premium.
HAND_PREMIUM = ["110"]


def write_month(folder: Path, products) -> Path:
    """The three exports of a month, as the shop's tools write them (web: a product row and an
    attachment row per wine, the attachment with no sales)."""
    folder.mkdir(parents=True)
    write_xlsx(
        folder / "erp.xlsx",
        ("product_id", "onsale_web", "price", "stock_quantity", "stock_status"),
        [[pid, 1, float(price), 10, "instock"] for pid, _, _, price, _ in products],
    )
    write_xlsx(folder / "liaison.xlsx", ("product_id", "id_web"), [[pid, sku] for pid, sku, *_ in products])
    web = []
    for _, sku, name, _, sold in products:
        for post_type, sales in (("product", sold), ("attachment", 0)):
            row = dict.fromkeys(WEB_COLUMNS)
            row.update(sku=sku, total_sales=sales, post_title=name, post_type=post_type, post_status="publish")
            web.append([row[c] for c in WEB_COLUMNS])
    write_xlsx(folder / "web.xlsx", tuple(WEB_COLUMNS), web)
    return folder


def published(month: str, sources: Path, root: Path) -> Path:
    paths = Paths.for_month(month, sources=sources, work_root=root / "work", output_root=root / "output")
    run_pipeline(paths)
    return paths.output


def csv_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [row[column] for row in csv.DictReader(f)]


def test_a_hand_made_month_with_odd_cents(tmp_path):
    out = published("2026-10", write_month(tmp_path / "sources" / "2026-10", HAND_MADE), tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    assert Decimal(manifest["revenue_total"]) == HAND_TOTAL
    assert csv_column(out / "premium_wines.csv", "product_id") == HAND_PREMIUM
    assert sorted(csv_column(out / "ordinary_wines.csv", "product_id")) == sorted(str(p[0]) for p in HAND_MADE[:-1])
    book = load_workbook(out / "revenue_report.xlsx", read_only=True)
    cells = [r for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    revenue = {
        str(r[0]): Decimal(repr(r[5])).quantize(CENT)
        for r in cells
        if r and isinstance(r[5], (int, float)) and r[0] != "TOTAL"
    }
    for pid, _, _, price, sold in HAND_MADE:
        assert revenue[str(pid)] == Decimal(price) * sold, pid  # every product to the cent


# --- 2. every sample month, by a separate implementation -----------------------------------


def key(value) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()


def sheet_rows(path: Path) -> list[dict]:
    rows = load_workbook(path, read_only=True, data_only=True).worksheets[0].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, r, strict=True)) for r in rows if any(v not in (None, "") for v in r)]


def oracle(sources: Path) -> dict:
    """docs/core.md's rules, in plain Python: clean (drop rows without their key), dedup (the web
    shop's product row wins over its attachment), merge (ERP ⋈ link ⋈ web), revenue, z-score."""
    price = {
        key(r["product_id"]): Decimal(str(r["price"])).quantize(CENT)
        for r in sheet_rows(sources / "erp.xlsx")
        if key(r["product_id"])
    }
    link = {
        key(r["product_id"]): key(r["id_web"]) for r in sheet_rows(sources / "liaison.xlsx") if key(r["product_id"])
    }
    web_rows = [r for r in sheet_rows(sources / "web.xlsx") if key(r["sku"])]
    has_product_row = {key(r["sku"]) for r in web_rows if r["post_type"] == "product"}
    sold = {
        key(r["sku"]): int(r["total_sales"])
        for r in web_rows
        if r["post_type"] == "product" or key(r["sku"]) not in has_product_row
    }
    merged = {pid: (p, sold[link[pid]]) for pid, p in price.items() if link.get(pid) in sold}
    prices = [Fraction(p) for p, _ in merged.values()]
    mean = sum(prices) / len(prices)
    variance = sum((p - mean) ** 2 for p in prices) / len(prices)  # population (ddof = 0)
    premium = {pid for pid, (p, _) in merged.items() if Fraction(p) > mean and (Fraction(p) - mean) ** 2 > 4 * variance}
    return {
        "rows": len(merged),
        "revenue_total": sum((p * n for p, n in merged.values()), Decimal("0.00")),
        "premium": premium,
        "price_mean": float(mean),
        "price_std": math.sqrt(variance),
    }


@pytest.mark.parametrize("month", SAMPLE_MONTHS)
def test_every_sample_month_matches_a_separate_implementation(month, tmp_path):
    sources = sample_month(month, tmp_path)
    expected = oracle(sources)
    out = published(month, sources, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    assert Decimal(manifest["revenue_total"]) == expected["revenue_total"]
    assert manifest["rows"]["merged"] == expected["rows"]
    assert set(csv_column(out / "premium_wines.csv", "product_id")) == expected["premium"]
    assert manifest["premium_count"] + manifest["ordinary_count"] == expected["rows"]
    reference = json.loads((sources / "reference.json").read_text())  # the generator's figures: a third opinion
    assert Decimal(reference["revenue_total"]) == expected["revenue_total"]
    assert Decimal(reference["price_mean"]) == Decimal(f"{expected['price_mean']:.2f}")
    assert Decimal(reference["price_std"]) == Decimal(f"{expected['price_std']:.2f}")


# --- 3. the month rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month"),
    [
        (dt.date(2026, 11, 15), "2026-10"),
        (dt.date(2026, 1, 15), "2025-12"),  # across the new year
        (dt.date(2026, 3, 1), "2026-02"),  # the first day still belongs to the new month
        (dt.date(2024, 3, 31), "2024-02"),  # the 31st: no "February 31st"
        (dt.datetime(2026, 6, 30, 23, 59), "2026-05"),
    ],
)
def test_previous_month(day, month):
    assert previous_month(day) == month
