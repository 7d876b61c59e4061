"""Table conventions shared by every step: Arrow tables in Parquet files, exact money."""

from __future__ import annotations

import pyarrow as pa

#: Money: exact decimals with cents (never floats), from reading to writing.
MONEY = pa.decimal128(18, 2)


def to_frame(table: pa.Table):
    """A pandas frame whose every column keeps its Arrow type (decimals stay decimals)."""
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)
