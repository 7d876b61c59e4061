"""Each bad input stops the run at the right place, with a bilingual message naming the file,
the column or row and what was expected, a non-zero exit code, and nothing written."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bottleneck_core.cli import main
from bottleneck_core.config import Paths
from bottleneck_testkit import month_options

from .conftest import LAST


def edit(path, change):
    book = load_workbook(path)
    change(book.worksheets[0])
    book.save(path)


def column(sheet, name):
    return [c.value for c in sheet[1]].index(name) + 1


def run(tmp_path, sources):
    paths = Paths.for_month(LAST, sources=sources, work_root=tmp_path / "work", output_root=tmp_path / "output")
    result = CliRunner().invoke(main, ["run", *month_options(paths)])
    return result, result.stderr


def assert_nothing_published(tmp_path):
    output = tmp_path / "output"
    assert not output.exists() or not any(output.iterdir()), f"something was written: {list(output.iterdir())}"


def set_cell(name, row, value):
    return lambda sheet: setattr(sheet.cell(row=row, column=column(sheet, name)), "value", value)


def rename_header(old, new):
    return lambda sheet: setattr(sheet.cell(row=1, column=column(sheet, old)), "value", new)


def delete_column(name):
    return lambda sheet: sheet.delete_cols(column(sheet, name))


def all_prices_blank(sheet):
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column(sheet, "price")).value = None


def duplicate_conflicting_erp_key(sheet):
    values = [c.value for c in sheet[2]]
    values[column(sheet, "price") - 1] = 999.0
    sheet.append(values)


def duplicate_id_web(sheet):
    first_sku = next(
        sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row) if sheet.cell(row=r, column=2).value
    )
    sheet.append([999999, first_sku])


def all_prices(value):
    def change(sheet):
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row=row, column=column(sheet, "product_id")).value is not None:
                sheet.cell(row=row, column=column(sheet, "price")).value = value

    return change


def first_rows_with(name, count, new_value, post_type=None):
    """Change ``name`` on the first ``count`` rows that have a value there (and that post_type)."""

    def change(sheet):
        col, done = column(sheet, name), 0
        kind = column(sheet, "post_type") if post_type else None
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row=row, column=col)
            if post_type and sheet.cell(row=row, column=kind).value != post_type:
                continue
            if cell.value is not None and done < count:
                cell.value, done = new_value(cell.value), done + 1

    return change


CASES = {
    # name: (file, change, exit code, words every message must contain)
    "column missing": (
        "erp.xlsx",
        delete_column("stock_status"),
        2,
        ["erp.xlsx", "stock_status", "Expected", "Attendu"],
    ),
    "column renamed": ("erp.xlsx", rename_header("price", "prix"), 2, ["erp.xlsx", "price", "prix", "Found", "Trouvé"]),
    "key of dates": (
        "liaison.xlsx",
        set_cell("product_id", 5, dt.datetime(2024, 3, 1)),
        2,
        ["liaison.xlsx", "product_id", "row 5", "ligne 5", "got a date", "reçu une date"],
    ),
    "price not a number": (
        "erp.xlsx",
        set_cell("price", 7, "cher"),
        2,
        ["erp.xlsx", "price", "row 7", "ligne 7", "'cher'"],
    ),
    "duplicate ERP key, conflicting data": (
        "erp.xlsx",
        duplicate_conflicting_erp_key,
        1,
        ["erp_keys_unique", "product_id", "conflicting", "contradictoires"],
    ),
    "duplicate id_web": ("liaison.xlsx", duplicate_id_web, 1, ["link_id_web_unique", "multiply", "multiplierait"]),
    "all prices missing": ("erp.xlsx", all_prices_blank, 1, ["erp_prices_present", "without a price", "sans prix"]),
    "header only": (
        "erp.xlsx",
        lambda sheet: sheet.delete_rows(2, sheet.max_row),
        1,
        ["erp_raw_has_rows", "0 non-empty"],
    ),
    "negative total_sales": (
        "web.xlsx",
        first_rows_with("total_sales", 1, lambda v: -5, "product"),
        1,
        ["web_sales_not_negative", "clean_web", "negative total_sales", "total_sales négatif"],
    ),
    "empty total_sales": (
        "web.xlsx",
        first_rows_with("total_sales", 3, lambda v: None, "product"),
        1,
        ["web_sales_present", "clean_web", "without total_sales", "sans total_sales"],
    ),
    "every total_sales empty": (
        "web.xlsx",
        first_rows_with("total_sales", 10**6, lambda v: None),
        1,
        ["web_sales_present", "without total_sales"],
    ),
    "id_web with leading zeros": (
        "liaison.xlsx",
        first_rows_with("id_web", 300, lambda v: f"0{v}"),
        1,
        ["merged_unmatched_share", "'merge'", "leading zeros", "zéros en tête", "→ 0"],
    ),
    "all prices equal": (
        "erp.xlsx",
        all_prices(12.5),
        1,
        ["zscore_standardised", "z-score undefined", "prices are equal (12.50 €)", "indéfini"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_workbook_content(case, tmp_path, sources):
    name, change, code, words = CASES[case]
    edit(sources / name, change)
    result, stderr = run(tmp_path, sources)
    assert result.exit_code == code, stderr
    for word in words:
        assert word in stderr, f"{word!r} not in:\n{stderr}"
    assert "Traceback" not in stderr
    assert_nothing_published(tmp_path)


def test_missing_source_file(tmp_path, sources):
    (sources / "web.xlsx").unlink()
    result, stderr = run(tmp_path, sources)
    assert result.exit_code == 2
    assert "web.xlsx, Fichier_web.xlsx" in stderr and "Missing source file" in stderr and "manquant" in stderr
    assert_nothing_published(tmp_path)


def test_missing_source_folder(tmp_path):
    result, stderr = run(tmp_path, tmp_path / "nowhere")
    assert result.exit_code == 2 and "Source folder not found" in stderr and "introuvable" in stderr


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", ["erp.xlsx is empty (0 bytes)", "est vide"]),
        (bytes(range(256)) * 4, ["not an Excel .xlsx file", "binary data", "données binaires"]),
        (b"product_id,onsale_web,price\n1,1,2.5\n", ["not an Excel .xlsx file", "CSV", "CSV renommé"]),
    ],
    ids=["empty", "random bytes", "csv renamed"],
)
def test_not_an_excel_file(content, words, tmp_path, sources):
    (sources / "erp.xlsx").write_bytes(content)
    result, stderr = run(tmp_path, sources)
    assert result.exit_code == 2
    for word in words:
        assert word in stderr, stderr
    assert_nothing_published(tmp_path)


def test_two_namings_of_one_source_are_refused(tmp_path, sources):
    shutil.copy(sources / "erp.xlsx", sources / "Fichier_erp.xlsx")
    result, stderr = run(tmp_path, sources)
    assert result.exit_code == 2 and "Several files for 'erp'" in stderr


def test_a_failed_run_keeps_the_last_good_output(tmp_path, sources):
    result, _ = run(tmp_path, sources)
    assert result.exit_code == 0
    month = tmp_path / "output" / LAST
    before = {p.name: p.read_bytes() for p in month.iterdir()}
    edit(sources / "erp.xlsx", all_prices_blank)
    result, _ = run(tmp_path, sources)
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in month.iterdir()} == before
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [LAST]


def test_the_unmatched_limit_can_be_raised(tmp_path, sources, monkeypatch):
    edit(sources / "liaison.xlsx", first_rows_with("id_web", 300, lambda v: f"0{v}"))
    monkeypatch.setenv("BOTTLENECK_MAX_UNMATCHED", "0.9")
    result, stderr = run(tmp_path, sources)
    assert result.exit_code == 1 and "merged_unmatched_share" not in stderr  # the merge lets it through
    assert "reference_values" in stderr  # ...and the month's reference figures then disagree
