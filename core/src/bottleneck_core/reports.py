"""The export step: Excel and CSV reports plus a manifest, byte-for-byte reproducible,
published atomically so a failed (or killed) run never leaves partial output nor clobbers a good one.

- ``revenue_report.xlsx``: one row per product, highest revenue first, then a TOTAL row. Excel
  holds 1,048,576 rows per sheet: a longer report *spills* into the sheets ``revenue 2``,
  ``revenue 3``… (each with the header row); the TOTAL row ends the last one. Nothing is ever
  truncated: every write is checked.
- ``premium_wines.csv``, ``ordinary_wines.csv``: exact decimal prices; text cells that a
  spreadsheet would run as a formula are neutralised the OWASP way (see :func:`_csv_texts`).
- ``manifest.json``: where the figures come from, the gate results and every report's sha256.

The workbook's container (styles, properties, first and last row of each sheet) is written by
XlsxWriter; the detail rows in between are serialised here, exactly as XlsxWriter would
serialise them (``tests/test_reports.py`` compares both byte for byte), about 6× faster.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import shutil
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from .errors import PipelineError
from .store import read_json, sha256, write_json

REPORT_FILES = ("revenue_report.xlsx", "premium_wines.csv", "ordinary_wines.csv")
FIXED_TIME = dt.datetime(2000, 1, 1)  # document timestamp: same inputs, same bytes
EXCEL_ROWS = 1_048_576  # rows in an Excel sheet (header included)
EXCEL_TEXT = 32_767  # characters (UTF-16 units) in an Excel cell
HEADER = ("product_id", "sku", "name", "price", "total_sales", "revenue")
PIPELINE = f"bottleneck-core {__version__}"
MARKER = ".bottleneck-staging"  # in a staging folder while it is being written: the tool made it


def _arrow(table) -> pa.Table:
    """A work table as Arrow, whatever the steps hand over (Arrow table or pandas frame)."""
    if isinstance(table, pa.Table):
        return table
    if hasattr(table, "to_arrow"):  # DuckDB relation
        return table.to_arrow()
    return pa.Table.from_pandas(table, preserve_index=False)


# ---------------------------------------------------------------- formula injection (CSV)

#: OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE2 = "^[" + re.escape("".join(FORMULA_START)) + "]"


# ---------------------------------------------------------------- Excel cells, XlsxWriter's way

_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


def _text_tail(text: str) -> str:
    """The end of an inline-string ``<c>`` element, escaped as XlsxWriter escapes it."""
    if len(text) > EXCEL_TEXT // 2 and _utf16_len(text) > EXCEL_TEXT:
        raise _TooLong(text)
    if not _NEEDS_CARE.search(text):
        return f' t="inlineStr"><is><t>{text}</t></is></c>'
    text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


class _TooLong(ValueError):
    pass


def id_cell(value):
    """Ids that look like numbers are written as numbers (so Excel does not flag them), others as text."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        return int(value)
    return value


_PLAIN_RE2 = r"[&<>\x00-\x1f\x{fffe}\x{ffff}]|_x|^[^!-~]|[^!-~]$"  # else: escape in Python


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _text_tails(texts: pa.Array) -> pa.Array:
    """:func:`_text_tail` for a whole column: plain texts in Arrow, the few others in Python."""
    tails = _join(' t="inlineStr"><is><t>', texts, "</t></is></c>")
    careful = pc.or_(pc.match_substring_regex(texts, _PLAIN_RE2), pc.greater(pc.utf8_length(texts), EXCEL_TEXT // 2))
    if pc.any(careful).as_py():
        others = [_text_tail(t) for t in pc.filter(texts, careful).to_pylist()]
        tails = pc.replace_with_mask(tails, careful, pa.array(others, pa.string()))
    return tails


def _id_cells(ids: pa.Array, letter: str, rows: pa.Array) -> pa.Array:
    """The ``<c>`` elements of an id column: digits (15 at most) as numbers, other text as text, none if empty."""
    ids = pc.fill_null(ids, "")
    number = pc.match_substring_regex(ids, r"^[0-9]{1,15}$")
    as_number = _join("><v>", pc.replace_substring_regex(ids, r"^0+([0-9])", r"\1"), "</v></c>")
    cells = _join(f'<c r="{letter}', rows, '"', pc.if_else(number, as_number, _text_tails(ids)))
    return pc.if_else(pc.equal(ids, ""), "", cells)


def _g16(values: pa.Array) -> pa.Array:
    """Numbers as XlsxWriter prints them (``%.16G``)."""
    if pa.types.is_integer(values.type) and (len(values) == 0 or pc.max(pc.abs(values)).as_py() < 10**16):
        return pc.cast(values, pa.string())  # below 10**16, %.16G prints every digit
    return pa.array([None if v is None else f"{v:.16G}" for v in values.to_pylist()], pa.string())


def _detail_columns(revenue: pa.Table) -> dict[str, pa.Array]:
    def column(name):
        return revenue.column(name).combine_chunks()

    def text(name):
        values = column(name)
        return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())

    return {
        "product_id": text("product_id"),
        "sku": text("sku"),
        "name": pc.fill_null(text("name"), ""),
        "price": _to_float(column("price")),
        "total_sales": pc.cast(column("total_sales"), pa.int64()),
        "revenue": _to_float(column("revenue")),
    }


def _to_float(values: pa.Array) -> pa.Array:
    """Decimal → float64, correctly rounded: through text (Arrow's direct cast is not: 70.40 → 70.40000000000001)."""
    if pa.types.is_decimal(values.type):
        values = pc.cast(values, pa.string())
    return pc.cast(values, pa.float64())


BATCH = 65_536


def _write_detail_rows(handle, columns: dict, start: int, stop: int, first_row: int, money: int) -> None:
    """Rows ``start..stop`` of the detail as sheet XML, the first one at Excel row ``first_row`` (1-based).

    Built column-wise with Arrow string kernels, a batch of rows at a time, and written as one buffer.
    """
    import numpy as np

    for offset in range(start, stop, BATCH):
        size = min(BATCH, stop - offset)
        c = {name: values.slice(offset, size) for name, values in columns.items()}
        r = pc.cast(pa.array(np.arange(first_row + offset - start, first_row + offset - start + size)), pa.string())
        xml = _join(
            '<row r="',
            r,
            '">',
            _id_cells(c["product_id"], "A", r),
            _id_cells(c["sku"], "B", r),
            '<c r="C',
            r,
            '"',
            _text_tails(c["name"]),
            '<c r="D',
            r,
            f'" s="{money}"><v>',
            _g16(c["price"]),
            "</v></c>",
            '<c r="E',
            r,
            '"><v>',
            _g16(c["total_sales"]),
            "</v></c>",
            '<c r="F',
            r,
            f'" s="{money}"><v>',
            _g16(c["revenue"]),
            "</v></c></row>",
        )
        if xml.null_count:
            raise PipelineError(
                en=f"Empty price, sales or revenue in the revenue table (rows {offset + 1}–{offset + size}): nothing can be written.",
                fr=f"Prix, ventes ou chiffre d'affaires vide dans la table revenue (lignes {offset + 1} à {offset + size}) : rien ne peut être écrit.",
            )
        handle.write(_utf8_bytes(xml))


def _utf8_bytes(strings: pa.Array) -> memoryview:
    """The concatenated UTF-8 bytes of a string array without nulls (no copy)."""
    import numpy as np

    _, offsets, data = strings.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32, count=len(strings) + 1, offset=strings.offset * 4)
    return memoryview(data)[bounds[0] : bounds[-1]]


def sheet_layout(products: int) -> list[tuple[int, int]]:
    """Which detail rows go on which sheet: ``[(start, stop), ...]``; the TOTAL row follows the last.

    A sheet holds a header row and 1,048,575 more rows; when the last sheet is full, the TOTAL
    row goes on one more sheet (header and TOTAL only).
    """
    per_sheet = EXCEL_ROWS - 1
    layout = [(start, min(products, start + per_sheet)) for start in range(0, products, per_sheet)] or [(0, 0)]
    if layout[-1][1] - layout[-1][0] == per_sheet:
        layout.append((products, products))
    return layout


def sheet_name(index: int) -> str:
    return "revenue" if index == 0 else f"revenue {index + 1}"


def _checked(status: int, sheet, row: int, path: Path) -> None:
    """Stop when XlsxWriter refused to write a cell of ``row`` (0-based) of ``sheet``."""
    if status != 0:
        raise PipelineError(
            en=f"Could not write row {row + 1} of sheet '{sheet.name}' into {path} (XlsxWriter status {status}): "
            "the report would be incomplete.",
            fr=f"Impossible d'écrire la ligne {row + 1} de la feuille « {sheet.name} » dans {path} "
            f"(code XlsxWriter {status}) : le rapport serait incomplet.",
        )


def write_revenue_xlsx(revenue, total: Decimal, path: Path) -> None:
    """One row per product, highest revenue first, then a TOTAL row; spills past Excel's row limit.

    Excel cells hold binary floats (correctly rounded from the exact decimals); the exact figures
    are in the CSVs and the manifest. XlsxWriter writes the workbook with the first and last row
    of each sheet; the rows in between are then serialised into the sheet XML (same bytes).
    """
    import xlsxwriter

    revenue = _arrow(revenue)
    columns = _detail_columns(revenue)
    products = revenue.num_rows
    layout = sheet_layout(products)
    shell = path.with_name(f".{path.name}.shell")
    workbook = xlsxwriter.Workbook(str(shell), {"constant_memory": True})
    workbook.set_properties({"title": "BottleNeck revenue report", "created": FIXED_TIME})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "#,##0.00"})
    money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
    styles = (bold._get_xf_index(), money._get_xf_index(), money_bold._get_xf_index())  # 1, 2, 3 in this order
    gaps = {}  # sheet XML name → detail rows to insert after its header row
    try:
        for index, (start, stop) in enumerate(layout):
            sheet = workbook.add_worksheet(sheet_name(index))
            sheet.freeze_panes(1, 0)
            sheet.set_column(2, 2, 48)
            sheet.set_column(3, 5, 14)
            _checked(sheet.write_row(0, 0, HEADER, bold), sheet, 0, path)
            last_sheet = index == len(layout) - 1
            # the sheet's last row goes through XlsxWriter: it sets the dimension and flushes the header
            tail = stop if last_sheet else stop - 1
            if tail > start:
                gaps[f"xl/worksheets/sheet{index + 1}.xml"] = (start, tail, 2)
            if last_sheet:
                row = stop - start + 1
                _checked(sheet.write_string(row, 0, "TOTAL", bold), sheet, row, path)
                _checked(sheet.write_number(row, 5, float(total), money_bold), sheet, row, path)
            else:
                values = [columns[name][stop - 1].as_py() for name in HEADER]
                _write_row_with_xlsxwriter(sheet, stop - start, values, money, path)
        workbook.close()
        _fill_gaps(shell, path, gaps, columns, styles[1])
    except _TooLong as error:
        raise PipelineError(
            en=f"A text of {len(str(error))} characters does not fit in an Excel cell (at most {EXCEL_TEXT}): {str(error)[:40]}…",
            fr=f"Un texte de {len(str(error))} caractères ne tient pas dans une cellule Excel ({EXCEL_TEXT} au plus) : {str(error)[:40]}…",
        ) from None
    finally:
        shell.unlink(missing_ok=True)


def _write_row_with_xlsxwriter(sheet, row: int, values: list, money, path: Path) -> None:
    product_id, sku, name, price, sales, amount = values
    _text_tail(name or "")  # refuses what does not fit
    _checked(sheet.write_string(row, 2, name or ""), sheet, row, path)  # a name is always a text cell
    for col, value in ((0, product_id), (1, sku)):
        value = id_cell(value)
        if value is None or value == "":
            continue
        if isinstance(value, str):
            _text_tail(value)  # refuses what does not fit
            _checked(sheet.write_string(row, col, value), sheet, row, path)
        else:
            _checked(sheet.write_number(row, col, value), sheet, row, path)
    _checked(sheet.write_number(row, 3, price, money), sheet, row, path)
    _checked(sheet.write_number(row, 4, sales), sheet, row, path)
    _checked(sheet.write_number(row, 5, amount, money), sheet, row, path)


def _fill_gaps(shell: Path, path: Path, gaps: dict, columns, money: int) -> None:
    """Copy XlsxWriter's workbook member by member (same zip entries, same order, same
    attributes), inserting the detail rows after the header row of each sheet."""
    timestamp = time.mktime((1980, 1, 31, 0, 0, 0, 0, 0, -1))
    part = path.with_name(f".{path.name}.part")
    try:
        with (
            zipfile.ZipFile(shell) as source,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
        ):
            for info in source.infolist():
                data = source.read(info)
                with part.open("wb") as handle:
                    if info.filename in gaps:
                        split = data.index(b"</row>") + len(b"</row>")
                        handle.write(data[:split])
                        start, stop, first_row = gaps[info.filename]
                        _write_detail_rows(handle, columns, start, stop, first_row, money)
                        handle.write(data[split:])
                    else:
                        handle.write(data)
                os.chmod(part, info.external_attr >> 16 & 0o7777)
                os.utime(part, (timestamp, timestamp))
                target.write(part, info.filename)
    finally:
        part.unlink(missing_ok=True)


def write_wines_csv(wines, path: Path) -> None:
    """product_id, sku, name, exact price, z-score (6 decimals); RFC 4180 quoting, ``\\n`` line ends."""
    wines = _arrow(wines)

    def column(name):
        return wines.column(name).combine_chunks()

    zs = pa.array([f"{z:.6f}" for z in column("z_score").to_pylist()], pa.string())
    lines = _join(
        _csv_texts(column("product_id")),
        ",",
        _csv_texts(column("sku")),
        ",",
        _csv_texts(column("name")),
        ",",
        pc.cast(column("price"), pa.string()),
        ",",
        zs,
        "\n",
    )
    with path.open("wb") as handle:
        handle.write(b"product_id,sku,name,price,z_score\n")
        if len(lines):
            handle.write(_utf8_bytes(lines))


def _csv_texts(values: pa.Array) -> pa.Array:
    """A text column for the CSV, column-wise.

    OWASP's advice for CSV files: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return (:data:`FORMULA_START`) gets a leading ``'``, shown by Excel and LibreOffice as text and
    never run. Only text columns (ids, sku, names) get this rule: prices and z-scores are numbers
    we format. A cell holding a comma, a quote or a line break is then quoted (written here rather
    than by the csv module, which in Python < 3.12 leaves a lone ``\\r`` unquoted)."""
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    values = pc.fill_null(values, "")
    values = pc.if_else(pc.match_substring_regex(values, _FORMULA_RE2), _join("'", values), values)
    quoted = _join('"', pc.replace_substring(values, '"', '""'), '"')
    return pc.if_else(pc.match_substring_regex(values, r'[,"\r\n]'), quoted, values)


# ---------------------------------------------------------------- manifest


def build_manifest(paths, results) -> dict:
    """What the export step records about the month: sources, row counts, threshold, gates."""
    from . import graph, sources
    from .store import row_count

    premium_facts = read_json(paths.facts_file("premium"))
    return {
        "month": paths.month,
        "sources": {s: read_json(paths.facts_file(f"extract_{s}")) for s in sources.SOURCES},
        "rows": {table: row_count(paths.table(table)) for table in graph.TABLES},
        "premium_threshold": premium_facts["threshold"],
        "zscore_ddof": premium_facts["ddof"],
        "premium_count": row_count(paths.table("premium")),
        "ordinary_count": row_count(paths.table("ordinary")),
        "checks": [r.to_dict() for r in results],
    }


def write_reports(tables, manifest: dict, staging: Path) -> dict:
    """Write the three reports and ``manifest.json`` into ``staging``; return the manifest."""
    revenue = _arrow(tables["revenue"])
    total = Decimal(pc.sum(revenue.column("revenue"), min_count=0).as_py())  # exact decimals; 0.00 if none
    write_revenue_xlsx(revenue, total, staging / "revenue_report.xlsx")
    write_wines_csv(tables["premium"], staging / "premium_wines.csv")
    write_wines_csv(tables["ordinary"], staging / "ordinary_wines.csv")
    manifest = {"pipeline": PIPELINE, **manifest, "revenue_total": str(total)}
    manifest["outputs"] = {name: sha256(staging / name) for name in REPORT_FILES}
    write_json(manifest, staging / "manifest.json")
    return manifest


# ---------------------------------------------------------------- publishing


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _made_by_us(folder: Path) -> bool:
    """A folder the tool made: a staging folder (marker), a published month (our manifest), or empty."""
    if (folder / MARKER).exists():
        return True
    try:
        return read_json(folder / "manifest.json").get("pipeline", "").startswith("bottleneck-core")
    except (OSError, ValueError, AttributeError):
        return not any(folder.iterdir())


def _remove(folder: Path) -> None:
    """Delete a folder the tool made, its marker last: a kill half-way leaves it recognisable."""
    marker = folder / MARKER
    if not marker.exists():
        marker.touch()
    for entry in folder.iterdir():
        if entry.name != MARKER:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    marker.unlink()
    folder.rmdir()


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a process of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(final: Path) -> list[str]:
    """Repair what a killed export left beside ``final``; return what was done (for the log).

    - ``.<month>.previous`` without ``<month>``: the kill came between the two renames of the
      fallback publish: the previous good month is put back;
    - ``.<month>.staging-<pid>`` of a process that is gone: removed, if the tool made it.
    Folders the tool did not make are never touched.
    """
    done = []
    previous = final.with_name(f".{final.name}.previous")
    if previous.is_dir() and _made_by_us(previous):
        if not final.exists():
            os.replace(previous, final)
            done.append(f"restored {final}")
        else:
            _remove(previous)
            done.append(f"removed {previous}")
    if final.parent.is_dir():
        prefix = f".{final.name}.staging-"
        for entry in final.parent.iterdir():
            if entry.name.startswith(prefix) and entry.is_dir() and not entry.is_symlink():
                pid = entry.name[len(prefix) :]
                if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)) and _made_by_us(entry):
                    _remove(entry)
                    done.append(f"removed {entry}")
    return done


def publish(staging: Path, final: Path) -> None:
    """Put ``staging`` in place of ``final`` in one atomic step: readers see the old month or the new one.

    Where the file system cannot swap folders atomically, two renames are used and
    :func:`recover` (run before every export) puts the previous month back if a kill came
    between them.
    """
    if final.exists() and not (final.is_dir() and _made_by_us(final)):
        raise PipelineError(
            en=f"{final} exists and was not written by bottleneck: it will not be replaced. Move it away or choose another --out.",
            fr=f"{final} existe et n'a pas été écrit par bottleneck : il ne sera pas remplacé. Déplacez-le ou choisissez un autre --out.",
        )
    (staging / MARKER).unlink(missing_ok=True)
    if not final.exists():
        os.replace(staging, final)
    elif _exchange(staging, final):
        _discard(staging)  # now the previous month
    else:
        previous = final.with_name(f".{final.name}.previous")
        os.replace(final, previous)
        os.replace(staging, final)
        _discard(previous)


def _discard(folder: Path) -> None:
    """Remove the previous month once the new one is published; if that fails, the next export will."""
    try:
        _remove(folder)
    except OSError:
        pass


def export(tables, manifest: dict, final: Path) -> dict:
    """Write the reports into a staging folder beside ``final``, then publish them."""
    final.parent.mkdir(parents=True, exist_ok=True)
    recover(final)
    staging = final.with_name(f".{final.name}.staging-{os.getpid()}")
    if staging.exists():
        _remove(staging)
    staging.mkdir()
    (staging / MARKER).touch()
    try:
        manifest = write_reports(tables, manifest, staging)
        publish(staging, final)
    finally:
        if staging.exists():
            _discard(staging)  # never hides the error that brought us here
    return manifest


def export_month(paths, tables, results) -> dict:
    """The export step: manifest, reports, atomic publish of ``paths.output``."""
    return export(tables, build_manifest(paths, results), paths.output)


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
