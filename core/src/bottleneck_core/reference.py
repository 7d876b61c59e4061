"""Optional reference values for a known data set, kept in ``reference.json`` beside the sources.

Example (the course's own files)::

    {"counts": {"erp_raw": 825, "web_raw": 1513, "web_clean": 1428, "merged": 714},
     "revenue_total": "70568.60", "premium_revenue": "6884.40", "ordinary_revenue": "63684.20",
     "price_mean": "32.49", "price_std": "27.81"}

Counts are compared exactly, money to the cent, the mean and std of prices rounded to cents.
"""

from __future__ import annotations

from decimal import Decimal

from .store import read_json, row_count
from .transforms import price_stats

FILE_NAME = "reference.json"
FIGURES = ("revenue_total", "premium_revenue", "ordinary_revenue", "price_mean", "price_std")


def actual_values(t) -> dict:
    """Every figure a reference file may name, computed from the work tables."""
    total, premium_revenue = t.con.execute(
        "SELECT coalesce(sum(revenue), 0), "
        "coalesce(sum(revenue) FILTER (WHERE product_id IN (SELECT product_id FROM 'premium.parquet')), 0) "
        "FROM 'revenue.parquet'"
    ).fetchone()  # exact DECIMAL sums
    mean, std = price_stats(t.paths.work)
    return {
        "revenue_total": total,
        "premium_revenue": premium_revenue,
        "ordinary_revenue": total - premium_revenue,
        "price_mean": Decimal(f"{mean:.2f}"),
        "price_std": Decimal(f"{std:.2f}"),
    }


def compare(t) -> tuple[bool | None, dict]:
    path = t.paths.sources / FILE_NAME
    if not path.exists():
        return None, {
            "status": f"no {FILE_NAME} beside the sources, skipped",
            "status_fr": f"pas de {FILE_NAME} à côté des sources, ignoré",
            "mismatches": [],
        }
    expected = read_json(path)
    from .graph import TABLES

    unknown = [n for n in expected if n not in (*FIGURES, "counts")] + [
        t for t in expected.get("counts", {}) if t not in TABLES
    ]
    mismatches = [f"{name}: unknown figure" for name in unknown]
    for table, count in expected.get("counts", {}).items():
        if table not in TABLES:
            continue
        actual = row_count(t.paths.table(table))
        if actual != count:
            mismatches.append(f"{table}: {actual} != {count}")
    actual = actual_values(t)
    figures = [name for name in FIGURES if name in expected]  # every figure named is compared
    for name in figures:
        if actual[name] != Decimal(str(expected[name])):
            mismatches.append(f"{name}: {actual[name]} != {expected[name]}")
    compared = len(expected.get("counts", {})) + len(figures)
    if mismatches:
        status = f"{len(mismatches)} of {compared} differ: " + "; ".join(mismatches)
        status_fr = f"{len(mismatches)} sur {compared} diffèrent : " + "; ".join(mismatches)
    else:
        status = f"all {compared} match {FILE_NAME}"
        status_fr = f"les {compared} valeurs correspondent à {FILE_NAME}"
    return not mismatches, {"status": status, "status_fr": status_fr, "mismatches": mismatches}
