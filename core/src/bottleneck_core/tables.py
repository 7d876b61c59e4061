"""Table conventions shared by every step: pyarrow-backed pandas frames, exact money."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

#: Money: exact decimals with cents (never floats), from reading to writing.
MONEY = pa.decimal128(18, 2)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A pandas frame whose every column keeps its Arrow type (decimals stay decimals)."""
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def natural_order(frame: pd.DataFrame, by: list[str], ascending: list[bool], key: str) -> pd.DataFrame:
    """Sort, breaking ties on ``key`` in natural order (numeric ids by value, then text ids)."""
    numeric = pd.to_numeric(frame[key].astype(object), errors="coerce")
    ordered = frame.assign(_num=numeric).sort_values(
        [*by, "_num", key], ascending=[*ascending, True, True], na_position="last", kind="mergesort"
    )
    return ordered.drop(columns="_num").reset_index(drop=True)
