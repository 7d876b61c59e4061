"""DuckDB as core uses it (duck.py): the first rows of a gate and their count, a step's table
written atomically, and a failing query named by its SQL file, in both languages."""

from __future__ import annotations

import re

import duckdb
import pytest

from bottleneck_core import duck
from bottleneck_core.errors import PipelineError


def test_first_rows_counts_every_row_past_the_first_batches(tmp_path):
    con = duck.connect(tmp_path)
    rows, count = duck.first_rows(con, "SELECT range AS n, 'x' AS t FROM range(25001)", "q.sql", 3)
    assert rows == [{"n": 0, "t": "x"}, {"n": 1, "t": "x"}, {"n": 2, "t": "x"}] and count == 25_001


def test_a_failing_query_names_its_sql_file_and_the_databases_error(tmp_path):
    con = duck.connect(tmp_path)
    with pytest.raises(duckdb.Error) as direct:
        con.execute("SELECT no_such_column")
    expected = str(direct.value).splitlines()[0]
    name = type(direct.value).__name__
    for call in (
        lambda: duck.first_rows(con, "SELECT no_such_column", "sql/gates/g.sql", 10),
        lambda: duck.execute(con, "SELECT no_such_column", "sql/gates/g.sql"),
        lambda: duck.copy_to(con, "SELECT no_such_column", tmp_path / "t.parquet", "sql/gates/g.sql"),
    ):
        with pytest.raises(PipelineError) as info:
            call()
        assert (info.value.en, info.value.fr) == (
            f"sql/gates/g.sql failed: {name}: {expected}",
            f"sql/gates/g.sql a échoué : {name} : {expected}",
        )
    assert "no_such_column" in expected
    assert list(tmp_path.iterdir()) == [], "a failed COPY leaves neither the table nor its temporary file"


def test_copy_to_writes_the_select_whatever_ends_it(tmp_path):
    con = duck.connect(tmp_path)
    sql = "SELECT 42 AS answer UNION ALL SELECT 7;  \n-- a closing comment ; with a semicolon\n"
    assert duck.copy_to(con, sql, tmp_path / "t.parquet", "t.sql") == 2
    assert con.execute("SELECT list(answer ORDER BY answer) FROM 't.parquet'").fetchone() == ([7, 42],)
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_sql_files_are_found_and_named_by_kind(tmp_path):
    assert duck.sql_path("gates", "erp_keys_unique") == "bottleneck_core/sql/gates/erp_keys_unique.sql"
    assert re.search(r"\bFROM\b", duck.sql_text("steps", "merge"), re.I)


def test_a_session_sees_the_months_variables_and_tables(tmp_path):
    con = duck.connect(tmp_path, {"threshold": 2, "max_unmatched": 0.05})
    assert con.execute("SELECT getvariable('threshold'), getvariable('max_unmatched')").fetchone() == (2.0, 0.05)
    duck.copy_to(con, "SELECT 1 AS one", tmp_path / "one.parquet", "one.sql")
    other = duck.connect(tmp_path)  # another session finds the table by its name too
    assert other.execute("SELECT one FROM 'one.parquet'").fetchone() == (1,)


@pytest.mark.parametrize(
    ("value", "threads"), [("3", 3), (" 1 ", 1), ("0", None), ("-2", None), ("x", None), ("", None)]
)
def test_the_thread_count_comes_from_the_environment(monkeypatch, value, threads):
    monkeypatch.setenv("BOTTLENECK_DUCKDB_THREADS", value)
    assert duck.threads() == threads


def test_the_shared_database_lives_in_memory(tmp_path):
    """No database file: ':MEMORY:' (upper case) would be a file of that name in the working folder."""
    con = duck.connect(tmp_path)
    assert con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone() in (
        (None,),
        ("",),
    )
