"""Exercise 02: run one month with a premium threshold chosen for THIS run.

    python exercises/02-premium-threshold/run_month.py --month 2026-10 \
        --sources data/sources/2026-10 --work /tmp/bn/work --out /tmp/bn/output --threshold 1.5

``run_month`` is what an orchestrator's task would call; ``main`` is its command line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bottleneck_core import runner
from bottleneck_core.config import Paths


def run_month(paths: Paths, threshold: float | None = None) -> dict:
    """Run the whole pipeline for one month; return its manifest.

    ``threshold`` is the premium z-score threshold of this run (None: core's default, 2).
    """
    # The threshold travels as an argument down to the premium step (core checks it and records
    # it in the premium step's facts, from which the manifest takes premium_threshold).
    return runner.run_pipeline(paths, threshold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run one month of the BottleNeck pipeline.")
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--sources", required=True, type=Path, help="the month's source folder")
    parser.add_argument("--work", required=True, type=Path, help="work root (the month's folder goes inside)")
    parser.add_argument("--out", required=True, type=Path, help="output root (the month's folder goes inside)")
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="premium z-score threshold of this run (default: core's, 2 or BOTTLENECK_PREMIUM_Z)",
    )
    args = parser.parse_args(argv)
    paths = Paths.for_month(args.month, sources=args.sources, work_root=args.work, output_root=args.out)
    manifest = run_month(paths, args.threshold)
    print(json.dumps({k: manifest[k] for k in ("month", "premium_threshold", "premium_count", "ordinary_count")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
