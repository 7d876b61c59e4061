"""Table conventions shared by every step: pyarrow-backed pandas frames, exact money."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

#: Money: exact decimals with cents (never floats), from reading to writing.
MONEY = pa.decimal128(18, 2)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """A pandas frame whose every column keeps its Arrow type (decimals stay decimals)."""
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def as_list(series: pd.Series) -> list:
    """The column's values as Python objects (Decimal, str, int, None), converted by Arrow at once."""
    return pa.array(series).to_pylist()


def natural_order(frame: pd.DataFrame, by: list[str], ascending: list[bool], key: str) -> pd.DataFrame:
    """Sort, breaking ties on ``key`` in natural order (numeric ids by value, then text ids)."""
    import pyarrow.compute as pc

    ids = pa.array(frame[key], pa.string())
    digits = pc.fill_null(pc.match_substring_regex(ids, r"^[0-9]{1,18}$"), False)
    numeric = pd.array(pc.cast(pc.if_else(digits, ids, None), pa.int64()), dtype=pd.ArrowDtype(pa.int64()))
    ordered = frame.assign(_num=numeric).sort_values(
        [*by, "_num", key], ascending=[*ascending, True, True], na_position="last", kind="mergesort"
    )
    return ordered.drop(columns="_num").reset_index(drop=True)
