"""Table conventions shared by every step: Arrow tables in Parquet files, exact money."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa

#: Money: exact decimals with cents (never floats), from reading to writing.
MONEY = pa.decimal128(18, 2)


def to_frame(table: pa.Table):
    """A pandas frame whose every column keeps its Arrow type (decimals stay decimals)."""
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)


def as_list(series) -> list:
    """The column's values as Python objects (Decimal, str, int, None), converted by Arrow at once."""
    return pa.array(series).to_pylist()


def write_arrow(table: pa.Table, path: Path) -> None:
    """Write a work table as Parquet, atomically (readers see the old file or the new one)."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
