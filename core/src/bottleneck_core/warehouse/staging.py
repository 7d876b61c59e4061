"""``load_staging``: the landed reports of one month, read back from S3 and COPYed into PostgreSQL."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from ..errors import PipelineError

DETAIL_HEADER = ["product_id", "sku", "name", "price", "total_sales", "revenue"]
# The staging columns a row of staged_rows fills, in order (exercise 14 adds one).
COLUMNS = ("batch_month", "product_id", "sku", "name", "price", "total_sales", "revenue", "category")
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    # Excel stores the report's money as binary floats; repr() is the shortest text that round-trips,
    # so a cent amount comes back exactly (34.5 → 34.50).
    return Decimal(repr(value) if isinstance(value, float) else str(value)).quantize(CENT)


def _key(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def revenue_rows(xlsx: bytes) -> list[tuple]:
    """(product_id, sku, name, price, total_sales, revenue) for every product of the revenue report,
    on every sheet whose header is the detail header (the detail may spill over several sheets)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx), read_only=True, data_only=True)
    rows = []
    for sheet in book.worksheets:
        in_detail = False
        for values in sheet.iter_rows(values_only=True):
            cells = list(values[: len(DETAIL_HEADER)])
            if cells == DETAIL_HEADER:
                in_detail = True
                continue
            if not in_detail:
                continue
            if cells[0] is None or cells[0] == "TOTAL":  # the detail ends at the total or a blank row
                in_detail = False
                continue
            pid, sku, name, price, sales, revenue = cells
            rows.append((_key(pid), _key(sku), str(name), _money(price), int(sales), _money(revenue)))
    book.close()
    return rows


def product_ids(csv_bytes: bytes) -> list[str]:
    reader = csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig")))
    return [row["product_id"] for row in reader]


def staged_rows(month: str, files: dict[str, bytes]) -> list[tuple]:
    """The staging rows of a month: the revenue detail, each product with its category."""
    category = {pid: "premium" for pid in product_ids(files["premium_wines.csv"])}
    category |= {pid: "ordinary" for pid in product_ids(files["ordinary_wines.csv"])}
    rows = []
    for pid, sku, name, price, sales, revenue in revenue_rows(files["revenue_report.xlsx"]):
        if pid not in category:
            raise PipelineError(
                en=f"Landed month {month}: product {pid} is in revenue_report.xlsx but in neither wines CSV.",
                fr=f"Mois déposé {month} : le produit {pid} figure dans revenue_report.xlsx mais dans aucun des CSV de vins.",
            )
        rows.append((f"{month}-01", pid, sku, name, price, sales, revenue, category[pid]))
    return rows


def load(conn, month: str, manifest: dict, manifest_sha256: str, rows: list[tuple], columns=COLUMNS) -> int:
    """Replace batch ``month`` in staging (one transaction): its batch row, then its products by COPY,
    each row filling ``columns`` in order."""
    batch = f"{month}-01"
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM staging.batch WHERE batch_month = %s", (batch,))  # cascades to monthly_sales
        cur.execute(
            "INSERT INTO staging.batch (batch_month, manifest_sha256, revenue_total, product_count, premium_count,"
            " ordinary_count) VALUES (%s, %s, %s, %s, %s, %s)",
            (
                batch,
                manifest_sha256,
                Decimal(manifest["revenue_total"]),
                manifest["rows"]["revenue"],
                manifest["premium_count"],
                manifest["ordinary_count"],
            ),
        )
        with cur.copy(f"COPY staging.monthly_sales ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return len(rows)
