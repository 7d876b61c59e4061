"""Exercise 03: the revenue report as CSV, with one more column, and still deterministic.

``write_revenue_csv(work, target)`` reads the month's ``revenue`` table (``<work>/revenue.parquet``,
made by core's step ``revenue``) and writes one CSV row per wine, in the table's order (highest
revenue first, ties in natural product_id order). Money stays Decimal: ``24.20``, never ``24.2``.

    python exercises/03-report-column/revenue_csv.py data/work/2026-10 /tmp/revenue.csv
"""

from __future__ import annotations

import csv
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow.parquet as pq

COLUMNS = ["product_id", "sku", "name", "price", "total_sales", "revenue", "share_pct"]
CENT = Decimal("0.01")


def share_pct(revenue: Decimal | None, total: Decimal) -> str:
    """``revenue`` as a percentage of ``total``, exact, rounded half up to 2 decimals ('12.50')."""
    if revenue is None or total == 0:
        return ""
    return str((revenue * 100 / total).quantize(CENT, rounding=ROUND_HALF_UP))


def write_revenue_csv(work: Path, target: Path) -> None:
    rows = pq.read_table(Path(work) / "revenue.parquet").to_pylist()  # already in a total order
    total = sum((r["revenue"] for r in rows if r["revenue"] is not None), Decimal(0))  # exact: Decimals
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            row = {**row, "share_pct": share_pct(row["revenue"], total)}
            writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])


if __name__ == "__main__":
    write_revenue_csv(Path(sys.argv[1]), Path(sys.argv[2]))
