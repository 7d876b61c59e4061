"""Fault injection: every damaged input is made here from a sample month, run through
`bottleneck run` over a month already published, and must give the right exit code, blame the
right step or gate, name file / column / row in both languages, and leave the published
report byte-identical. Inputs that are odd but readable (stale dimension tags, hidden extra
sheets, other encodings) must give the same figures as the pristine files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bottleneck_core import faults
from bottleneck_core.cli import main
from bottleneck_testkit import sample_month

from .conftest import LAST

REPORTS = ("revenue_report.xlsx", "premium_wines.csv", "ordinary_wines.csv")


# --- making damaged inputs -------------------------------------------------------------------


def edit(name, change):
    def damage(folder):
        book = load_workbook(folder / name)
        change(book.worksheets[0])
        book.save(folder / name)

    return damage


def col(sheet, name):
    return [c.value for c in sheet[1]].index(name) + 1


def cell(name, row, value):
    return lambda sheet: setattr(sheet.cell(row=row, column=col(sheet, name)), "value", value)


def rows_of(path):
    book = load_workbook(path, read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def to_csv(name, change=None, encoding="utf-8", patch=None):
    """Replace ``name``.xlsx by a CSV of the same cells (``change`` edits the rows first)."""

    def damage(folder):
        rows = rows_of(folder / f"{name}.xlsx")
        if change:
            change(rows)
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(["" if v is None else v for v in r] for r in rows)
        (folder / f"{name}.xlsx").unlink()
        data = text.getvalue().encode(encoding)
        if patch:  # e.g. one value in another encoding
            assert patch[0] in data
            data = data.replace(patch[0], patch[1], 1)
        (folder / f"{name}.csv").write_bytes(data)

    return damage


def set_row(column, row, value):
    """Set a cell of a row list (``row`` as Excel numbers it: the header is row 1)."""

    def change(rows):
        rows[row - 1][rows[0].index(column)] = value

    return change


def to_parquet(name, types, change=None):
    def damage(folder):
        rows = rows_of(folder / f"{name}.xlsx")
        header, body = rows[0], [r for r in rows[1:] if any(v is not None for v in r)]
        columns = {h: [r[i] for r in body] for i, h in enumerate(header)}
        if change:
            change(columns)
        arrays = {
            h: pa.array(v, types.get(h)) if h in types else pa.array([None if x is None else str(x) for x in v])
            for h, v in columns.items()
        }
        (folder / f"{name}.xlsx").unlink()
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")

    return damage


ERP_TYPES = {"product_id": pa.int64(), "onsale_web": pa.int64(), "price": pa.float64(), "stock_quantity": pa.int64()}


def rewrite_xml(name, change):
    """Rewrite the first sheet's XML inside the workbook (what other tools' writers produce)."""

    def damage(folder):
        path = folder / name
        with zipfile.ZipFile(path) as src:
            items = [(i, src.read(i.filename)) for i in src.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info, data in items:
                out.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)

    return damage


def dimension(ref):
    return rewrite_xml(
        "erp.xlsx", lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)
    )


def uncached_formula(xml):
    # price of row 5 becomes a formula saved without its value (as openpyxl or a script writes it)
    return re.sub(rb'<c r="C5"([^>]*)><v>[^<]*</v></c>', rb'<c r="C5"\1><f>B5*10</f></c>', xml)


def extra_sheet(hidden_good: bool, title="old", same_header=True):
    """Add a sheet: a stale copy before the real one, or move the real data to a hidden sheet."""

    def damage(folder):
        path = folder / "erp.xlsx"
        book = load_workbook(path)
        real = book.worksheets[0]
        other = book.create_sheet(title, 0)
        header = [c.value for c in real[1]]
        other.append(header if same_header else ["notes"])
        if same_header:
            other.append([1, 1, 1.0, 1, "instock"])
        if hidden_good:
            real.sheet_state = "hidden"
        else:
            other.sheet_state = "hidden"
        book.active = 0
        book.save(path)

    return damage


def two_visible_sheets(folder):
    path = folder / "erp.xlsx"
    book = load_workbook(path)
    copy = book.copy_worksheet(book.worksheets[0])
    copy.title = "copy"
    book.save(path)


def web_titles_accented(rows):
    title = rows[0].index("post_title")
    for r in rows[1:]:
        if r[title]:
            r[title] = f"Château {r[title]}"


# --- the cases ---------------------------------------------------------------------------------
# name: (damage, exit code, blamed step, blamed gate or None, words every message must contain)

CASES = {f"fault {f.name}": (f.damage, f.exit_code, f.step, f.gate, []) for f in faults.FAULTS.values()}
CASES.update(
    {
        "price as text": (
            edit("erp.xlsx", cell("price", 7, "cher")),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "'price'", "row 7", "« price »", "ligne 7"],
        ),
        "price with 3 decimals": (
            edit("erp.xlsx", cell("price", 9, 12.345)),
            2,
            "extract_erp",
            None,
            ["row 9", "ligne 9", "2 decimals", "2 décimales"],
        ),
        "price too large": (
            edit("erp.xlsx", cell("price", 4, 1e17)),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "row 4", "ligne 4", "1,000,000", "1\u202f000\u202f000"],
        ),
        "price 1e308": (edit("erp.xlsx", cell("price", 4, 1e308)), 2, "extract_erp", None, ["row 4", "ligne 4"]),
        "stock too large": (
            edit("erp.xlsx", cell("stock_quantity", 6, 5e9)),
            2,
            "extract_erp",
            None,
            ["'stock_quantity'", "row 6", "ligne 6", "quantity", "quantité"],
        ),
        "date as price": (
            edit("erp.xlsx", cell("price", 3, dt.datetime(2026, 1, 2))),
            2,
            "extract_erp",
            None,
            ["row 3", "ligne 3", "got a date", "reçu une date"],
        ),
        "onsale_web 2": (
            edit("erp.xlsx", cell("onsale_web", 8, 2)),
            2,
            "extract_erp",
            None,
            ["'onsale_web'", "row 8", "ligne 8", "0 or 1", "0 ou 1"],
        ),
        "boolean sales": (
            edit("web.xlsx", cell("total_sales", 5, True)),
            2,
            "extract_web",
            None,
            ["web.xlsx", "'total_sales'", "row 5", "ligne 5", "boolean", "booléen"],
        ),
        "sales 1e308": (
            edit("web.xlsx", cell("total_sales", 5, 1e308)),
            2,
            "extract_web",
            None,
            ["'total_sales'", "row 5", "ligne 5"],
        ),
        "decimal sku": (
            edit("web.xlsx", cell("sku", 6, 1.5)),
            2,
            "extract_web",
            None,
            ["'sku'", "row 6", "ligne 6", "decimal number", "nombre décimal"],
        ),
        "column deleted": (
            edit("erp.xlsx", lambda s: s.delete_cols(col(s, "stock_status"))),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "stock_status", "Expected", "Attendu"],
        ),
        "column twice": (
            edit("erp.xlsx", lambda s: setattr(s.cell(row=1, column=s.max_column + 1), "value", "price")),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "price", "2 times", "2 fois"],
        ),
        "empty file": (
            lambda f: (f / "erp.xlsx").write_bytes(b""),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "0 bytes", "0 octet"],
        ),
        "random bytes": (
            lambda f: (f / "web.xlsx").write_bytes(bytes(range(256)) * 8),
            2,
            "extract_web",
            None,
            ["web.xlsx", "binary data", "données binaires"],
        ),
        "zip, not a workbook": (
            lambda f: zipfile.ZipFile(f / "erp.xlsx", "w").writestr("a.txt", "x"),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "could not be read", "n'a pas pu être lu"],
        ),
        "two namings": (
            lambda f: shutil.copy(f / "erp.xlsx", f / "Fichier_erp.xlsx"),
            2,
            "extract_erp",
            None,
            ["Several files", "Plusieurs fichiers", "Fichier_erp.xlsx"],
        ),
        "web header only": (
            edit("web.xlsx", lambda s: s.delete_rows(2, s.max_row)),
            1,
            "extract_web",
            "web_raw_has_rows",
            [],
        ),
        "formula without value": (
            rewrite_xml("erp.xlsx", uncached_formula),
            2,
            "extract_erp",
            None,
            ["erp.xlsx", "'price'", "row 5", "« price »", "ligne 5", "=B5*10"],
        ),
        # the rule reads the one VISIBLE sheet with the header, never the hidden one: here a stale copy
        "stale visible copy, real data hidden": (extra_sheet(hidden_good=True), 1, "merge", "merged_not_empty", []),
        "two visible candidate sheets": (
            two_visible_sheets,
            2,
            "extract_erp",
            None,
            ["'Sheet1', 'copy'", "« Sheet1 », « copy »"],
        ),
        "real data on a hidden sheet": (
            extra_sheet(hidden_good=True, same_header=False),
            2,
            "extract_erp",
            None,
            ["hidden sheet 'Sheet1'", "feuille masquée « Sheet1 »"],
        ),
        "csv ragged row": (
            to_csv("erp", lambda rows: rows[5].append("extra")),
            2,
            "extract_erp",
            None,
            ["erp.csv", "line 6", "ligne 6"],
        ),
        "csv inf price": (
            to_csv("erp", set_row("price", 4, "inf")),
            2,
            "extract_erp",
            None,
            ["erp.csv", "'price'", "row 4", "ligne 4"],
        ),
        "csv price 1e17": (
            to_csv("erp", set_row("price", 10, "1e17")),
            2,
            "extract_erp",
            None,
            ["'price'", "row 10", "ligne 10", "1,000,000"],
        ),
        "csv sales 1e308": (
            to_csv("web", set_row("total_sales", 3, "1e308")),
            2,
            "extract_web",
            None,
            ["web.csv", "'total_sales'", "row 3", "ligne 3"],
        ),
        "csv mixed encodings": (
            to_csv("web", web_titles_accented, patch=("Château".encode(), "Château".encode("cp1252"))),
            2,
            "extract_web",
            None,
            ["web.csv", "UTF-8", "line", "ligne"],
        ),
        "csv neither utf-8 nor cp1252": (
            to_csv("erp", patch=(b"instock", b"in\x81stock")),
            2,
            "extract_erp",
            None,
            ["erp.csv", "Windows-1252", "line", "ligne"],
        ),
        "parquet corrupt": (
            lambda f: ((f / "erp.xlsx").unlink(), (f / "erp.parquet").write_bytes(b"PAR1" + bytes(64) + b"PAR1")),
            2,
            "extract_erp",
            None,
            ["erp.parquet", "Parquet"],
        ),
        "parquet sub-cent decimal": (
            to_parquet(
                "erp",
                {**ERP_TYPES, "price": pa.decimal128(10, 4)},
                lambda c: c.update(
                    price=[None if v is None else Decimal(str(v)) for v in c["price"][:3]]
                    + [Decimal("12.3456")]
                    + [None if v is None else Decimal(str(v)) for v in c["price"][4:]]
                ),
            ),
            2,
            "extract_erp",
            None,
            ["erp.parquet", "'price'", "row 5", "ligne 5", "2 decimals"],
        ),
        "parquet float quantity": (
            to_parquet(
                "erp", {**ERP_TYPES, "stock_quantity": pa.float64()}, lambda c: c["stock_quantity"].__setitem__(2, 3.5)
            ),
            2,
            "extract_erp",
            None,
            ["'stock_quantity'", "row 4", "ligne 4", "whole number"],
        ),
        "parquet nan price": (
            to_parquet("erp", ERP_TYPES, lambda c: c["price"].__setitem__(6, float("inf"))),
            2,
            "extract_erp",
            None,
            ["'price'", "row 8", "ligne 8"],
        ),
    }
)

SAME_FIGURES = {
    "dimension A1": dimension("A1"),
    "dimension under-stated": dimension("A1:E10"),
    "dimension over-stated": dimension("A1:Z50000"),
    "stale hidden first sheet": extra_sheet(hidden_good=False),
    "extra visible notes sheet": extra_sheet(hidden_good=False, same_header=False, title="notes"),
    "web as csv utf-8": to_csv("web"),
    "web as csv utf-8 with bom": to_csv("web", encoding="utf-8-sig"),
    "erp as parquet": to_parquet("erp", ERP_TYPES),
}


# --- running them ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The last sample month, published once by a good run: (root, its reports' bytes)."""
    root = tmp_path_factory.mktemp("published")
    sources = sample_month(LAST, root)
    result = run(sources, root)
    assert result.exit_code == 0, result.stderr
    folder = root / "output" / LAST
    return root, {p.name: p.read_bytes() for p in folder.iterdir()}


def run(sources, root, *extra):
    args = ["run", "--month", LAST, "--sources", sources, "--work", root / "work", "--out", root / "output", *extra]
    return CliRunner().invoke(main, [str(a) for a in args], env={"BOTTLENECK_LANG": None})


def fresh(published, tmp_path):
    root, before = published
    shutil.copytree(root / "output", tmp_path / "output")
    return sample_month(LAST, tmp_path), before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_damaged_input_is_refused_and_the_report_kept(case, published, tmp_path):
    damage, code, step, gate, words = CASES[case]
    sources, before = fresh(published, tmp_path)
    damage(sources)
    result = run(sources, tmp_path)
    stderr = result.stderr
    assert result.exit_code == code, stderr
    assert "Traceback" not in stderr and "Unexpected error" not in stderr and not re.search(r"\bb'", stderr)
    assert f"✗ {step}" in stderr, stderr
    if gate:
        assert f"after step '{step}'" in stderr and f"après l'étape « {step} »" in stderr and f"[{gate}]" in stderr
    for word in words:
        assert word in stderr, f"{word!r} not in:\n{stderr}"
    folder = tmp_path / "output" / LAST
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [LAST], "litter beside the published month"


@pytest.mark.parametrize("case", SAME_FIGURES, ids=str)
def test_an_odd_but_readable_input_gives_the_same_figures(case, published, tmp_path):
    sources, before = fresh(published, tmp_path)
    SAME_FIGURES[case](sources)
    result = run(sources, tmp_path)
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "output" / LAST
    for name in REPORTS:
        assert (folder / name).read_bytes() == before[name], f"{name} differs"


def test_cp1252_csv_is_read_with_the_same_names_as_utf8(published, tmp_path):
    outputs = {}
    for encoding in ("utf-8", "cp1252"):
        sources = sample_month(LAST, tmp_path / encoding)
        to_csv("web", web_titles_accented, encoding=encoding)(sources)
        result = run(sources, tmp_path / encoding)
        assert result.exit_code == 0, result.stderr  # titles changed, figures not
        assert not re.search(r"\bb'", result.stderr)
    for encoding in ("utf-8", "cp1252"):
        rows = (tmp_path / encoding / "work" / LAST).glob("web_raw.parquet")
        outputs[encoding] = pq.read_table(next(rows)).column("post_title").to_pylist()
    assert outputs["utf-8"] == outputs["cp1252"] and any(t and t.startswith("Château") for t in outputs["cp1252"])


def test_every_case_names_a_real_step():
    from bottleneck_core import graph

    names = {s.name for s in graph.STEPS}
    assert all(step in names for _, _, step, _, _ in CASES.values())
    assert len(CASES) + len(SAME_FIGURES) >= 40
