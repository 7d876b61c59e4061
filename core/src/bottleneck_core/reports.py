"""The export step: Excel and CSV reports plus a manifest, byte-for-byte reproducible,
published atomically so a failed run never leaves partial output nor clobbers a good one."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import xlsxwriter

from . import __version__
from .store import read_json, sha256, write_json
from .tables import as_list

REPORT_FILES = ("revenue_report.xlsx", "premium_wines.csv", "ordinary_wines.csv")
FIXED_TIME = dt.datetime(2000, 1, 1)  # document timestamp: same inputs, same bytes


def _cell(value):
    """Ids that look like numbers are written as numbers, so Excel does not flag them."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 16 else value


def write_revenue_xlsx(revenue: pd.DataFrame, total: Decimal, path: Path) -> None:
    """One row per product, highest revenue first, then a TOTAL row.

    Excel cells hold binary floats: the exact decimal figures are in the CSVs and the
    manifest; here they are formatted to the cent. Rows are streamed (constant memory).
    """
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"title": "BottleNeck revenue report", "created": FIXED_TIME})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
    sheet = workbook.add_worksheet("revenue")
    sheet.freeze_panes(1, 0)
    sheet.set_column(2, 2, 48)
    sheet.set_column(3, 5, 14)
    sheet.write_row(0, 0, ["product_id", "sku", "name", "price", "total_sales", "revenue"], bold)
    columns = (
        [_cell(v) for v in as_list(revenue["product_id"])],
        [_cell(v) for v in as_list(revenue["sku"])],
        [name or "" for name in as_list(revenue["name"])],
        revenue["price"].astype("float64").tolist(),
        revenue["total_sales"].astype("int64").tolist(),
        revenue["revenue"].astype("float64").tolist(),
    )
    write = sheet.write  # ids may be numbers or text
    number, text = sheet.write_number, sheet.write_string
    for row, (product_id, sku, name, price, sales, amount) in enumerate(zip(*columns), start=1):
        write(row, 0, product_id)
        write(row, 1, sku)
        text(row, 2, name)
        number(row, 3, price, money)
        number(row, 4, sales)
        number(row, 5, amount, money)
    last = len(revenue) + 1
    sheet.write(last, 0, "TOTAL", bold)
    sheet.write_number(last, 5, float(total), money_bold)
    workbook.close()


def write_wines_csv(wines: pd.DataFrame, path: Path) -> None:
    columns = [as_list(wines[c]) for c in ("product_id", "sku", "name", "price", "z_score")]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["product_id", "sku", "name", "price", "z_score"])
        writer.writerows([product_id, sku, name or "", f"{price}", f"{z:.6f}"] for product_id, sku, name, price, z in zip(*columns))


def write_reports(tables, manifest: dict, staging: Path) -> dict:
    """Write the three reports and ``manifest.json`` into ``staging``; return the manifest."""
    revenue = tables["revenue"]
    total = Decimal(revenue["revenue"].sum())
    write_revenue_xlsx(revenue, total, staging / "revenue_report.xlsx")
    write_wines_csv(tables["premium"], staging / "premium_wines.csv")
    write_wines_csv(tables["ordinary"], staging / "ordinary_wines.csv")
    manifest = {"pipeline": f"bottleneck-core {__version__}", **manifest, "revenue_total": str(total)}
    manifest["outputs"] = {name: sha256(staging / name) for name in REPORT_FILES}
    write_json(manifest, staging / "manifest.json")
    return manifest


def publish(staging: Path, final: Path) -> None:
    """Swap ``staging`` into place of ``final``; the previous good output is removed only after."""
    previous = final.with_name(f".{final.name}.previous")
    if previous.exists():
        shutil.rmtree(previous)
    if final.exists():
        os.replace(final, previous)
    os.replace(staging, final)
    if previous.exists():
        shutil.rmtree(previous)


def export(tables, manifest: dict, final: Path) -> dict:
    """Write the reports into a staging folder beside ``final``, then publish them."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.staging-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        manifest = write_reports(tables, manifest, staging)
        publish(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return manifest


def verify_outputs(folder: Path) -> list[str]:
    """Problems found when the published files are compared with their manifest (none: all good)."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        return [f"{manifest_path} missing"]
    manifest = read_json(manifest_path)
    problems = []
    for name, digest in manifest.get("outputs", {}).items():
        path = folder / name
        if not path.exists():
            problems.append(f"{name} missing")
        elif sha256(path) != digest:
            problems.append(f"{name} differs from its manifest sha256")
    for name, key in (("premium_wines.csv", "premium_count"), ("ordinary_wines.csv", "ordinary_count")):
        path = folder / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                rows = sum(1 for _ in csv.reader(handle)) - 1
            if rows != manifest.get(key):
                problems.append(f"{name}: {rows} rows, manifest says {manifest.get(key)}")
    return problems
