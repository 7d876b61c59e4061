"""Solution of exercise 14: each wine's z-score is staged with the rest of the month (see EXPLANATION.md).

``staged_rows(month, files)`` turns a landed month (``files``: file name → bytes, as read back from
S3) into the rows of ``staging.monthly_sales``; ``load(conn, month, manifest, manifest_sha256, rows)``
replaces that batch in staging. Both reuse core (core/src/bottleneck_core/warehouse/staging.py)
and add one column, z_score.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from bottleneck_core.warehouse import staging


def z_scores(csv_bytes: bytes) -> dict[str, Decimal]:
    """product_id → z_score of one wines CSV, exact: Decimal("7.434273") from the text, no float."""
    reader = csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig")))
    return {row["product_id"]: Decimal(row["z_score"]) for row in reader}


def staged_rows(month: str, files: dict[str, bytes]) -> list[tuple]:
    """Core's rows (batch_month, product_id, sku, name, price, total_sales, revenue, category), each
    with its product's z_score appended. Core refuses a product that is in neither CSV."""
    z = z_scores(files["premium_wines.csv"]) | z_scores(files["ordinary_wines.csv"])
    return [(*row, z[row[1]]) for row in staging.staged_rows(month, files)]


def load(conn, month: str, manifest: dict, manifest_sha256: str, rows: list[tuple]) -> int:
    """Replace batch ``month`` in staging (one transaction): its batch row, then its products by COPY.
    Core's staging.load, with z_score, the rows' last value, added to the columns COPY fills."""
    return staging.load(conn, month, manifest, manifest_sha256, rows, columns=(*staging.COLUMNS, "z_score"))
