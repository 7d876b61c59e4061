"""The pipeline's transformations: DuckDB SQL over the month's Parquet work tables.

Each step is one readable file in ``sql/steps/`` (see :mod:`bottleneck_core.duck`); this module
runs it and returns the result as an Arrow table. Only the z-score needs a little Python: the
mean and standard deviation of the prices, computed exactly from SQL's DECIMAL sums.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from . import duck

#: Standard deviation convention for the z-score: population (ddof=0), as scipy.stats.zscore.
DDOF = 0


def clean(work: Path, src: str) -> pa.Table:
    """Drop entirely empty rows and rows missing their key (``sql/steps/clean_<src>.sql``)."""
    return duck.run_step_sql(work, f"clean_{src}")


def dedup(work: Path, src: str) -> pa.Table:
    """Drop exact repeats, keep the first; the web keeps each sku's 'product' row (``dedup_<src>.sql``)."""
    return duck.run_step_sql(work, f"dedup_{src}")


def merge(work: Path) -> pa.Table:
    """ERP ⋈ link on product_id ⋈ web on id_web = sku, inner joins (``merge.sql``)."""
    return duck.run_step_sql(work, "merge")


def revenue(work: Path) -> pa.Table:
    """Revenue per product (price × total_sales, exact), highest first (``revenue.sql``)."""
    return duck.run_step_sql(work, "revenue")


def price_sums(work: Path, table: str = "merged") -> tuple[int, Fraction, Fraction]:
    """Count, SUM(price) and SUM(price²) of a table's prices: exact DECIMAL sums in DuckDB."""
    con = duck.connect(work)
    try:
        n, total, squares = con.execute(
            f"SELECT count(price), sum(price), sum(price * price) FROM '{table}.parquet'"
        ).fetchone()
    finally:
        con.close()
    return n, Fraction(total or 0), Fraction(squares or 0)


def stats_from_sums(n: int, total: Fraction, squares: Fraction) -> tuple[float, float]:
    """Mean and population standard deviation (ddof=0) from exact sums, correctly rounded.

    Exact rational arithmetic, then one rounding to float: the same bits whatever the
    summation order, thread count, numpy build or venv.
    """
    if n == 0:
        return math.nan, math.nan
    mean = total / n
    variance = squares / n - mean * mean
    return float(mean), math.sqrt(float(variance))


def price_stats(work: Path) -> tuple[float, float]:
    """Mean and standard deviation (ddof=0) of the merged prices."""
    return stats_from_sums(*price_sums(work))


def classify(work: Path, threshold: float) -> tuple[pa.Table, pa.Table, dict]:
    """Split products into premium (price z-score > threshold) and ordinary wines.

    Returns both tables, highest z first, and the figures used (count, mean, std).
    All prices equal (std 0) gives z = 0 for every product: gate ``zscore_standardised`` then
    fails with "z-score undefined", rather than the step crashing.
    """
    n, total, squares = price_sums(work, "revenue")
    mean, std = stats_from_sums(n, total, squares)
    variables = {"price_mean": 0.0 if n == 0 else mean, "price_std": 0.0 if n == 0 else std}
    table = duck.run_step_sql(work, "premium", variables)
    is_premium = pc.fill_null(pc.greater(table["z_score"], threshold), False)
    facts = {"products": n, "price_mean": mean, "price_std": std}
    return table.filter(is_premium), table.filter(pc.invert(is_premium)), facts
