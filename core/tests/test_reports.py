"""The export step: byte-identical fast writer, Excel's row limit, formula injection, atomic
publishing (crash at every point, SIGKILL), and the pipeline bugs issue 17 lists as uncaught."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from bottleneck_core import graph, reports, store
from bottleneck_core.config import Paths
from bottleneck_core.errors import GateFailed, PipelineError
from bottleneck_core.runner import run_checks, run_pipeline, run_step
from bottleneck_core.sources import arrow_type
from bottleneck_core.store import to_frame
from bottleneck_testkit import month_options

from .conftest import LAST

MONEY = arrow_type("money")  # exact decimals with cents


def revenue_arrow(rows) -> pa.Table:
    """rows: (product_id, sku, name, price, total_sales); revenue = price × sales, highest first."""
    rows = sorted(rows, key=lambda r: -(Decimal(r[3]) * r[4]))
    return pa.table(
        {
            "product_id": pa.array([r[0] for r in rows], pa.string()),
            "sku": pa.array([r[1] for r in rows], pa.string()),
            "name": pa.array([r[2] for r in rows], pa.string()),
            "price": pa.array([Decimal(r[3]) for r in rows], MONEY),
            "total_sales": pa.array([r[4] for r in rows], pa.int64()),
            "revenue": pa.array([Decimal(r[3]) * r[4] for r in rows], MONEY),
        }
    )


def revenue_table(rows) -> pd.DataFrame:
    """The same as a pandas frame (what the per-cell writer reads)."""
    return to_frame(revenue_arrow(rows))


def per_cell_reference(revenue: pd.DataFrame, total: Decimal, path: Path) -> None:
    """The straightforward XlsxWriter writer (one call per cell): the oracle for the fast one."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"title": "BottleNeck revenue report", "created": reports.FIXED_TIME})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
    sheet = workbook.add_worksheet("revenue")
    sheet.freeze_panes(1, 0)
    sheet.set_column(2, 2, 48)
    sheet.set_column(3, 5, 14)
    sheet.write_row(0, 0, list(reports.HEADER), bold)
    for row, r in enumerate(revenue.itertuples(index=False), start=1):
        for col, value in enumerate((r.product_id, r.sku)):
            value = None if pd.isna(value) else reports.id_cell(value)
            if isinstance(value, str) and value:
                assert sheet.write_string(row, col, value) == 0
            elif value not in (None, ""):
                assert sheet.write_number(row, col, value) == 0
        assert sheet.write_string(row, 2, "" if pd.isna(r.name) else r.name) == 0
        assert sheet.write_number(row, 3, float(r.price), money) == 0
        assert sheet.write_number(row, 4, int(r.total_sales)) == 0
        assert sheet.write_number(row, 5, float(r.revenue), money) == 0
    last = len(revenue) + 1
    sheet.write_string(last, 0, "TOTAL", bold)
    sheet.write_number(last, 5, float(total), money_bold)
    workbook.close()


AWKWARD = [
    ("6413", "16021", "Domaine du Pélican Pinot Noir 2021", "34.50", 73),
    ("7001", "ABC-7", 'Tom & Jerry <rosé> "cuvée"', "12.37", 3),
    ("007", "sku 7", " leading space", "70.40", 9),
    ("12345678901234567", "-5", "trailing tab\t", "0.10", 1),
    ("٣", "=1+1", "ctrl\x01char and _x0041_ literal", "99.99", 2),
    ("x", "@SUM(A1)", "\x1fstarts with a separator", "5.05", 4),
    ("y", "", "", "1.00", 0),
    ("z", "+33", "astral 🍷 glass\r", "934.80", 11),
    ("w", "http://example.com", '=HYPERLINK("http://evil","click")', "3.33", 5),
    ("123456789012345", "1234567890123456", "non-characters \ufffe and \uffff", "2.22", 6),
]


def test_fast_writer_gives_the_per_cell_writers_bytes(tmp_path):
    revenue = revenue_table(AWKWARD)
    total = Decimal(str(sum(Decimal(r[3]) * r[4] for r in AWKWARD)))
    reports.write_revenue_xlsx(revenue, total, tmp_path / "fast.xlsx")
    per_cell_reference(revenue, total, tmp_path / "slow.xlsx")
    assert (tmp_path / "fast.xlsx").read_bytes() == (tmp_path / "slow.xlsx").read_bytes()


def test_xlsx_writes_text_as_text_never_as_a_formula(tmp_path):
    reports.write_revenue_xlsx(revenue_table(AWKWARD), Decimal("1"), tmp_path / "r.xlsx")
    sheet = zipfile.ZipFile(tmp_path / "r.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "hyperlink" not in sheet.lower().replace("=hyperlink", "")
    import openpyxl

    rows = list(openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows(values_only=True))
    names = {row[2] for row in rows}
    assert '=HYPERLINK("http://evil","click")' in names and "=1+1" in {row[1] for row in rows}
    by_sku = {row[1]: row for row in rows}
    assert by_sku["ABC-7"][3:] == (12.37, 3, 37.11)
    assert rows[-1][0] == "TOTAL" and rows[-1][5] == 1


def test_csv_text_cells_are_neutralised_the_owasp_way(tmp_path):
    wines = to_frame(
        pa.table(
            {
                "product_id": ["1", "-2", "3", "4", "5", "6", "7"],
                "sku": ["=cmd|' /C calc'!A0", "+33", "@SUM(A1)", "\tx", "\rx", "a-b", None],
                "name": ["plain", "a, with comma", "=1+1", "-", "x=1", "", None],
                "price": pa.array([Decimal("1.00")] * 7, MONEY),
                "z_score": [-1.5, 0.0, 1.25, 2.5, -0.1, 3.0, 0.5],
            }
        )
    )
    reports.write_wines_csv(wines, tmp_path / "w.csv")
    with (tmp_path / "w.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [r[1] for r in rows] == ["'=cmd|' /C calc'!A0", "'+33", "'@SUM(A1)", "'\tx", "'\rx", "a-b", ""]
    assert [r[2] for r in rows] == ["plain", "a, with comma", "'=1+1", "'-", "x=1", "", ""]
    assert [r[0] for r in rows][:2] == ["1", "'-2"]
    assert [r[4] for r in rows][:2] == ["-1.500000", "0.000000"], "numbers are never prefixed"
    assert all(not cell.startswith(reports.FORMULA_START) for r in rows for cell in r[:3])


def test_csv_quotes_are_doubled_and_numbers_written_as_text(tmp_path):
    wines = pa.table(
        {
            "product_id": pa.array([4954, 7], pa.int64()),
            "sku": pa.array(["a\rb", "x\ny"]),
            "name": pa.array(['Cuvée "Prestige", 2019', "plain"]),
            "price": pa.array([Decimal("12.37"), Decimal("0.10")], MONEY),
            "z_score": [2.0000004, -0.0000004],
        }
    )
    reports.write_wines_csv(wines, tmp_path / "w.csv")
    assert (tmp_path / "w.csv").read_bytes() == (
        b"product_id,sku,name,price,z_score\n"
        + '4954,"a\rb","Cuvée ""Prestige"", 2019",12.37,2.000000\n'.encode()
        + b'7,"x\ny",plain,0.10,-0.000000\n'
    )


@pytest.mark.parametrize(
    ("products", "sheets"),
    [
        (0, [(0, 0)]),
        (1_048_574, [(0, 1_048_574)]),
        (1_048_575, [(0, 1_048_575), (1_048_575, 1_048_575)]),
        (2_000_000, [(0, 1_048_575), (1_048_575, 2_000_000)]),
    ],
)
def test_sheet_layout_at_excels_real_limit(products, sheets):
    assert reports.sheet_layout(products) == sheets
    rows = [stop - start + 1 for start, stop in sheets]
    rows[-1] += 1  # TOTAL
    assert all(r <= reports.EXCEL_ROWS for r in rows) and sum(rows) == products + len(sheets) + 1


@pytest.mark.parametrize("products", [3, 4, 5, 9, 10])
def test_past_the_row_limit_the_detail_spills_into_more_sheets(tmp_path, monkeypatch, products):
    monkeypatch.setattr(reports, "EXCEL_ROWS", 5)  # header + 4 rows a sheet, to test the layout quickly
    rows = [(str(100 + i), f"s{i}", f"wine {i}", f"{i + 1}.37", 3) for i in range(products)]
    revenue = revenue_table(rows)
    total = sum((Decimal(r[3]) * 3 for r in rows), Decimal("0"))
    reports.write_revenue_xlsx(revenue, total, tmp_path / "r.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == [reports.sheet_name(i) for i in range(len(reports.sheet_layout(products)))]
    seen = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert values[0] == reports.HEADER and len(values) <= 5
        seen += values[1:]
    assert seen[-1][0] == "TOTAL" and Decimal(str(seen[-1][5])) == total
    assert [str(r[0]) for r in seen[:-1]] == list(revenue["product_id"]), "every product, in order, once"


def cells(path: Path) -> list[tuple]:
    """Every cell of every sheet after its header row: (value, type, number format), sheet after sheet."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    return [
        tuple((c.value, c.data_type, c.number_format, c.font.b) for c in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(min_row=2, max_col=len(reports.HEADER))
    ]


def test_spilled_sheets_hold_the_per_cell_writers_cells(tmp_path, monkeypatch):
    """With 2 detail rows a sheet, the last row of each full sheet is written by XlsxWriter's own
    calls, the others by the fast writer: every cell must be what the per-cell writer writes."""
    revenue = revenue_table(AWKWARD)
    total = Decimal(str(sum(Decimal(r[3]) * r[4] for r in AWKWARD)))
    per_cell_reference(revenue, total, tmp_path / "one_sheet.xlsx")
    monkeypatch.setattr(reports, "EXCEL_ROWS", 3)
    reports.write_revenue_xlsx(revenue, total, tmp_path / "spilled.xlsx")
    assert cells(tmp_path / "spilled.xlsx") == cells(tmp_path / "one_sheet.xlsx")
    with zipfile.ZipFile(tmp_path / "spilled.xlsx") as book:  # each row once, in order: Excel repairs a
        for name in (n for n in book.namelist() if n.startswith("xl/worksheets/sheet")):  # file otherwise
            numbers = [int(n) for n in re.findall(rb'<row r="([0-9]+)"', book.read(name))]
            assert numbers == list(range(1, len(numbers) + 1)), (name, numbers)


def test_a_refused_write_stops_the_export(tmp_path, monkeypatch):
    import xlsxwriter.worksheet

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_number", lambda *a, **k: -1)
    with pytest.raises(PipelineError, match="incomplete"):
        reports.write_revenue_xlsx(revenue_table(AWKWARD), Decimal("1"), tmp_path / "r.xlsx")


@pytest.mark.parametrize(
    ("method", "column", "sheet", "second_id"),
    [
        ("write_row", 0, "revenue", "x"),  # the header row
        ("write_string", 0, "revenue", "x"),  # the second product, last row of the first sheet
        ("write_number", 0, "revenue", "102"),  # (an id of digits is a number)
        ("write_string", 1, "revenue", "x"),
        ("write_string", 2, "revenue", "x"),
        ("write_number", 3, "revenue", "x"),
        ("write_number", 4, "revenue", "x"),
        ("write_number", 5, "revenue", "x"),
        ("write_string", 0, "revenue 2", "x"),  # TOTAL, on the second sheet
        ("write_number", 5, "revenue 2", "x"),
    ],
)
def test_a_refused_cell_names_its_row_and_sheet_in_both_languages(
    tmp_path, monkeypatch, method, column, sheet, second_id
):
    """Two detail rows a sheet and three products: the header rows, the first sheet's last row
    and the TOTAL row go through XlsxWriter's calls (the other rows through the fast writer)."""
    import xlsxwriter.worksheet

    row = 1 if method == "write_row" else 3  # Excel's numbering
    original = getattr(xlsxwriter.worksheet.Worksheet, method)

    def refuse(self, r, c, *args, **kwargs):
        return -2 if (self.name, r, c) == (sheet, row - 1, column) else original(self, r, c, *args, **kwargs)

    rows = [("101", "a", "first", "9.00", 3), (second_id, "b", "second", "8.00", 3), ("103", "c", "third", "1.00", 3)]
    monkeypatch.setattr(reports, "EXCEL_ROWS", 3)
    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, method, refuse)
    path = tmp_path / "r.xlsx"
    with pytest.raises(PipelineError) as info:
        reports.write_revenue_xlsx(revenue_table(rows), Decimal("54"), path)
    assert (info.value.en, info.value.fr) == (
        f"Could not write row {row} of sheet '{sheet}' into {path} (XlsxWriter status -2): the report would be incomplete.",
        f"Impossible d'écrire la ligne {row} de la feuille « {sheet} » dans {path} (code XlsxWriter -2) : le rapport serait incomplet.",
    )


@pytest.mark.parametrize(("column", "kind"), [("price", MONEY), ("total_sales", pa.int64()), ("revenue", MONEY)])
def test_an_empty_figure_in_the_revenue_table_is_refused_naming_the_rows(tmp_path, column, kind):
    table = revenue_arrow([("1", "a", "x", "2.00", 1), ("2", "b", "y", "1.00", 1)])
    index = table.column_names.index(column)
    revenue = table.set_column(index, column, pa.array([table.column(column)[0].as_py(), None], kind))
    with pytest.raises(PipelineError) as info:
        reports.write_revenue_xlsx(revenue, Decimal("2"), tmp_path / "r.xlsx")
    assert info.value.en == "Empty price, sales or revenue in the revenue table (rows 1–2): nothing can be written."
    assert info.value.fr == (
        "Prix, ventes ou chiffre d'affaires vide dans la table revenue (lignes 1 à 2) : rien ne peut être écrit."
    )


def test_numbers_are_printed_as_xlsxwriter_prints_them():
    assert reports._g16(pa.array([10**16 - 1, -(10**16) + 1, 0])).to_pylist() == [
        "9999999999999999",
        "-9999999999999999",
        "0",
    ]
    assert reports._g16(pa.array([10**16, 2**62])).to_pylist() == ["1E+16", "4.611686018427388E+18"]
    assert reports._g16(pa.array([0.1, 1e20, 37.11])).to_pylist() == ["0.1", "1E+20", "37.11"]
    assert reports._g16(pa.array([], pa.int64())).to_pylist() == []


def test_integer_ids_in_the_revenue_table_give_the_same_bytes(tmp_path):
    revenue = as_numbers = revenue_arrow([("4954", "16021", "a", "34.50", 73), ("7", "70", "b", "1.00", 2)])
    for column in ("product_id", "sku"):
        index = as_numbers.column_names.index(column)
        as_numbers = as_numbers.set_column(index, column, pc.cast(as_numbers.column(column), pa.int64()))
    total = Decimal("2520.50")
    reports.write_revenue_xlsx(as_numbers, total, tmp_path / "numbers.xlsx")
    reports.write_revenue_xlsx(revenue, total, tmp_path / "texts.xlsx")
    assert (tmp_path / "numbers.xlsx").read_bytes() == (tmp_path / "texts.xlsx").read_bytes()


def test_a_text_too_long_for_excel_is_refused_not_truncated(tmp_path):
    rows = [*AWKWARD, ("9", "9", "x" * 40_000, "1.00", 1)]
    with pytest.raises(PipelineError) as info:
        reports.write_revenue_xlsx(revenue_table(rows), Decimal("1"), tmp_path / "r.xlsx")
    assert (info.value.en, info.value.fr) == (
        f"A text of 40000 characters does not fit in an Excel cell (at most 32767): {'x' * 40}…",
        f"Un texte de 40000 caractères ne tient pas dans une cellule Excel (32767 au plus) : {'x' * 40}…",
    )


GLASS = "\U0001f377"  # 🍷: one character, two UTF-16 units (Excel counts units)


@pytest.mark.parametrize(
    ("name", "fits"),
    [
        ("x" * 32_767, True),
        ("x" * 32_768, False),
        (GLASS * 16_383 + "é", True),  # 32,767 units
        (GLASS * 16_384, False),  # 16,384 characters, 32,768 units
        ("é" * 32_767, True),
        ("\uffff" + "x" * 32_766, True),  # U+FFFF is the last one-unit character
        ("\U00010000" * 16_384, False),  # U+10000 the first two-unit one
    ],
    ids=[
        "ascii at the limit",
        "ascii past it",
        "astral at the limit",
        "astral past it",
        "accents at the limit",
        "U+FFFF at the limit",
        "U+10000 past it",
    ],
)
@pytest.mark.parametrize("where", ["fast writer", "last row of a full sheet"])
def test_excels_text_limit_counts_utf16_units(tmp_path, monkeypatch, name, fits, where):
    if where != "fast writer":
        monkeypatch.setattr(reports, "EXCEL_ROWS", 2)  # every detail row but the last is a sheet's last row
    rows = [("1", "a", name, "9.00", 2), ("2", "b", "short", "1.00", 1)]
    if fits:
        reports.write_revenue_xlsx(revenue_table(rows), Decimal("19"), tmp_path / "r.xlsx")
        written = cells(tmp_path / "r.xlsx")[0][2][0]
        assert written.replace("_xFFFF_", "\uffff") == name  # openpyxl leaves Excel's escape of U+FFFF
    else:
        with pytest.raises(PipelineError, match="does not fit in an Excel cell"):
            reports.write_revenue_xlsx(revenue_table(rows), Decimal("19"), tmp_path / "r.xlsx")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("123456789012345", 123456789012345),
        ("1234567890123456", "1234567890123456"),
        ("007", 7),
        ("٣", "٣"),
        ("", ""),
        (5, 5),
    ],
)
def test_ids_that_look_like_numbers_become_numbers_up_to_15_digits(value, cell):
    assert reports.id_cell(value) == cell and type(reports.id_cell(value)) is type(cell)


# ---------------------------------------------------------------- publishing


class Crash(BaseException):
    """A kill: nothing after it runs (BaseException, so no ``except Exception`` cleans up)."""


def _month_folder(folder: Path, label: str) -> Path:
    folder.mkdir(parents=True)
    outputs = {}
    for name in reports.REPORT_FILES:
        (folder / name).write_text(f"{label} {name}\n" * 50)
        outputs[name] = store.sha256(folder / name)
    manifest = {"pipeline": reports.PIPELINE, "label": label, "premium_count": 49, "ordinary_count": 49}
    store.write_json(manifest | {"outputs": outputs}, folder / "manifest.json")
    return folder


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


DESTRUCTIVE = [
    (os, "replace"),
    (os, "rename"),
    (os, "unlink"),
    (os, "remove"),
    (os, "rmdir"),
    (shutil, "rmtree"),
    (shutil, "copytree"),
    (shutil, "copyfile"),
    (shutil, "move"),
    (reports, "_exchange"),
]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_kill_at_any_point_of_publishing_leaves_a_whole_month(tmp_path, monkeypatch, exchange):
    """Crash before the 1st, 2nd, … destructive call of ``publish``; then the next start recovers:
    the month is always the old one or the new one, whole, and no litter remains."""
    if not exchange:
        monkeypatch.setattr(reports, "_exchange", lambda a, b: False)
    pid = _dead_pid()
    for crash_at in range(100):
        root = tmp_path / str(crash_at)
        final = _month_folder(root / LAST, "old")
        staging = _month_folder(root / f".{LAST}.staging-{pid}", "new")
        (staging / reports.MARKER).touch()
        calls = []
        originals = {(m, n): getattr(m, n) for m, n in DESTRUCTIVE}

        def guarded(module, name):
            def call(*args, **kwargs):  # used in this iteration only: the loop variables are the right ones
                calls.append(name)  # noqa: B023
                if len(calls) > crash_at:  # noqa: B023
                    raise Crash
                return originals[(module, name)](*args, **kwargs)  # noqa: B023

            return call

        with monkeypatch.context() as patch:
            for module, name in DESTRUCTIVE:
                patch.setattr(module, name, guarded(module, name))
            try:
                reports.publish(staging, final)
                finished = True
            except Crash:
                finished = False
        reports.recover(final)  # the next start
        assert final.is_dir(), f"no published month after a kill before call {crash_at + 1} ({calls})"
        assert reports.verify_outputs(final) == [], calls
        label = store.read_json(final / "manifest.json")["label"]
        if finished:
            assert label == "new"
        assert sorted(p.name for p in root.iterdir()) == [LAST], f"litter after a kill at {calls}"
        if finished:
            break
    else:
        pytest.fail("publish never finished")


def test_stale_staging_folders_are_removed_only_if_the_tool_made_them(tmp_path):
    final = tmp_path / LAST
    dead, alive = _dead_pid(), os.getppid()
    ours = tmp_path / f".{LAST}.staging-{dead}"
    ours.mkdir()
    (ours / reports.MARKER).touch()
    (ours / "revenue_report.xlsx").write_text("half")
    old_month = _month_folder(tmp_path / f".{LAST}.staging-{dead + 100000}", "old")  # swapped out, kill before delete
    empty = tmp_path / f".{LAST}.staging-{dead + 200000}"
    empty.mkdir()
    foreign = tmp_path / f".{LAST}.staging-{dead + 300000}"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not ours")
    running = tmp_path / f".{LAST}.staging-{alive}"
    running.mkdir()
    (running / reports.MARKER).touch()
    reports.recover(final)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([foreign.name, running.name]), left
    assert not ours.exists() and not old_month.exists() and not empty.exists()


def test_a_folder_not_written_by_the_tool_is_never_replaced(tmp_path):
    final = tmp_path / LAST
    final.mkdir()
    (final / "thesis.docx").write_text("precious")
    staging = _month_folder(tmp_path / "staging", "new")
    with pytest.raises(PipelineError) as info:
        reports.publish(staging, final)
    assert (final / "thesis.docx").read_text() == "precious"
    assert (info.value.en, info.value.fr) == (
        f"{final} exists and was not written by bottleneck: it will not be replaced. Move it away or choose another --out.",
        f"{final} existe et n'a pas été écrit par bottleneck : il ne sera pas remplacé. Déplacez-le ou choisissez un autre --out.",
    )


def test_published_files_are_checked_against_their_manifest(tmp_path):
    folder = _month_folder(tmp_path / LAST, "good")
    assert reports.verify_outputs(folder) == []
    (folder / "premium_wines.csv").write_text("product_id,sku,name,price,z_score\n")  # 0 rows, other bytes
    (folder / "ordinary_wines.csv").unlink()
    assert reports.verify_outputs(folder) == [
        "premium_wines.csv differs from its manifest sha256",
        "ordinary_wines.csv missing",
        "premium_wines.csv: 0 rows, manifest says 49",
    ]
    store.write_json(store.read_json(folder / "manifest.json") | {"outputs": {}}, folder / "manifest.json")
    (folder / "ordinary_wines.csv").write_text("product_id,sku,name,price,z_score\n1,a,b,1.00,0.000000\n")
    assert reports.verify_outputs(folder) == [
        "premium_wines.csv: 0 rows, manifest says 49",
        "ordinary_wines.csv: 1 rows, manifest says 49",
    ]
    (folder / "manifest.json").unlink()
    assert reports.verify_outputs(folder) == [f"{folder / 'manifest.json'} missing"]


def test_export_makes_the_output_folders_and_totals_an_empty_month_as_zero(tmp_path):
    wines = pa.table(
        {
            "product_id": ["1"],
            "sku": ["a"],
            "name": ["b"],
            "price": pa.array([Decimal("1.00")], MONEY),
            "z_score": [0.5],
        }
    )
    empty = revenue_arrow([])
    final = tmp_path / "new" / "root" / LAST
    counts = {"month": LAST, "premium_count": 1, "ordinary_count": 1}
    manifest = reports.export({"revenue": empty, "premium": wines, "ordinary": wines}, counts, final)
    assert manifest["revenue_total"] == "0.00" and reports.verify_outputs(final) == []


def test_recovery_never_follows_a_link_named_like_a_staging_folder(tmp_path):
    target = _month_folder(tmp_path / "elsewhere", "kept")
    (target / reports.MARKER).touch()  # looks like the tool's
    link = tmp_path / "out" / f".{LAST}.staging-{_dead_pid()}"
    link.parent.mkdir()
    link.symlink_to(target, target_is_directory=True)
    assert reports.recover(tmp_path / "out" / LAST) == []
    assert link.is_symlink() and reports.verify_outputs(target) == []


def test_a_staging_folder_without_its_marker_is_published(tmp_path):
    staging = _month_folder(tmp_path / "staging", "new")  # no marker: publish must not need one
    reports.publish(staging, tmp_path / LAST)
    assert store.read_json(tmp_path / LAST / "manifest.json")["label"] == "new" and not staging.exists()


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    import errno

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "which").write_text("a")
    (b / "which").write_text("b")
    swapped = reports._exchange(a, b)
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is Linux's: elsewhere publish uses two renames")
    assert swapped, "Linux file systems swap folders in one step"
    assert ((a / "which").read_text(), (b / "which").read_text()) == ("b", "a")
    with pytest.raises(OSError) as info:
        reports._exchange(tmp_path / "missing", b)
    error = info.value
    assert (error.errno, error.strerror) == (errno.ENOENT, os.strerror(errno.ENOENT))
    assert (error.filename, error.filename2) == (str(tmp_path / "missing"), str(b))


def test_exchange_works_with_relative_paths(tmp_path, monkeypatch):
    """The default folders are relative (data/output/<month>): paths are taken from the working folder."""
    monkeypatch.chdir(tmp_path)
    Path("a").mkdir(), Path("b").mkdir()
    Path("a/which").write_text("a")
    if sys.platform.startswith("linux"):
        assert reports._exchange(Path("a"), Path("b")) and Path("b/which").read_text() == "a"


def test_pid_alive_neither_signals_nor_mistakes_a_process(tmp_path):
    default_signals = (  # a signal ignored by our parent (nohup ignores SIGHUP) would be ignored by the child too
        "import signal, time\n"
        "for number in signal.valid_signals():\n"
        "    try: signal.signal(number, signal.SIG_DFL)\n"
        "    except (OSError, ValueError): pass\n"
        "time.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", default_signals])
    time.sleep(0.3)  # its handlers are reset
    try:
        assert reports.pid_alive(child.pid)
        time.sleep(0.2)
        assert child.poll() is None, "asking whether a process runs must not signal it"
        assert reports.pid_alive(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert not reports.pid_alive(child.pid)


def test_removing_a_folder_never_follows_a_link_out_of_it(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    folder = tmp_path / "ours"
    (folder / "sub" / "deeper").mkdir(parents=True)
    (folder / "sub" / "deeper" / "f").write_text("x")
    (folder / "link").symlink_to(outside, target_is_directory=True)
    reports._remove(folder)
    assert not folder.exists() and (outside / "keep.txt").read_text() == "keep"


KILLS = 4


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_during_runs_never_leaves_a_broken_month(tmp_path, sources):
    """SIGKILL ``bottleneck run`` at random moments: the published month is always whole
    (manifest checksums verify), and the next complete run leaves no litter."""
    bottleneck = Path(sys.executable).with_name("bottleneck")
    env = {**os.environ, "BOTTLENECK_DATA_DIR": str(tmp_path)}
    for name in ("BOTTLENECK_WORK_DIR", "BOTTLENECK_OUTPUT_DIR", "BOTTLENECK_ALERT_WEBHOOK", "BOTTLENECK_SMTP_HOST"):
        env.pop(name, None)
    paths = Paths.for_month(LAST, sources=sources, work_root=tmp_path / "work", output_root=tmp_path / "output")
    command = [str(bottleneck), "run", *month_options(paths)]
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    duration = time.perf_counter() - start
    final = tmp_path / "output" / LAST
    good = store.read_json(final / "manifest.json")["outputs"]
    rng = random.Random(17)
    for _ in range(KILLS):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 1.0) * duration)  # the export is the last part
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert final.is_dir() and reports.verify_outputs(final) == []
        assert store.read_json(final / "manifest.json")["outputs"] == good
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert reports.verify_outputs(final) == []
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [LAST], "no staging or previous folder left"


# ---------------------------------------------------------------- the bugs of issue 17 §3


def test_run_pipeline_runs_exports_own_gate(paths, monkeypatch):
    monkeypatch.setattr(reports, "verify_outputs", lambda folder: ["revenue_report.xlsx differs (injected)"])
    with pytest.raises(GateFailed) as info:
        run_pipeline(paths)
    assert info.value.step == "export"
    assert [r.name for r in info.value.failures] == ["outputs_match_manifest"]


@pytest.mark.parametrize("failed_step", ["clean_erp", "revenue", "premium"])
def test_export_refuses_when_a_recorded_gate_failed(paths, failed_step):
    for step in graph.STEPS[:-1]:
        run_step(step.name, paths)
        run_checks(step.name, paths)
    recorded = store.read_json(paths.checks_file(failed_step))
    error = next(r for r in recorded if r["level"] == "error")
    error["status"] = "failed"
    store.write_json(recorded, paths.checks_file(failed_step))
    with pytest.raises(GateFailed) as info:
        run_step("export", paths)
    assert info.value.step == failed_step
    assert not paths.output.exists()


def test_work_tables_are_replaced_atomically(tmp_path, monkeypatch):
    """A kill just before the commit point of a table write: readers still see the old table."""
    path = tmp_path / "work" / "revenue.parquet"
    old = revenue_arrow(AWKWARD[:3])
    store.write_table(old, path)
    before = path.read_bytes()

    def killed(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(os, "replace", killed)
    monkeypatch.setattr(os, "rename", killed)
    with pytest.raises(Crash):
        store.write_table(revenue_arrow(AWKWARD), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert store.read_arrow(path).column("product_id").to_pylist() == old.column("product_id").to_pylist()


def test_sql_step_tables_are_replaced_atomically(tmp_path, monkeypatch):
    """The same for a table DuckDB writes (the SQL steps): old bytes until the rename."""
    from bottleneck_core import duck

    work = tmp_path / "work"
    store.write_table(revenue_arrow(AWKWARD), work / "merged.parquet")
    duck.copy_to(duck.connect(work), "SELECT * FROM 'merged.parquet' LIMIT 2", work / "revenue.parquet", "test")
    before = (work / "revenue.parquet").read_bytes()

    def killed(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(os, "replace", killed)
    monkeypatch.setattr(os, "rename", killed)
    with pytest.raises(Crash):
        duck.copy_to(duck.connect(work), "SELECT * FROM 'merged.parquet'", work / "revenue.parquet", "test")
    monkeypatch.undo()
    assert (work / "revenue.parquet").read_bytes() == before


ODD_CENTS = [  # product_id, sku, name, price, total_sales, revenue (by hand)
    (101, "w101", "Cuvée à 12,37", "12.37", 3, "37.11"),
    (102, "w102", "Blanc 7,49", "7.49", 7, "52.43"),
    (103, "w103", "Grand cru", "105.55", 1, "105.55"),
    (104, "w104", "Petit rouge", "3.33", 0, "0.00"),
    (105, "w105", "Rosé 9,99", "9.99", 13, "129.87"),
]
ODD_TOTAL = "324.96"  # 37.11 + 52.43 + 105.55 + 0.00 + 129.87, by hand


def _hand_made_month(folder: Path) -> Path:
    from bottleneck_core.generate import write_xlsx
    from bottleneck_core.sources import SOURCES, WEB_COLUMNS

    folder.mkdir(parents=True)
    erp = [[pid, 1, float(price), 5, "instock"] for pid, _, _, price, _, _ in ODD_CENTS]
    link = [[pid, sku] for pid, sku, *_ in ODD_CENTS]
    web = []
    for _, sku, name, _, sales, _ in ODD_CENTS:
        row = dict.fromkeys(WEB_COLUMNS)
        row.update(sku=sku, total_sales=sales, post_title=name, post_status="publish", post_type="product")
        web.append(list(row.values()))
        web.append(list((row | {"post_type": "attachment", "post_status": "inherit"}).values()))
    write_xlsx(folder / "erp.xlsx", SOURCES["erp"].columns, erp)
    write_xlsx(folder / "liaison.xlsx", SOURCES["link"].columns, link)
    write_xlsx(folder / "web.xlsx", WEB_COLUMNS, web)
    return folder


def test_revenue_is_exact_to_the_cent_on_a_hand_made_month(tmp_path):
    """Odd cents (12.37 × 3 = 37.11): figures computed by hand, not by the code under test."""
    paths = Paths.for_month(
        LAST, sources=_hand_made_month(tmp_path / "src"), work_root=tmp_path / "w", output_root=tmp_path / "o"
    )
    manifest = run_pipeline(paths)
    assert manifest["revenue_total"] == ODD_TOTAL
    import openpyxl

    rows = list(openpyxl.load_workbook(paths.output / "revenue_report.xlsx").active.iter_rows(values_only=True))
    got = {row[0]: (row[3], row[4], row[5]) for row in rows[1:-1]}
    assert got == {pid: (float(price), sales, float(rev)) for pid, _, _, price, sales, rev in ODD_CENTS}
    assert rows[-1][0] == "TOTAL" and rows[-1][5] == float(ODD_TOTAL)
    assert [row[0] for row in rows[1:-1]] == [105, 103, 102, 101, 104], "highest revenue first"
    prices = {}
    for name in ("premium_wines.csv", "ordinary_wines.csv"):
        with (paths.output / name).open(encoding="utf-8", newline="") as handle:
            prices |= {int(r["product_id"]): r["price"] for r in csv.DictReader(handle)}
    assert prices == {pid: price for pid, _, _, price, _, _ in ODD_CENTS}
    assert json.loads((paths.output / "manifest.json").read_text())["revenue_total"] == ODD_TOTAL
