"""DuckDB, the SQL engine of the steps and gates: one connection per step or gate run.

The SQL lives in ``sql/steps/<step>.sql`` and ``sql/gates/<gate>.sql`` (package data). Each file
reads the month's work tables by their file names (``FROM 'erp_raw.parquet'``), so a student can
run it as it is in the DuckDB command line from the month's work folder::

    cd data/work/2026-10
    duckdb -c ".read ../../../core/src/bottleneck_core/sql/steps/clean_erp.sql"

Here the connection's ``file_search_path`` points at the work folder instead (no ``chdir``,
which would not be safe in the orchestrators' threads). DuckDB never downloads anything:
extension auto-install and auto-load are off (Parquet, JSON and ICU are built into the wheel).
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from .errors import PipelineError

#: Settings of every connection: nothing is ever downloaded, and results do not depend on
#: the number of threads (every ORDER BY is total; exact DECIMAL sums).
CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}


def threads() -> int | None:
    """``BOTTLENECK_DUCKDB_THREADS`` (e.g. 1 to compare with 4): DuckDB's default otherwise."""
    value = os.environ.get("BOTTLENECK_DUCKDB_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def connect(work: Path, variables: dict | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection that finds the month's tables in ``work``."""
    config = dict(CONFIG)
    if threads():
        config["threads"] = threads()
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")  # it would print to stdout (`--json`, Kestra's outputs)
    con.execute("SET file_search_path = " + _literal(str(work)))
    for name, value in (variables or {}).items():
        con.execute(f"SET VARIABLE {name} = ?", [value])
    return con


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@cache
def sql_text(kind: str, name: str) -> str:
    """The text of ``sql/<kind>/<name>.sql`` (kind: steps or gates)."""
    return (resources.files("bottleneck_core") / "sql" / kind / f"{name}.sql").read_text(encoding="utf-8")


def sql_path(kind: str, name: str) -> str:
    """Where that file is (for messages and docs)."""
    return f"bottleneck_core/sql/{kind}/{name}.sql"


def query(con: duckdb.DuckDBPyConnection, sql: str, where: str) -> pa.Table:
    """Run one SELECT and return its result as an Arrow table; a SQL error names its file."""
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise PipelineError(
            en=f"{where} failed: {type(exc).__name__}: {first}",
            fr=f"{where} a échoué : {type(exc).__name__} : {first}",
        ) from None


def run_step_sql(work: Path, name: str, variables: dict | None = None) -> pa.Table:
    """Run ``sql/steps/<name>.sql`` over the month's work tables."""
    con = connect(work, variables)
    try:
        return query(con, sql_text("steps", name), sql_path("steps", name))
    finally:
        con.close()
