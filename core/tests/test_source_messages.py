"""Every refusal of a source file, word for word in both languages.

These messages are what a student reads when an export is damaged: the expected texts are
written here by hand (not copied from a run), so a changed file name, row number, column, byte
or word in either language fails. Each case makes its file in a temporary folder and reads it
with ``sources.extract`` in this process. Damaged files run end to end through ``bottleneck run``
are in test_fault_injection.py; these are the messages themselves.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import Workbook

from bottleneck_core import sources
from bottleneck_core.errors import SourceError

LINK_NAMES = "liaison.xlsx, fichier_liaison.xlsx"


def refusal(folder: Path, source: str = "link") -> SourceError:
    with pytest.raises(SourceError) as info:
        sources.extract(folder, source)
    return info.value


def workbook(path: Path, *sheets: tuple[str, list[list], str]) -> None:
    """sheets: (name, rows, state) with state "visible" or "hidden"."""
    book = Workbook()
    book.remove(book.active)
    for name, rows, state in sheets:
        sheet = book.create_sheet(name)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    book.save(path)


LINK = [["product_id", "id_web"], [4954, "bon-cadeau"], [4955, 13127]]


# --- finding the file -------------------------------------------------------------------------


def test_a_missing_folder(tmp_path):
    folder = tmp_path / "nope"
    error = refusal(folder)
    assert error.en == f"Source folder not found: {folder} (expected {LINK_NAMES} in it)."
    assert error.fr == f"Dossier source introuvable : {folder} (il doit contenir {LINK_NAMES})."


def test_a_missing_file(tmp_path):
    (tmp_path / "liaison.txt").write_text("not a source")  # neither a known name nor a known suffix
    (tmp_path / "other.xlsx").write_bytes(b"x")
    error = refusal(tmp_path)
    assert error.en == f"Missing source file for 'link': expected one of {LINK_NAMES} in {tmp_path}."
    assert error.fr == f"Fichier source manquant pour « link » : attendu l'un de {LINK_NAMES} dans {tmp_path}."


def test_two_files_for_one_source(tmp_path):
    workbook(tmp_path / "Fichier_Liaison.xlsx", ("links", LINK, "visible"))
    (tmp_path / "liaison.csv").write_text("product_id,id_web\n1,2\n")
    error = refusal(tmp_path)
    names = "Fichier_Liaison.xlsx, liaison.csv"
    assert error.en == f"Several files for 'link' in {tmp_path}: {names}. Keep only one."
    assert error.fr == f"Plusieurs fichiers pour « link » dans {tmp_path} : {names}. N'en gardez qu'un."


# --- what the file is -------------------------------------------------------------------------


def test_an_empty_file(tmp_path):
    (tmp_path / "liaison.xlsx").write_bytes(b"")
    error = refusal(tmp_path)
    assert (error.en, error.fr) == ("liaison.xlsx is empty (0 bytes).", "liaison.xlsx est vide (0 octet).")


@pytest.mark.parametrize(
    ("content", "en", "fr"),
    [
        (
            b"product_id\tid_web\r\n4954 bon cadeau\r\n",  # tab, carriage return and space are text
            "text (a CSV file renamed .xlsx?)",
            "du texte (un CSV renommé en .xlsx ?)",
        ),
        (b"product_id,id_web\n\x00\x01\x02", "binary data", "des données binaires"),
    ],
    ids=["text", "binary"],
)
def test_a_file_that_is_not_a_workbook(tmp_path, content, en, fr):
    (tmp_path / "liaison.xlsx").write_bytes(content)
    error = refusal(tmp_path)
    assert error.en == f"liaison.xlsx is not an Excel .xlsx file: it contains {en}."
    assert error.fr == f"liaison.xlsx n'est pas un fichier Excel .xlsx : il contient {fr}."


def test_a_zip_that_is_not_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "liaison.xlsx", "w") as archive:
        archive.writestr("notes.txt", "hello")
    error = refusal(tmp_path)
    en = re.fullmatch(r"liaison\.xlsx could not be read as an Excel workbook \((\w+): (.+)\)\.", error.en, re.S)
    fr = re.fullmatch(r"liaison\.xlsx n'a pas pu être lu comme classeur Excel \((\w+) : (.+)\)\.", error.fr, re.S)
    assert en and fr and en.groups() == fr.groups(), (error.en, error.fr)


def test_a_damaged_parquet_file(tmp_path):
    (tmp_path / "liaison.parquet").write_bytes(b"PAR1" + bytes(64) + b"PAR1")
    error = refusal(tmp_path)
    assert re.fullmatch(r"liaison\.parquet could not be read as a Parquet file \(.+\)\.", error.en, re.S)
    assert re.fullmatch(r"liaison\.parquet n'a pas pu être lu comme fichier Parquet \(.+\)\.", error.fr, re.S)


# --- sheets and header ------------------------------------------------------------------------


def test_two_sheets_with_the_columns(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("a", LINK, "visible"), ("b", LINK, "visible"))
    error = refusal(tmp_path)
    assert error.en == (
        "liaison.xlsx: several sheets hold the expected columns ('a', 'b'); keep only one, "
        "or move the others to another file."
    )
    assert error.fr == (
        "liaison.xlsx : plusieurs feuilles contiennent les colonnes attendues (« a », « b ») ; "
        "n'en gardez qu'une, ou déplacez les autres dans un autre fichier."
    )


@pytest.mark.parametrize(("visible", "en", "fr"), [(True, "notes", "notes"), (False, "none visible", "aucune visible")])
def test_the_columns_on_a_hidden_sheet(tmp_path, visible, en, fr):
    workbook(tmp_path / "liaison.xlsx", ("notes", [["nothing", "here"]], "visible"), ("data", LINK, "hidden"))
    if not visible:  # openpyxl refuses to save a workbook without a visible sheet: hide it afterwards
        _hide_every_sheet(tmp_path / "liaison.xlsx")
    error = refusal(tmp_path)
    assert error.en == (
        "liaison.xlsx: the expected columns are on the hidden sheet 'data', which is never read "
        f"silently. Unhide it and remove the other sheets ({en})."
    )
    assert error.fr == (
        "liaison.xlsx : les colonnes attendues sont sur la feuille masquée « data », qui n'est "
        f"jamais lue en silence. Affichez-la et supprimez les autres feuilles ({fr})."
    )


def _hide_every_sheet(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(b'state="visible"', b'state="hidden"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_a_workbook_without_a_visible_sheet(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("notes", [["nothing", "here"]], "visible"))
    _hide_every_sheet(tmp_path / "liaison.xlsx")
    error = refusal(tmp_path)
    assert (error.en, error.fr) == ("liaison.xlsx has no visible sheet.", "liaison.xlsx n'a aucune feuille visible.")


def test_a_sheet_without_a_header_row(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("links", [[None, None], [None, 4954]], "visible"))
    error = refusal(tmp_path)
    assert error.en == "liaison.xlsx is empty: its sheet 'links' has no header row."
    assert error.fr == "liaison.xlsx est vide : sa feuille « links » n'a pas de ligne d'en-tête."


def test_a_missing_column(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("links", [[" Product_ID ", None, "web"], [1, None, 2]], "visible"))
    error = refusal(tmp_path)
    assert error.en == (
        "liaison.xlsx: required column(s) id_web missing. Expected: product_id, id_web. Found: product_id, web."
    )
    assert error.fr == (
        "liaison.xlsx : colonne(s) obligatoire(s) id_web absente(s). "
        "Attendu : product_id, id_web. Trouvé : product_id, web."
    )


def test_missing_columns_on_every_sheet_of_several(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("one", [[None, None], [1, 2]], "visible"), ("two", [["id_web"]], "visible"))
    error = refusal(tmp_path)
    assert error.en == (
        "liaison.xlsx: required column(s) product_id, id_web missing. Expected: product_id, id_web. "
        "Found: (none). No sheet (one, two) has them; first sheet shown."
    )
    assert error.fr == (
        "liaison.xlsx : colonne(s) obligatoire(s) product_id, id_web absente(s). Attendu : product_id, id_web. "
        "Trouvé : (aucune). Aucune feuille (one, two) ne les contient ; la première est montrée."
    )


def test_a_column_twice(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("links", [["product_id", "id_web", "ID_WEB"], [1, 2, 3]], "visible"))
    error = refusal(tmp_path)
    assert error.en == "liaison.xlsx: column 'id_web' appears 2 times; expected once."
    assert error.fr == "liaison.xlsx : la colonne « id_web » apparaît 2 fois ; attendu une fois."


# --- cells ------------------------------------------------------------------------------------


def test_a_bad_cell_names_its_file_column_and_row(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("links", [*LINK, [4956, 12.5]], "visible"))
    error = refusal(tmp_path)
    assert (
        error.en
        == "liaison.xlsx, column 'id_web', row 4: expected an id (integer or text), got the decimal number 12.5."
    )
    assert error.fr == (
        "liaison.xlsx, colonne « id_web », ligne 4 : attendu un identifiant (entier ou texte), "
        "reçu le nombre décimal 12.5."
    )


def test_a_formula_saved_without_its_value(tmp_path):
    workbook(tmp_path / "liaison.xlsx", ("links", [*LINK, [4956, "=B2&B3"], ["=1+1", None]], "visible"))
    error = refusal(tmp_path)  # openpyxl saves formulas without a computed value, as such programs do
    assert error.en == (
        "liaison.xlsx, column 'id_web', row 4: the cell holds the formula =B2&B3 saved without its computed "
        "value (written by a program that does not calculate). Open and save the file in Excel or "
        "LibreOffice, or paste the values."
    )
    assert error.fr == (
        "liaison.xlsx, colonne « id_web », ligne 4 : la cellule contient la formule =B2&B3 enregistrée sans "
        "sa valeur calculée (écrite par un programme qui ne calcule pas). Ouvrez et enregistrez le fichier "
        "dans Excel ou LibreOffice, ou collez les valeurs."
    )


def test_formulas_outside_the_kept_cells_are_not_refused(tmp_path):
    header = [*LINK[0], "note"]
    rows = [header, [4954, 13127, "=1+1"], [4955, 13128, None]]  # a formula in a column the pipeline drops
    workbook(tmp_path / "liaison.xlsx", ("links", rows, "visible"))
    table, _ = sources.extract(tmp_path, "link")
    assert table.column("id_web").to_pylist() == ["13127", "13128"]


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters(index, letters):
    assert sources._letters(index) == letters


# --- CSV --------------------------------------------------------------------------------------


def csv_refusal(tmp_path: Path, data: bytes) -> SourceError:
    (tmp_path / "liaison.csv").write_bytes(data)
    return refusal(tmp_path)


def test_a_ragged_csv_row_is_named_by_its_line(tmp_path):
    error = csv_refusal(tmp_path, b"product_id,id_web\n1,2\n3,4,5\n")
    assert re.fullmatch(r"liaison\.csv, line 3: not a well-formed CSV file \(.+\)\.", error.en, re.S)
    assert re.fullmatch(r"liaison\.csv, ligne 3 : fichier CSV mal formé \(.+\)\.", error.fr, re.S)


def test_a_ragged_row_is_found_in_a_windows_1252_csv(tmp_path):
    error = csv_refusal(tmp_path, b"product_id,id_web\n1,Ch\xe2teau\n2,3\n4,5,6\n")
    assert re.fullmatch(r"liaison\.csv, line 4: not a well-formed CSV file \(.+\)\.", error.en, re.S)


def test_a_malformed_csv_without_a_ragged_row(tmp_path):
    error = csv_refusal(tmp_path, b"\n")  # no header: Arrow refuses it, and there is no row to blame
    assert re.fullmatch(r"liaison\.csv: not a well-formed CSV file \(.+\)\.", error.en, re.S)
    assert re.fullmatch(r"liaison\.csv : fichier CSV mal formé \(.+\)\.", error.fr, re.S)


def test_a_csv_mixing_encodings(tmp_path):
    error = csv_refusal(tmp_path, "product_id,id_web\n1,Château\n".encode() + b"2,Ch\xe2teau\n")
    assert error.en == (
        "liaison.csv, line 3: mixes UTF-8 and another encoding (byte 0xe2). Save the file again as CSV UTF-8."
    )
    assert error.fr == (
        "liaison.csv, ligne 3 : mélange l'UTF-8 et un autre encodage (octet 0xe2). "
        "Enregistrez de nouveau le fichier en CSV UTF-8."
    )


def test_a_csv_in_neither_encoding(tmp_path):
    error = csv_refusal(tmp_path, b"product_id,id_web\n1,a\n2,in\x81stock\n")
    assert (
        error.en == "liaison.csv, line 3: neither UTF-8 nor Windows-1252 (byte 0x81). Save the file again as CSV UTF-8."
    )
    assert error.fr == (
        "liaison.csv, ligne 3 : ni UTF-8 ni Windows-1252 (octet 0x81). Enregistrez de nouveau le fichier en CSV UTF-8."
    )


def test_a_windows_1252_csv_is_read(tmp_path):
    (tmp_path / "liaison.csv").write_bytes(b"product_id,id_web\n1,Ch\xe2teau\n2, \n")
    table, _ = sources.extract(tmp_path, "link")
    assert table.column("id_web").to_pylist() == ["Château", None]
    assert table.column("is_blank").to_pylist() == [False, False]


def test_blank_rows_of_a_typed_table():
    table = pa.table(
        {
            "text": pa.array(["x", None, "  ", None, ""], pa.string()),
            "large": pa.array([None, None, "\t", " y ", None], pa.large_string()),
            "number": pa.array([None, None, None, None, 0], pa.int64()),
        }
    )
    assert sources._blank_rows(table).to_pylist() == [False, True, True, False, False]
