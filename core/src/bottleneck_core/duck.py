"""DuckDB, the SQL engine of the steps and gates: one connection (session) per step or gate run.

The SQL lives in ``sql/steps/<step>.sql`` and ``sql/gates/<gate>.sql`` (package data). Each file
reads the month's work tables by their file names (``FROM 'erp_raw.parquet'``), so a student can
run it as it is in the DuckDB command line from the month's work folder::

    cd data/work/2026-10
    duckdb -c ".read ../../../core/src/bottleneck_core/sql/steps/clean_erp.sql"

Here the connection's ``file_search_path`` points at the work folder instead (no ``chdir``,
which would not be safe in the orchestrators' threads). DuckDB never downloads anything:
extension auto-install and auto-load are off (Parquet, JSON and ICU are built into the wheel).

Every connection of a process is a session of one in-memory database, opened on first use:
opening a database costs about 13 ms, a session 0.3 ms, and a month runs 25 of them. The
settings a step changes (``file_search_path``, its variables) belong to its session; the
database keeps no table. Its file cache is off, so a work table rewritten between two steps is
always read again from disk.
"""

from __future__ import annotations

import os
import re
import threading
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb

from .errors import PipelineError

#: Settings of every connection: nothing is ever downloaded, and results do not depend on
#: the number of threads (every ORDER BY is total; exact DECIMAL sums).
CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "enable_external_file_cache": False,
}

_databases: dict[int | None, duckdb.DuckDBPyConnection] = {}  # one per thread count
_opening = threading.Lock()


def threads() -> int | None:
    """``BOTTLENECK_DUCKDB_THREADS`` (e.g. 1 to compare with 4): DuckDB's default otherwise."""
    value = os.environ.get("BOTTLENECK_DUCKDB_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def connect(work: Path, variables: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A new session of the process's database, which finds the month's tables in ``work``."""
    con = _shared_database().cursor()
    con.execute("SET enable_progress_bar = false")  # it would print to stdout (`--json`, Kestra's outputs)
    con.execute("SET file_search_path = " + _literal(str(work)))
    for name, value in (variables or {}).items():  # numbers only; a bound parameter would import pandas
        con.execute(f"SET VARIABLE {name} = CAST('{float(value)!r}' AS DOUBLE)")
    return con


def _shared_database() -> duckdb.DuckDBPyConnection:
    count = threads()
    with _opening:
        if count not in _databases:
            config = dict(CONFIG, threads=count) if count else dict(CONFIG)
            _databases[count] = duckdb.connect(":memory:", config=config)
        return _databases[count]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def sql_text(kind: str, name: str) -> str:
    """The text of ``sql/<kind>/<name>.sql`` (kind: steps or gates)."""
    return (resources.files("bottleneck_core") / "sql" / kind / f"{name}.sql").read_text(encoding="utf-8")


def sql_path(kind: str, name: str) -> str:
    """Where that file is (for messages and docs)."""
    return f"bottleneck_core/sql/{kind}/{name}.sql"


def _failed(exc: duckdb.Error, where: str) -> PipelineError:
    first = str(exc).splitlines()[0]
    return PipelineError(
        en=f"{where} failed: {type(exc).__name__}: {first}",
        fr=f"{where} a échoué : {type(exc).__name__} : {first}",
    )


def execute(con: duckdb.DuckDBPyConnection, sql: str, where: str) -> tuple | None:
    """Run a statement and return its first row; a SQL error names its file (``where``)."""
    try:
        return con.execute(sql).fetchone()
    except duckdb.Error as exc:
        raise _failed(exc, where) from None


def one_row(work: Path, sql: str, where: str) -> tuple:
    """The one row of a query over the month's work tables (e.g. sums), in a session of its own."""
    con = connect(work)
    try:
        return execute(con, sql, where)
    finally:
        con.close()


def first_rows(con: duckdb.DuckDBPyConnection, sql: str, where: str, show: int) -> tuple[list[dict], int]:
    """The first ``show`` rows of a SELECT (as dicts) and how many rows it returns in all.

    Plain Python values (Decimal, str, int...), no Arrow: a gate process need not import pyarrow.
    """
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchmany(show)]
        count = len(rows)
        while batch := cursor.fetchmany(10_000):
            count += len(batch)
    except duckdb.Error as exc:
        raise _failed(exc, where) from None
    return rows, count


_FINAL_SEMICOLON = re.compile(r";(?:\s|--[^\n]*)*\Z")


def copy_to(con: duckdb.DuckDBPyConnection, sql: str, path: Path, where: str) -> int:
    """Write a SELECT's rows as the Parquet file ``path``, atomically; return the row count.

    DuckDB writes the file itself (no Arrow in between), under a temporary name renamed at
    the end: readers see the old table or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        # without its final ";" (and the comments after it); the newlines end a trailing
        # "-- comment" of the SELECT before COPY's own ")"
        select = _FINAL_SEMICOLON.sub("", sql.rstrip())
        (rows,) = con.execute(f"COPY (\n{select}\n) TO {_literal(str(tmp))} (FORMAT parquet)").fetchone()
    except duckdb.Error as exc:
        tmp.unlink(missing_ok=True)
        raise _failed(exc, where) from None
    os.replace(tmp, path)
    return rows


def write_step(work: Path, name: str, table: str, variables: dict | None = None) -> int:
    """Run ``sql/steps/<name>.sql`` and write its result as the work table ``table``; return its rows."""
    con = connect(work, variables)
    try:
        return copy_to(con, sql_text("steps", name), work / f"{table}.parquet", sql_path("steps", name))
    finally:
        con.close()


def row_count(path: Path) -> int:
    """Rows of a Parquet file, from its footer."""
    con = _shared_database().cursor()
    try:
        return con.execute(f"SELECT num_rows FROM parquet_file_metadata({_literal(str(path))})").fetchone()[0]
    finally:
        con.close()
