"""Backfill: one run of the served deployment per month, oldest first, each with an explicit month.

Prefect has no backfill command: a backfill is a series of ordinary deployment runs. The
deployment must be served (`python prefect/flows/monthly_report.py`) and PREFECT_API_URL set.

    python prefect/backfill.py 2026-05 2026-10      # six runs, May to October 2026
"""

from __future__ import annotations

import argparse
import sys

from prefect.deployments import run_deployment

from bottleneck_core.config import parse_month

DEPLOYMENT = "bottleneck_monthly/monthly"  # flow name / deployment name (flows/monthly_report.py)


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included."""
    year, month = map(int, parse_month(first).split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= parse_month(last):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def backfill(first: str, last: str, timeout: float = 600) -> dict[str, str]:
    """Run the deployment once per month, one after the other; return each run's final state name."""
    states = {}
    for month in months_between(first, last):
        run = run_deployment(DEPLOYMENT, parameters={"month": month}, tags=["backfill"], timeout=timeout)
        states[month] = run.state.name if run.state else "Unknown"
        print(f"{month}: {states[month]}  (flow run {run.id})", flush=True)
    return states


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="first month, YYYY-MM")
    parser.add_argument("last", nargs="?", help="last month, YYYY-MM (default: the first)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for each run (default 600)")
    args = parser.parse_args()
    results = backfill(args.first, args.last or args.first, args.timeout)
    sys.exit(0 if all(state == "Completed" for state in results.values()) else 1)
