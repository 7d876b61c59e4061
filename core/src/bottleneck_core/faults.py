"""The failure lab: named ways to damage a month's source files, and where the pipeline stops each.

``bottleneck break --month M --fault NAME`` saves the month's pristine files once into
``<sources>/.pristine/``, then damages the files in place; ``--restore`` puts the pristine
files back byte for byte. Each fault says which step and gate (or exit code) stops the run,
so the course, the exercises and the fault-injection tests all read one catalogue.

A fault always starts from the pristine files: breaking twice gives the second fault only.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError, UsageProblem

PRISTINE = ".pristine"


@dataclass(frozen=True)
class Fault:
    """One damage recipe: what it does (EN/FR), where the run stops, and the damage itself."""

    name: str
    en: str
    fr: str
    step: str  # the step after which (or in which) the run stops
    gate: str | None  # the error-level gate that stops it, None for a bad input file (exit 2)
    exit_code: int  # 1 = a quality gate failed, 2 = bad input file
    damage: Callable[[Path], None] = field(repr=False)
    warns: tuple[str, ...] = ()  # warning-level gates that flag it earlier without stopping the run

    @property
    def stop_en(self) -> str:
        where = f"gate {self.gate} after step {self.step}" if self.gate else f"step {self.step} (bad input file)"
        warned = f" (flagged earlier by warning gate {', '.join(self.warns)})" if self.warns else ""
        return f"{where}, exit {self.exit_code}{warned}"

    @property
    def stop_fr(self) -> str:
        where = (
            f"contrôle {self.gate} après l'étape {self.step}"
            if self.gate
            else f"étape {self.step} (fichier d'entrée invalide)"
        )
        warned = f" (signalée plus tôt par l'avertissement {', '.join(self.warns)})" if self.warns else ""
        return f"{where}, code de sortie {self.exit_code}{warned}"


# --- helpers: edit the first sheet of a workbook with openpyxl (imported only when breaking) ----


def _edit(path: Path, change: Callable) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    change(book.worksheets[0])
    book.save(path)


def _column(sheet, name: str) -> int:
    return [str(c.value).strip().lower() if c.value is not None else "" for c in sheet[1]].index(name) + 1


def _rows(sheet, name: str):
    """(row number, value) of every non-empty cell of column ``name`` below the header."""
    col = _column(sheet, name)
    for row in range(2, sheet.max_row + 1):
        value = sheet.cell(row=row, column=col).value
        if value is not None and str(value).strip():
            yield row, value


def _on_sheet(file: str, change: Callable) -> Callable[[Path], None]:
    return lambda folder: _edit(folder / file, change)


# --- the damage recipes ----------------------------------------------------------------------


def _negative_prices(sheet) -> None:
    col = _column(sheet, "price")
    for row, value in list(_rows(sheet, "price"))[:40]:
        sheet.cell(row=row, column=col).value = -abs(float(value)) or -1.0


def _blank_prices(sheet) -> None:
    col = _column(sheet, "price")
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=col).value = None


def _duplicate_ids(sheet) -> None:
    """Repeat the first five ERP products with a different price: which row is right?"""
    price = _column(sheet, "price")
    for row in range(2, 7):
        values = [c.value for c in sheet[row]]
        values[price - 1] = 999.0
        sheet.append(values)


def _unmatched_links(sheet) -> None:
    """Every id_web of the link file points at a web sku that does not exist."""
    col = _column(sheet, "id_web")
    for row, value in _rows(sheet, "id_web"):
        sheet.cell(row=row, column=col).value = f"X{value}"


def _duplicate_id_web(sheet) -> None:
    first = next(value for _, value in _rows(sheet, "id_web"))
    sheet.append([999999, first])


def _bad_header(sheet) -> None:
    sheet.cell(row=1, column=_column(sheet, "price")).value = "prix"


def _text_price(sheet) -> None:
    sheet.cell(row=7, column=_column(sheet, "price")).value = "cher"


def _date_key(sheet) -> None:
    sheet.cell(row=5, column=_column(sheet, "product_id")).value = dt.datetime(2024, 3, 1)


def _header_only(sheet) -> None:
    sheet.delete_rows(2, sheet.max_row)


def _missing_web(folder: Path) -> None:
    (folder / "web.xlsx").unlink()


def _csv_renamed(folder: Path) -> None:
    (folder / "erp.xlsx").write_bytes(b"product_id,onsale_web,price,stock_quantity,stock_status\n1,1,2.5,3,instock\n")


FAULTS: dict[str, Fault] = {
    f.name: f
    for f in (
        Fault(
            "negative-prices",
            "40 ERP prices made negative.",
            "40 prix de l'ERP rendus négatifs.",
            "premium",
            "reference_values",
            1,
            _on_sheet("erp.xlsx", _negative_prices),
            warns=("erp_price_not_negative",),
        ),
        Fault(
            "blank-prices",
            "Every ERP price blanked.",
            "Tous les prix de l'ERP effacés.",
            "clean_erp",
            "erp_prices_present",
            1,
            _on_sheet("erp.xlsx", _blank_prices),
        ),
        Fault(
            "duplicate-ids",
            "Five ERP products listed twice with another price.",
            "Cinq produits de l'ERP listés deux fois avec un autre prix.",
            "dedup_erp",
            "erp_keys_unique",
            1,
            _on_sheet("erp.xlsx", _duplicate_ids),
        ),
        Fault(
            "duplicate-id-web",
            "One web sku linked to two ERP products.",
            "Un sku web relié à deux produits de l'ERP.",
            "dedup_link",
            "link_id_web_unique",
            1,
            _on_sheet("liaison.xlsx", _duplicate_id_web),
        ),
        Fault(
            "unmatched-links",
            "Every id_web of the link file points at no web product.",
            "Chaque id_web du fichier de liaison ne désigne aucun produit web.",
            "merge",
            "merged_not_empty",
            1,
            _on_sheet("liaison.xlsx", _unmatched_links),
        ),
        Fault(
            "header-only",
            "The ERP export keeps its header and loses every row.",
            "L'export ERP garde son en-tête et perd toutes ses lignes.",
            "extract_erp",
            "erp_raw_has_rows",
            1,
            _on_sheet("erp.xlsx", _header_only),
        ),
        Fault(
            "bad-header",
            "ERP column 'price' renamed 'prix'.",
            "Colonne « price » de l'ERP renommée « prix ».",
            "extract_erp",
            None,
            2,
            _on_sheet("erp.xlsx", _bad_header),
        ),
        Fault(
            "text-price",
            "The word 'cher' typed in an ERP price cell (row 7).",
            "Le mot « cher » saisi dans une cellule de prix de l'ERP (ligne 7).",
            "extract_erp",
            None,
            2,
            _on_sheet("erp.xlsx", _text_price),
        ),
        Fault(
            "date-key",
            "A date typed in a product_id cell of the link file (row 5).",
            "Une date saisie dans une cellule product_id du fichier de liaison (ligne 5).",
            "extract_link",
            None,
            2,
            _on_sheet("liaison.xlsx", _date_key),
        ),
        Fault(
            "missing-web",
            "The web-shop export is missing.",
            "L'export de la boutique web est absent.",
            "extract_web",
            None,
            2,
            _missing_web,
        ),
        Fault(
            "csv-renamed",
            "A CSV file saved as erp.xlsx.",
            "Un fichier CSV enregistré sous le nom erp.xlsx.",
            "extract_erp",
            None,
            2,
            _csv_renamed,
        ),
    )
}


def get(name: str) -> Fault:
    if name not in FAULTS:
        raise UsageProblem(
            en=f"Unknown fault {name!r}. Faults: {', '.join(FAULTS)}.",
            fr=f"Panne inconnue {name!r}. Pannes : {', '.join(FAULTS)}.",
        )
    return FAULTS[name]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file())


def save_pristine(folder: Path) -> Path:
    """Copy the month's files into ``.pristine/`` once (a later break keeps the first copy)."""
    if not folder.is_dir():
        raise PipelineError(en=f"Source folder not found: {folder}.", fr=f"Dossier source introuvable : {folder}.")
    pristine = folder / PRISTINE
    if not pristine.is_dir():
        tmp = folder / f"{PRISTINE}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for path in _files(folder):
            shutil.copy2(path, tmp / path.name)
        tmp.rename(pristine)  # all files or none
    return pristine


def restore(folder: Path) -> bool:
    """Put the pristine files back (byte for byte) and drop the saved copy; False if none was saved."""
    pristine = folder / PRISTINE
    if not pristine.is_dir():
        return False
    saved = {p.name for p in _files(pristine)}
    for path in _files(folder):
        if path.name not in saved:
            path.unlink()  # a file the fault added
    for name in sorted(saved):
        shutil.copy2(pristine / name, folder / name)
    shutil.rmtree(pristine)
    return True


def break_month(folder: Path, name: str) -> Fault:
    """Damage the month's sources in place with fault ``name``, starting from the pristine files."""
    fault = get(name)
    pristine = save_pristine(folder)
    for path in _files(folder):
        if not (pristine / path.name).exists():
            path.unlink()
    for path in _files(pristine):
        shutil.copy2(path, folder / path.name)
    fault.damage(folder)
    return fault
