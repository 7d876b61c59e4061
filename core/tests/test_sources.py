import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bottleneck_core import sources as source_files
from bottleneck_core.errors import SourceError
from bottleneck_core.store import to_frame


def extract(folder, name):
    """Read a source as a pandas frame (``sources.extract`` returns an Arrow table)."""
    table, path = source_files.extract(folder, name)
    assert isinstance(table, pa.Table)
    return to_frame(table), path


@pytest.mark.parametrize("name", ["Fichier_erp.xlsx", "FICHIER_ERP.XLSX", "erp.xlsx", "Erp.xlsx"])
def test_both_namings_are_accepted_whatever_the_case(name, sources):
    (sources / "erp.xlsx").rename(sources / name)
    frame, path = extract(sources, "erp")
    assert path.name == name and len(frame) > 800


def test_the_link_file_course_name(sources):
    (sources / "liaison.xlsx").rename(sources / "fichier_liaison.xlsx")
    frame, _ = extract(sources, "link")
    assert list(frame.columns) == ["source_row", "product_id", "id_web", "is_blank"]


def test_raw_tables_keep_excel_row_numbers_and_blank_rows(sources):
    frame, _ = extract(sources, "web")
    assert frame["source_row"].iloc[0] == 2 and frame["source_row"].is_monotonic_increasing
    assert frame["is_blank"].sum() == 83


def test_reading_raises_no_openpyxl_warning(sources):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source_files.extract(sources, "erp")


def test_large_instances_may_be_parquet_or_csv(tmp_path):
    table = pa.table({"product_id": ["1", "2"], "id_web": ["a", None]})
    pq.write_table(table, tmp_path / "liaison.parquet")
    frame, _ = extract(tmp_path, "link")
    assert frame["id_web"].tolist()[0] == "a" and frame["id_web"].isna().tolist() == [False, True]
    (tmp_path / "liaison.parquet").unlink()
    (tmp_path / "liaison.csv").write_text("product_id,id_web\n1,a\n2,\n")
    frame, _ = extract(tmp_path, "link")
    assert frame["product_id"].tolist() == ["1", "2"] and frame["is_blank"].tolist() == [False, False]


def test_missing_columns_are_all_named(tmp_path):
    (tmp_path / "liaison.csv").write_text("product,web\n1,a\n")
    with pytest.raises(SourceError) as info:
        source_files.extract(tmp_path, "link")
    assert "product_id, id_web missing" in info.value.en and "product_id, id_web absente(s)" in info.value.fr
