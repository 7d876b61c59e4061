"""The three source exports: where to find them, what they must contain, how to read them.

Excel is read with openpyxl (a pure-Python reader: nothing is downloaded at run time).
Large generated instances may be CSV or Parquet with the same columns.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow as pa

from . import convert
from .errors import SourceError
from .tables import MONEY, to_frame

WEB_COLUMNS = (
    "sku", "virtual", "downloadable", "rating_count", "average_rating", "total_sales",
    "tax_status", "tax_class", "post_author", "post_date", "post_date_gmt", "post_content",
    "post_title", "post_excerpt", "post_status", "comment_status", "ping_status",
    "post_password", "post_name", "post_modified", "post_modified_gmt",
    "post_content_filtered", "post_parent", "guid", "menu_order", "post_type",
    "post_mime_type", "comment_count",
)  # fmt: skip


@dataclass(frozen=True)
class Source:
    """One export: accepted file names, required columns, and the columns the pipeline keeps."""

    name: str
    stems: tuple[str, ...]
    columns: tuple[str, ...]
    key: str
    keep: dict[str, tuple[Callable, pa.DataType]]

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
            "product_id": (convert.to_key, pa.string()),
            "onsale_web": (convert.to_flag, pa.int64()),
            "price": (convert.to_money, MONEY),
            "stock_quantity": (convert.to_int, pa.int64()),
            "stock_status": (convert.to_text, pa.string()),
        },
    ),
    "link": Source(
        name="link",
        stems=("liaison", "fichier_liaison"),
        columns=("product_id", "id_web"),
        key="product_id",
        keep={"product_id": (convert.to_key, pa.string()), "id_web": (convert.to_key, pa.string())},
    ),
    "web": Source(
        name="web",
        stems=("web", "Fichier_web"),
        columns=WEB_COLUMNS,
        key="sku",
        keep={
            "sku": (convert.to_key, pa.string()),
            "post_type": (convert.to_text, pa.string()),
            "post_title": (convert.to_text, pa.string()),
            "total_sales": (convert.to_int, pa.int64()),
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
        p for p in folder.iterdir()
        if p.is_file() and p.stem.lower() in stems and p.suffix.lower() in SUFFIXES
    )  # fmt: skip
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


def read_source(path: Path, source: Source) -> pd.DataFrame:
    """Read one export into its raw table: the kept columns, ``source_row`` and ``is_blank``.

    ``source_row`` is the row number a person sees in Excel (the header is row 1).
    ``is_blank`` is true when every column of the row (not only the kept ones) is empty.
    """
    if path.stat().st_size == 0:
        raise SourceError(en=f"{path.name} is empty (0 bytes).", fr=f"{path.name} est vide (0 octet).")
    if path.suffix.lower() == ".xlsx":
        header, rows = _read_xlsx(path)
        columns = _check_header(path, header, source)
        cells = list(zip(*rows)) if rows else [()] * len(columns)
        blank = [all(convert.to_text(v) is None for v in row) for row in rows]
        arrays = {
            name: _convert(path, name, cells[columns.index(name)] if rows else [], converter, kind)
            for name, (converter, kind) in source.keep.items()
        }
    else:
        table = _read_table(path)
        columns = _check_header(path, table.column_names, source)
        arrays = {}
        for name, (converter, kind) in source.keep.items():
            column = table.column(columns.index(name))
            fast = convert.fast_column(converter, column, kind)
            arrays[name] = fast if fast is not None else _convert(path, name, column.to_pylist(), converter, kind)
        blank = _blank_rows(table)
    table = pa.table({"source_row": pa.array(range(2, len(blank) + 2), pa.int64()), **arrays,
                      "is_blank": pa.array(blank, pa.bool_())})  # fmt: skip
    return to_frame(table)


def _convert(path: Path, name: str, values, converter: Callable, kind: pa.DataType) -> pa.Array:
    """Convert cell by cell; the first bad cell stops with its file, column and row."""
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
    return pa.array(out, kind)


def _blank_rows(table: pa.Table):
    """True where every column of the row is null or blank text."""
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
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if path.suffix.lower() == ".csv":
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    return pq.read_table(path)


def _read_xlsx(path: Path) -> tuple[list, list]:
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            start = handle.read(512)
        text = all(byte >= 32 or byte in b"\t\r\n" for byte in start)
        looks = "text (a CSV file renamed .xlsx?)" if text else "binary data"
        looks_fr = "du texte (un CSV renommé en .xlsx ?)" if text else "des données binaires"
        raise SourceError(
            en=f"{path.name} is not an Excel .xlsx file: it contains {looks}.",
            fr=f"{path.name} n'est pas un fichier Excel .xlsx : il contient {looks_fr}.",
        )
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # The course's exports carry an extension openpyxl does not know: harmless noise.
            warnings.filterwarnings("ignore", message=".*extension is not supported.*")
            workbook = load_workbook(path, read_only=True, data_only=True)
            rows = list(workbook.worksheets[0].iter_rows(values_only=True))
            workbook.close()
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SourceError(
            en=f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}: {exc}).",
            fr=f"{path.name} n'a pas pu être lu comme classeur Excel ({type(exc).__name__} : {exc}).",
        ) from None
    if not rows:
        raise SourceError(
            en=f"{path.name} is empty: its first sheet has no header row.",
            fr=f"{path.name} est vide : sa première feuille n'a pas de ligne d'en-tête.",
        )
    width = len(rows[0])
    body = [tuple(row) + (None,) * (width - len(row)) for row in rows[1:]]
    while body and all(convert.to_text(v) is None for v in body[-1]):
        body.pop()  # trailing empty rows are sheet formatting, not data (pandas drops them too)
    return list(rows[0]), body


def _check_header(path: Path, header: list, source: Source) -> list[str]:
    columns = [str(h).strip().lower() if h is not None else "" for h in header]
    missing = [c for c in source.columns if c.lower() not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "(none)"
        raise SourceError(
            en=f"{path.name}: required column(s) {', '.join(missing)} missing. "
            f"Expected: {', '.join(source.columns)}. Found: {found}.",
            fr=f"{path.name} : colonne(s) obligatoire(s) {', '.join(missing)} absente(s). "
            f"Attendu : {', '.join(source.columns)}. Trouvé : {found}.",
        )
    for name in source.keep:
        if columns.count(name) > 1:
            raise SourceError(
                en=f"{path.name}: column '{name}' appears {columns.count(name)} times; expected once.",
                fr=f"{path.name} : la colonne « {name} » apparaît {columns.count(name)} fois ; attendu une fois.",
            )
    return columns


def extract(folder: Path, name: str) -> tuple[pd.DataFrame, Path]:
    """Find and read source ``name`` (erp, link or web) from ``folder``."""
    source = SOURCES[name]
    path = find_file(folder, source)
    return read_source(path, source), path
