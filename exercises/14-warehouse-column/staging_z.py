"""Exercise 14: stage each wine's z-score with the rest of the month.

``staged_rows(month, files)`` turns a landed month (``files``: file name → bytes, as read back from
S3) into the rows of ``staging.monthly_sales``; ``load(conn, month, manifest, manifest_sha256, rows)``
replaces that batch in staging. For now both are core's own (core/src/bottleneck_core/warehouse/
staging.py), and the z_score column of premium_wines.csv and ordinary_wines.csv is lost on the way.
"""

from __future__ import annotations

from decimal import Decimal

from bottleneck_core.warehouse import staging


def staged_rows(month: str, files: dict[str, bytes]) -> list[tuple]:
    """(batch_month, product_id, sku, name, price, total_sales, revenue, category) for every product."""
    # TODO (exercise 14): append each product's z_score to its row, read from premium_wines.csv or
    # ordinary_wines.csv by product_id, as an exact Decimal of the CSV's text (never a float).
    return staging.staged_rows(month, files)


def load(conn, month: str, manifest: dict, manifest_sha256: str, rows: list[tuple]) -> int:
    """Replace batch ``month`` in staging (one transaction): its batch row, then its products by COPY.
    Core's staging.load: its COPY fills ``columns`` in order, by default staging.COLUMNS."""
    # TODO (exercise 14): the rows now end with a z_score: COPY must fill that column too.
    return staging.load(conn, month, manifest, manifest_sha256, rows)
