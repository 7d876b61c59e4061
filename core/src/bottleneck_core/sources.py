"""The three source exports: where to find them, what they must contain, how to read them.

Excel is read with python-calamine (a fast Rust reader that, unlike openpyxl in read-only mode,
does not trust the sheet's stored ``<dimension>`` tag). The few things calamine does not tell,
formulas saved without their computed value, are found in the sheet's XML directly.
Large generated instances may be CSV (UTF-8 with or without BOM, else Windows-1252) or Parquet
with the same columns.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import convert
from .errors import SourceError

if TYPE_CHECKING:  # pyarrow is imported when a source is read: a step that reads none does not pay for it
    import pyarrow as pa


def arrow_type(kind: str) -> pa.DataType:
    """The Arrow type of a kept column: "money" (exact decimals with cents, every step's money type), "string", "int64"."""
    import pyarrow as pa

    return pa.decimal128(18, 2) if kind == "money" else getattr(pa, kind)()


WEB_COLUMNS = (
    "sku",
    "virtual",
    "downloadable",
    "rating_count",
    "average_rating",
    "total_sales",
    "tax_status",
    "tax_class",
    "post_author",
    "post_date",
    "post_date_gmt",
    "post_content",
    "post_title",
    "post_excerpt",
    "post_status",
    "comment_status",
    "ping_status",
    "post_password",
    "post_name",
    "post_modified",
    "post_modified_gmt",
    "post_content_filtered",
    "post_parent",
    "guid",
    "menu_order",
    "post_type",
    "post_mime_type",
    "comment_count",
)


@dataclass(frozen=True)
class Source:
    """One export: accepted file names, required columns, and the columns the pipeline keeps."""

    name: str
    stems: tuple[str, ...]
    columns: tuple[str, ...]
    key: str
    keep: dict[str, tuple[Callable, str]]  # column → (cell converter, Arrow type name, see arrow_type)

    @property
    def file_names(self) -> str:
        return ", ".join(f"{stem}.xlsx" for stem in self.stems)


SOURCES = {
    "erp": Source(
        name="erp",
        stems=("erp", "Fichier_erp"),
        columns=("product_id", "onsale_web", "price", "stock_quantity", "stock_status"),
        key="product_id",
        keep={
            "product_id": (convert.to_key, "string"),
            "onsale_web": (convert.to_flag, "int64"),
            "price": (convert.to_money, "money"),
            "stock_quantity": (convert.to_int, "int64"),
            "stock_status": (convert.to_text, "string"),
        },
    ),
    "link": Source(
        name="link",
        stems=("liaison", "fichier_liaison"),
        columns=("product_id", "id_web"),
        key="product_id",
        keep={"product_id": (convert.to_key, "string"), "id_web": (convert.to_key, "string")},
    ),
    "web": Source(
        name="web",
        stems=("web", "Fichier_web"),
        columns=WEB_COLUMNS,
        key="sku",
        keep={
            "sku": (convert.to_key, "string"),
            "post_type": (convert.to_text, "string"),
            "post_title": (convert.to_text, "string"),
            "total_sales": (convert.to_int, "int64"),
        },
    ),
}
SUFFIXES = (".xlsx", ".csv", ".parquet")


def find_file(folder: Path, source: Source) -> Path:
    """The source's file in ``folder``, under either accepted name (case-insensitive)."""
    if not folder.is_dir():
        raise SourceError(
            en=f"Source folder not found: {folder} (expected {source.file_names} in it).",
            fr=f"Dossier source introuvable : {folder} (il doit contenir {source.file_names}).",
        )
    stems = {stem.lower() for stem in source.stems}
    found = sorted(
        p for p in folder.iterdir() if p.is_file() and p.stem.lower() in stems and p.suffix.lower() in SUFFIXES
    )
    if not found:
        raise SourceError(
            en=f"Missing source file for '{source.name}': expected one of {source.file_names} in {folder}.",
            fr=f"Fichier source manquant pour « {source.name} » : attendu l'un de {source.file_names} dans {folder}.",
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise SourceError(
            en=f"Several files for '{source.name}' in {folder}: {names}. Keep only one.",
            fr=f"Plusieurs fichiers pour « {source.name} » dans {folder} : {names}. N'en gardez qu'un.",
        )
    return found[0]


def read_source(path: Path, source: Source) -> pa.Table:
    """Read one export into its raw table: the kept columns, ``source_row`` and ``is_blank``.

    ``source_row`` is the row number a person sees in Excel (the header is row 1).
    ``is_blank`` is true when every column of the row (not only the kept ones) is empty.
    """
    import pyarrow as pa

    from .arrays import build

    if path.stat().st_size == 0:
        raise SourceError(en=f"{path.name} is empty (0 bytes).", fr=f"{path.name} est vide (0 octet).")
    if path.suffix.lower() == ".xlsx":
        header, rows, columns = _read_xlsx(path, source)
        cells = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        blank = [all(convert.to_text(v) is None for v in row) for row in rows]
        arrays = {
            name: _convert(path, name, cells[columns.index(name)] if rows else [], converter, arrow_type(kind))
            for name, (converter, kind) in source.keep.items()
        }
    else:
        table = _read_table(path)
        columns = _check_header(path, table.column_names, source)
        arrays = {}
        for name, (converter, kind) in source.keep.items():
            column = table.column(columns.index(name))
            try:
                fast = convert.fast_column(converter, column, arrow_type(kind))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OverflowError):
                fast = None  # e.g. a sub-cent decimal or an out-of-range value: the cell converter names the row
            arrays[name] = (
                fast if fast is not None else _convert(path, name, column.to_pylist(), converter, arrow_type(kind))
            )
        blank = _blank_rows(table)
    blank = build(blank, pa.bool_()) if isinstance(blank, list) else blank
    return pa.table({"source_row": build(list(range(2, len(blank) + 2)), pa.int64()), **arrays, "is_blank": blank})


def _convert(path: Path, name: str, values, converter: Callable, kind: pa.DataType) -> pa.Array:
    """Convert cell by cell; the first bad cell stops with its file, column and row."""
    from .arrays import build

    out = []
    for index, value in enumerate(values):
        try:
            out.append(converter(value))
        except convert.BadValue as bad:
            row = index + 2
            raise SourceError(
                en=f"{path.name}, column '{name}', row {row}: {bad.en}.",
                fr=f"{path.name}, colonne « {name} », ligne {row} : {bad.fr}.",
            ) from None
    return build(out, kind)  # the converters' bounds keep every value within ``kind``


def _blank_rows(table: pa.Table):
    """True where every column of the row is null or blank text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = None
    for column in table.columns:
        empty = pc.is_null(column)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            empty = pc.or_kleene(empty, pc.equal(pc.utf8_trim_whitespace(column), ""))
        empty = pc.fill_null(empty, True)
        blank = empty if blank is None else pc.and_(blank, empty)
    return blank


def _read_table(path: Path) -> pa.Table:
    if path.suffix.lower() == ".csv":
        return _read_csv(path)
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise SourceError(
            en=f"{path.name} could not be read as a Parquet file ({exc}).",
            fr=f"{path.name} n'a pas pu être lu comme fichier Parquet ({exc}).",
        ) from None


#: Encodings tried in order for CSV sources. UTF-8 (a BOM is skipped) is the norm; Windows-1252
#: (a superset of Latin-1 used by Excel "CSV" on French Windows) is the documented fallback.
CSV_FALLBACK = "cp1252"


def _read_csv(path: Path) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    options = pacsv.ConvertOptions(strings_can_be_null=True)
    try:
        table = pacsv.read_csv(path, convert_options=options)
        if not any(pa.types.is_binary(t) or pa.types.is_large_binary(t) for t in table.schema.types):
            return table
        raw = path.read_bytes()  # not UTF-8: decide the encoding once for the whole file
        encoding = _csv_encoding(path, raw)
        return pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=encoding), convert_options=options)
    except pa.ArrowInvalid as exc:
        line = _ragged_line(path)
        where_en, where_fr = (f", line {line}", f", ligne {line}") if line else ("", "")
        raise SourceError(
            en=f"{path.name}{where_en}: not a well-formed CSV file ({exc}).",
            fr=f"{path.name}{where_fr} : fichier CSV mal formé ({exc}).",
        ) from None


def _csv_encoding(path: Path, raw: bytes) -> str:
    try:
        raw.decode("utf-8")
        return "utf8"
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        if re.search(rb"[\xc2-\xf4][\x80-\xbf]", raw):  # some UTF-8 sequences too: mixed encodings
            raise SourceError(
                en=f"{path.name}, line {line}: mixes UTF-8 and another encoding (byte {raw[exc.start]:#04x}). "
                "Save the file again as CSV UTF-8.",
                fr=f"{path.name}, ligne {line} : mélange l'UTF-8 et un autre encodage (octet {raw[exc.start]:#04x}). "
                "Enregistrez de nouveau le fichier en CSV UTF-8.",
            ) from None
    try:
        raw.decode(CSV_FALLBACK)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            en=f"{path.name}, line {line}: neither UTF-8 nor Windows-1252 (byte {raw[exc.start]:#04x}). "
            "Save the file again as CSV UTF-8.",
            fr=f"{path.name}, ligne {line} : ni UTF-8 ni Windows-1252 (octet {raw[exc.start]:#04x}). "
            "Enregistrez de nouveau le fichier en CSV UTF-8.",
        ) from None
    return CSV_FALLBACK


def _ragged_line(path: Path) -> int | None:
    """The first line whose number of fields differs from the header's (slow path, errors only)."""
    import csv

    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        width = None
        for row in reader:
            if width is None:
                width = len(row)
            elif row and len(row) != width:
                return reader.line_num
    return None


def _not_xlsx(path: Path) -> SourceError:
    with path.open("rb") as handle:
        start = handle.read(512)
    text = all(byte >= 32 or byte in b"\t\r\n" for byte in start)
    looks = "text (a CSV file renamed .xlsx?)" if text else "binary data"
    looks_fr = "du texte (un CSV renommé en .xlsx ?)" if text else "des données binaires"
    return SourceError(
        en=f"{path.name} is not an Excel .xlsx file: it contains {looks}.",
        fr=f"{path.name} n'est pas un fichier Excel .xlsx : il contient {looks_fr}.",
    )


def _unreadable(path: Path, exc: Exception) -> SourceError:
    return SourceError(
        en=f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}: {exc}).",
        fr=f"{path.name} n'a pas pu être lu comme classeur Excel ({type(exc).__name__} : {exc}).",
    )


def _grid(sheet) -> list[list]:
    """The sheet's cells from A1 (calamine gives ``""`` for an empty cell: made ``None`` here)."""
    return [[None if v == "" else v for v in row] for row in sheet.to_python(skip_empty_area=False)]


def _header(grid: list[list]) -> list[str]:
    return [str(h).strip().lower() if h is not None else "" for h in (grid[0] if grid else [])]


def _pick_sheet(path: Path, book, source: Source) -> tuple[str, list[list]]:
    """The one visible sheet whose header holds the required columns.

    A workbook with a single sheet is read from it (a missing column is reported on it).
    Hidden sheets are never read; two candidate sheets are refused, naming them.
    """
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    sheets = [m for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]
    hidden = [m.name for m in sheets if m.visible != SheetVisibleEnum.Visible]
    grids = {}
    for name in visible + hidden:
        grids[name] = _grid(book.get_sheet_by_name(name))
    wanted = {c.lower() for c in source.columns}
    fits = [name for name in visible if wanted <= set(_header(grids[name]))]
    if len(fits) == 1:
        return fits[0], grids[fits[0]]
    if len(fits) > 1:
        names, names_fr = ", ".join(f"'{n}'" for n in fits), ", ".join(f"« {n} »" for n in fits)
        raise SourceError(
            en=f"{path.name}: several sheets hold the expected columns ({names}); keep only one, "
            "or move the others to another file.",
            fr=f"{path.name} : plusieurs feuilles contiennent les colonnes attendues ({names_fr}) ; "
            "n'en gardez qu'une, ou déplacez les autres dans un autre fichier.",
        )
    hidden_fits = [name for name in hidden if wanted <= set(_header(grids[name]))]
    if hidden_fits:
        raise SourceError(
            en=f"{path.name}: the expected columns are on the hidden sheet '{hidden_fits[0]}', which is never read "
            f"silently. Unhide it and remove the other sheets ({', '.join(visible) or 'none visible'}).",
            fr=f"{path.name} : les colonnes attendues sont sur la feuille masquée « {hidden_fits[0]} », qui n'est "
            f"jamais lue en silence. Affichez-la et supprimez les autres feuilles ({', '.join(visible) or 'aucune visible'}).",
        )
    if not visible:
        raise SourceError(en=f"{path.name} has no visible sheet.", fr=f"{path.name} n'a aucune feuille visible.")
    if len(visible) > 1:  # report on the first, and say which sheets were looked at
        _check_header(path, grids[visible[0]][0] if grids[visible[0]] else [], source, sheets=", ".join(visible))
    return visible[0], grids[visible[0]]


def _read_xlsx(path: Path, source: Source) -> tuple[list, list, list[str]]:
    if not zipfile.is_zipfile(path):
        raise _not_xlsx(path)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        name, rows = _pick_sheet(path, book, source)
    except SourceError:
        raise
    except Exception as exc:  # calamine raises several types for a damaged workbook
        raise _unreadable(path, exc) from None
    if not rows or all(v is None for v in rows[0]):
        raise SourceError(
            en=f"{path.name} is empty: its sheet '{name}' has no header row.",
            fr=f"{path.name} est vide : sa feuille « {name} » n'a pas de ligne d'en-tête.",
        )
    columns = _check_header(path, rows[0], source)
    width = len(rows[0])
    body = [tuple(row) + (None,) * (width - len(row)) for row in rows[1:]]
    while body and all(convert.to_text(v) is None for v in body[-1]):
        body.pop()  # trailing empty rows are sheet formatting, not data (pandas drops them too)
    _refuse_uncached_formulas(path, name, columns, source, len(body) + 1)
    return rows[0], body, columns


_CELL = re.compile(
    rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)([0-9]+)\"[^>]*>\s*<(?:\w+:)?f\b(?:[^>]*/>|[^>]*>(.*?)</(?:\w+:)?f>)"
    rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>",
    re.S,
)


def _sheet_xml(path: Path, sheet: str) -> bytes:
    """The XML of sheet ``sheet`` (by its name), following the workbook's relationships."""
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as archive:
        workbook = ET.fromstring(archive.read("xl/workbook.xml"))
        rid = next(s.get(rel) for s in workbook.iter(f"{main}sheet") if s.get("name") == sheet)
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        return archive.read(member)


def _refuse_uncached_formulas(path: Path, sheet: str, columns: list[str], source: Source, last_row: int) -> None:
    """A formula saved without its computed value reads as an empty cell: refuse it, naming the cell."""
    try:
        xml = _sheet_xml(path, sheet)
    except (KeyError, StopIteration, zipfile.BadZipFile, SyntaxError):
        return  # an unusual layout: calamine read it, nothing more to learn here
    if not re.search(rb"<(?:\w+:)?f[ >/]", xml):
        return
    kept = {name: _letters(columns.index(name)) for name in source.keep}
    for match in _CELL.finditer(xml):
        letters, row = match.group(1).decode(), int(match.group(2))
        for name, col in kept.items():
            if letters == col and 1 < row <= last_row:
                formula = html.unescape((match.group(3) or b"").decode("utf-8", "replace"))  # &amp; → &
                raise SourceError(
                    en=f"{path.name}, column '{name}', row {row}: the cell holds the formula ={formula} saved without "
                    "its computed value (written by a program that does not calculate). Open and save the file in "
                    "Excel or LibreOffice, or paste the values.",
                    fr=f"{path.name}, colonne « {name} », ligne {row} : la cellule contient la formule ={formula} "
                    "enregistrée sans sa valeur calculée (écrite par un programme qui ne calcule pas). Ouvrez et "
                    "enregistrez le fichier dans Excel ou LibreOffice, ou collez les valeurs.",
                )


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_header(path: Path, header: list, source: Source, sheets: str | None = None) -> list[str]:
    columns = [str(h).strip().lower() if h is not None else "" for h in header]
    missing = [c for c in source.columns if c.lower() not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "(none)"
        found_fr = ", ".join(c for c in columns if c) or "(aucune)"
        where_en = f" No sheet ({sheets}) has them; first sheet shown." if sheets else ""
        where_fr = f" Aucune feuille ({sheets}) ne les contient ; la première est montrée." if sheets else ""
        raise SourceError(
            en=f"{path.name}: required column(s) {', '.join(missing)} missing. "
            f"Expected: {', '.join(source.columns)}. Found: {found}.{where_en}",
            fr=f"{path.name} : colonne(s) obligatoire(s) {', '.join(missing)} absente(s). "
            f"Attendu : {', '.join(source.columns)}. Trouvé : {found_fr}.{where_fr}",
        )
    for name in source.keep:
        if columns.count(name) > 1:
            raise SourceError(
                en=f"{path.name}: column '{name}' appears {columns.count(name)} times; expected once.",
                fr=f"{path.name} : la colonne « {name} » apparaît {columns.count(name)} fois ; attendu une fois.",
            )
    return columns


def extract(folder: Path, name: str) -> tuple[pa.Table, Path]:
    """Find and read source ``name`` (erp, link or web) from ``folder``."""
    source = SOURCES[name]
    path = find_file(folder, source)
    return read_source(path, source), path
