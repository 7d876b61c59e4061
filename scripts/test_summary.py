"""The closing line of `make test` from the parts' JUnit reports; under CI, any skip fails.

    python scripts/test_summary.py REPORTS_DIR     # prints "total: N passed, F failed, S skipped"

Exit 1 when a test was skipped and ``CI`` is set (to anything but "", "0", "false" or "no"):
CI must run every test, the PostgreSQL ones included (docs/testing.md).
"""

from __future__ import annotations

import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def totals(reports: Path) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for path in sorted(reports.glob("*.xml")):
        for suite in ET.parse(path).getroot().iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    return counts


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def main(reports: Path) -> int:
    t = totals(reports)
    failed = t["failures"] + t["errors"]
    print(f"\ntotal: {t['tests'] - failed - t['skipped']} passed, {failed} failed, {t['skipped']} skipped")
    if t["skipped"] and in_ci():
        print(f"CI={os.environ['CI']}: {t['skipped']} skipped test(s) fail the run (every test must run in CI)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
