"""The work folder's files (store.py): tables and JSON written atomically, read back as written."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pyarrow as pa
import pytest

from bottleneck_core import store
from bottleneck_core.errors import PipelineError


def test_a_table_reads_back_as_written_with_exact_money(tmp_path):
    table = pa.table({"product_id": ["2", "10"], "price": pa.array([Decimal("12.37"), None], pa.decimal128(18, 2))})
    work = tmp_path / "month" / "work"  # made, parents included
    store.write_table(table, work / "merged.parquet")
    assert store.read_arrow(work / "merged.parquet").equals(table)
    frame = store.read_table(work / "merged.parquet")
    assert frame["price"].tolist()[0] == Decimal("12.37")  # pandas keeps the Arrow decimal
    assert store.row_count(work / "merged.parquet") == 2
    assert [p.name for p in work.iterdir()] == ["merged.parquet"]  # no temporary file left


def test_a_missing_table_names_the_step_to_run_first(tmp_path):
    with pytest.raises(PipelineError) as info:
        store.read_arrow(tmp_path / "revenue.parquet")
    assert "run step 'revenue'" in info.value.en and "« revenue »" in info.value.fr
    with pytest.raises(PipelineError, match="run step '\\?'"):  # a table no step writes
        store.read_arrow(tmp_path / "notes.parquet")


def test_json_is_utf8_indented_and_ends_with_a_newline(tmp_path):
    store.write_json({"name": "Château", "total": "87439.69"}, tmp_path / "facts" / "revenue.json")
    text = (tmp_path / "facts" / "revenue.json").read_text(encoding="utf-8")
    assert "Château" in text and text.endswith("}\n") and text.startswith("{\n  ")
    assert store.read_json(tmp_path / "facts" / "revenue.json") == json.loads(text)


def test_sha256_is_the_files_digest(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"product_id\n1\n")
    assert store.sha256(path) == hashlib.sha256(b"product_id\n1\n").hexdigest()
