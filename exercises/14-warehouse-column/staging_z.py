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
    A copy of core's staging.load."""
    batch = f"{month}-01"
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM staging.batch WHERE batch_month = %s", (batch,))  # cascades to monthly_sales
        cur.execute(
            "INSERT INTO staging.batch (batch_month, manifest_sha256, revenue_total, product_count, premium_count,"
            " ordinary_count) VALUES (%s, %s, %s, %s, %s, %s)",
            (batch, manifest_sha256, Decimal(manifest["revenue_total"]), manifest["rows"]["revenue"],
             manifest["premium_count"], manifest["ordinary_count"]),
        )  # fmt: skip
        # TODO (exercise 14): COPY fills these columns, in this order, from each row's values.
        columns = "batch_month, product_id, sku, name, price, total_sales, revenue, category"
        with cur.copy(f"COPY staging.monthly_sales ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)
