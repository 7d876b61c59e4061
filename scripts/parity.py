"""Cross-wrapper parity: the manifests written in every virtualenv during the suite are identical.

Each wrapper's tests compare its reports with core's *in its own venv*; this closes the loop
across venvs (Kestra's runs on Python 3.10 with older pandas and pyarrow, for instance).
A manifest holds every report's sha256, so equal manifests mean byte-identical reports.

    python scripts/parity.py FOLDER [--require core,kestra,airflow,dagster,prefect]

FOLDER/<month>/<venv>-<id>.json come from scripts/test.sh. With --require, every parity month
(bottleneck_testkit.PARITY_MONTHS: 2026-09 and 2026-10) must have manifests from each
named venv, or the check fails: `make test` requires all five. The warehouse dumps
(FOLDER/warehouse-2026-08+2026-09+2026-10/<venv>-<id>.sha256) must come from the four orchestrators.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

try:
    from bottleneck_testkit import PARITY_MONTHS
except ImportError:  # run outside the kit's virtualenvs
    PARITY_MONTHS = ("2026-09", "2026-10")

ALL = ("core", "kestra", "airflow", "dagster", "prefect")
# The warehouse module: each orchestrator loads 2026-08..10 and keeps its canonical dump's sha256.
WAREHOUSE = "warehouse-2026-08+2026-09+2026-10"
WAREHOUSE_TOOLS = ("kestra", "airflow", "dagster", "prefect")


def main(folder: Path, required: tuple[str, ...] = ()) -> int:
    status = 0
    months = {p.name: p for p in sorted(folder.iterdir()) if p.is_dir()} if folder.is_dir() else {}
    for name in sorted(set(months) | ({*PARITY_MONTHS, WAREHOUSE} if required else set())):
        variants: dict[bytes, set[str]] = defaultdict(set)
        for manifest in sorted(months[name].glob("*.json")) if name in months else []:
            variants[manifest.read_bytes()].add(manifest.name.rsplit("-", 1)[0])
        for dump in sorted(months[name].glob("*.sha256")) if name in months else []:  # a warehouse's dump
            variants[dump.read_bytes()].add(dump.name.rsplit("-", 1)[0])
        venvs = sorted(set().union(*variants.values())) if variants else []
        wanted = (
            required
            if name in PARITY_MONTHS
            else [v for v in required if v in WAREHOUSE_TOOLS]
            if name == WAREHOUSE
            else []
        )
        missing = [v for v in wanted if v not in venvs]
        if missing:
            status = 1
            print(f"PARITY FAILURE {name}: no reports from {', '.join(missing)} (have: {', '.join(venvs) or 'none'})")
        if len(variants) > 1:
            status = 1
            print(f"PARITY FAILURE {name}: {len(variants)} different manifests:")
            for number, names in enumerate(variants.values(), start=1):
                print(f"  variant {number}: {', '.join(sorted(names))}")
        elif variants and not missing:
            order = [v for v in ALL if v in venvs] + [v for v in venvs if v not in ALL]
            what = "warehouses" if name == WAREHOUSE else "reports"
            print(f"parity {name}: identical {what} from {', '.join(order)}")
    return status


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Compare the manifests every virtualenv wrote.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--require", default="", help="comma-separated venvs each parity month must have")
    args = parser.parse_args()
    sys.exit(main(args.folder, tuple(v for v in args.require.split(",") if v)))
