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
    """product_id → z_score of one wines CSV, exact: Decimal("7.434125") from the text, no float."""
    reader = csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig")))
    return {row["product_id"]: Decimal(row["z_score"]) for row in reader}


def staged_rows(month: str, files: dict[str, bytes]) -> list[tuple]:
    """Core's rows (batch_month, product_id, sku, name, price, total_sales, revenue, category), each
    with its product's z_score appended. Core refuses a product that is in neither CSV."""
    z = z_scores(files["premium_wines.csv"]) | z_scores(files["ordinary_wines.csv"])
    return [(*row, z[row[1]]) for row in staging.staged_rows(month, files)]


def load(conn, month: str, manifest: dict, manifest_sha256: str, rows: list[tuple]) -> int:
    """Replace batch ``month`` in staging (one transaction): its batch row, then its products by COPY.
    Core's staging.load, with z_score in the COPY column list."""
    batch = f"{month}-01"
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM staging.batch WHERE batch_month = %s", (batch,))  # cascades to monthly_sales
        cur.execute(
            "INSERT INTO staging.batch (batch_month, manifest_sha256, revenue_total, product_count, premium_count,"
            " ordinary_count) VALUES (%s, %s, %s, %s, %s, %s)",
            (batch, manifest_sha256, Decimal(manifest["revenue_total"]), manifest["rows"]["revenue"],
             manifest["premium_count"], manifest["ordinary_count"]),
        )  # fmt: skip
        # COPY fills these columns, in this order, from each row's values: z_score is the rows' last.
        columns = "batch_month, product_id, sku, name, price, total_sales, revenue, category, z_score"
        with cur.copy(f"COPY staging.monthly_sales ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)
