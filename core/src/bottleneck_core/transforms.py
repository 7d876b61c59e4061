"""The pipeline's transformations: DuckDB SQL over the month's Parquet work tables.

Each step is one readable file in ``sql/steps/`` (see :mod:`bottleneck_core.duck`); this module
runs it and DuckDB writes the result as the step's work table (no Arrow, no pandas in between),
returning its row count. Only the z-score needs a little Python: the mean and standard
deviation of the prices, computed exactly from SQL's DECIMAL sums.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from . import duck

#: Standard deviation convention for the z-score: population (ddof=0), as scipy.stats.zscore.
DDOF = 0


def clean(work: Path, src: str) -> int:
    """Drop entirely empty rows and rows missing their key (``sql/steps/clean_<src>.sql``) → ``<src>_clean``."""
    return duck.write_step(work, f"clean_{src}", f"{src}_clean")


def dedup(work: Path, src: str) -> int:
    """Drop exact repeats, keep the first; the web keeps each sku's 'product' row (``dedup_<src>.sql``) → ``<src>_dedup``."""
    return duck.write_step(work, f"dedup_{src}", f"{src}_dedup")


def merge(work: Path) -> int:
    """ERP ⋈ link on product_id ⋈ web on id_web = sku, inner joins (``merge.sql``) → ``merged``."""
    return duck.write_step(work, "merge", "merged")


def revenue(work: Path) -> int:
    """Revenue per product (price × total_sales, exact), highest first (``revenue.sql``) → ``revenue``."""
    return duck.write_step(work, "revenue", "revenue")


def price_sums(work: Path, table: str = "merged") -> tuple[int, Fraction, Fraction]:
    """Count, SUM(price) and SUM(price²) of a table's prices: exact DECIMAL sums in DuckDB."""
    sql = f"SELECT count(price), sum(price), sum(price * price) FROM '{table}.parquet'"
    n, total, squares = duck.one_row(work, sql, f"{table}.parquet")
    return n, Fraction(total or 0), Fraction(squares or 0)


def revenue_total(work: Path) -> Decimal:
    """The month's revenue: the exact DECIMAL sum of the revenue table (0.00 when it is empty)."""
    (total,) = duck.one_row(work, "SELECT sum(revenue) FROM 'revenue.parquet'", "revenue.parquet")
    return Decimal("0.00") if total is None else total


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


def classify(work: Path, threshold: float) -> dict:
    """Split products into premium (price z-score > threshold) and ordinary wines.

    Writes both tables (``premium``, ``ordinary``), highest z first, and returns the figures
    used (count, mean, std). All prices equal (std 0) gives z = 0 for every product: gate
    ``zscore_standardised`` then fails with "z-score undefined", rather than the step crashing.
    """
    n, total, squares = price_sums(work, "revenue")
    mean, std = stats_from_sums(n, total, squares)
    variables = {"price_mean": 0.0 if n == 0 else mean, "price_std": 0.0 if n == 0 else std, "threshold": threshold}
    con = duck.connect(work, variables)
    where = duck.sql_path("steps", "premium")
    try:
        duck.execute(con, f"CREATE TEMP TABLE scored AS\n{duck.sql_text('steps', 'premium')}\n", where)
        is_premium = "coalesce(z_score > getvariable('threshold'), false)"
        for table, rows in (("premium", is_premium), ("ordinary", f"NOT {is_premium}")):  # in the order scored
            duck.copy_to(con, f"SELECT * FROM scored WHERE {rows}", work / f"{table}.parquet", where)
    finally:
        con.close()
    return {"products": n, "price_mean": mean, "price_std": std}
