"""Cross-wrapper parity: the manifests written in every virtualenv during the suite are identical.

Each wrapper's tests compare its reports with core's *in its own venv*; this closes the loop
across venvs (Kestra's runs on Python 3.10 with older pandas and pyarrow, for instance).
A manifest holds every report's sha256, so equal manifests mean byte-identical reports.
Usage: python scripts/parity.py FOLDER   (FOLDER/<month>/<venv>-<id>.json, from scripts/test.sh)
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path


def main(folder: Path) -> int:
    status = 0
    for month in sorted(p for p in folder.iterdir() if p.is_dir()):
        variants: dict[bytes, set[str]] = defaultdict(set)
        for manifest in sorted(month.glob("*.json")):
            variants[manifest.read_bytes()].add(manifest.name.rsplit("-", 1)[0])
        venvs = sorted(set().union(*variants.values()))
        if len(variants) == 1:
            print(f"parity {month.name}: identical reports from {', '.join(venvs)}")
        else:
            status = 1
            print(f"PARITY FAILURE {month.name}: {len(variants)} different manifests:")
            for number, names in enumerate(variants.values(), start=1):
                print(f"  variant {number}: {', '.join(sorted(names))}")
    return status


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
