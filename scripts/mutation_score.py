"""The mutation score per module, from mutmut's results in core/mutants/ (see docs/testing.md).

    .venvs/core/bin/python scripts/mutation_score.py    # per module: detected / survived / other, score

The score is detected / (detected + survived); "other" (not checked yet, suspicious, skipped)
is left out of it and shown apart.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

MUTANTS = Path(__file__).resolve().parents[1] / "core" / "mutants" / "src" / "bottleneck_core"
#: Found by the tests (a timeout is an endless loop the mutant made) / not found (no test reached it).
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
UNDETECTED = {"survived", "no tests"}


def scores(folder: Path = MUTANTS) -> dict[str, Counter]:
    from mutmut.stats import status_by_exit_code  # mutmut's own reading of each test run's exit code

    table: dict[str, Counter] = {}
    for meta in sorted(folder.glob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        table[meta.name.removesuffix(".py.meta")] = Counter(status_by_exit_code[c] for c in codes.values())
    return table


def main() -> int:
    table = scores()
    if not table:
        print(f"no results in {MUTANTS}: run `make mutation` first", file=sys.stderr)
        return 1
    total = Counter()
    print(f"{'module':<12} {'mutants':>8} {'detected':>9} {'survived':>9} {'other':>6} {'score':>7}")
    for module, counts in table.items():
        total.update(counts)
        print(_line(module, counts))
    print(_line("all", total))
    return 0


def _line(name: str, counts: Counter) -> str:
    n = sum(counts.values())
    found = sum(counts[s] for s in DETECTED)
    missed = sum(counts[s] for s in UNDETECTED)
    score = f"{100 * found / (found + missed):.1f} %" if found + missed else "-"
    return f"{name:<12} {n:>8} {found:>9} {missed:>9} {n - found - missed:>6} {score:>7}"


if __name__ == "__main__":
    raise SystemExit(main())
