"""The mutation score per module, from mutmut's results in core/mutants/ (see docs/testing.md).

    .venvs/core/bin/python scripts/mutation_score.py               # every mutant mutmut made
    .venvs/core/bin/python scripts/mutation_score.py --sample 0.2  # only a seeded 20 % sample
    .venvs/core/bin/python scripts/mutation_score.py --sample 0.2 --names   # what is left to run

The score is detected / (detected + survived); "other" (not checked yet, suspicious, skipped)
is left out of it and shown apart. Checking every mutant takes hours on 2 cores: a sample
(the same fraction of each module, drawn with a fixed seed, so every run draws the same names
for the same code) gives an estimate in a fraction of the time; ``make mutation SAMPLE=0.2``
runs it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

MUTANTS = Path(__file__).resolve().parents[1] / "core" / "mutants" / "src" / "bottleneck_core"
#: Found by the tests (a timeout is an endless loop the mutant made) / not found (no test reached it).
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}
UNDETECTED = {"survived", "no tests"}
SEED = 17


def results(folder: Path = MUTANTS) -> dict[str, dict[str, str]]:
    """module → {mutant name → status} ("not checked" until mutmut ran it)."""
    from mutmut.stats import status_by_exit_code  # mutmut's own reading of each test run's exit code

    table = {}
    for meta in sorted(folder.glob("*.py.meta")):
        module = meta.name.removesuffix(".py.meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        table[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return table


def sample(table: dict[str, dict[str, str]], fraction: float, seed: int = SEED) -> dict[str, dict[str, str]]:
    """The same share of each module's mutants (at least one), drawn with ``seed``."""
    rng = random.Random(seed)
    picked = {}
    for module, statuses in table.items():
        names = sorted(statuses)
        chosen = rng.sample(names, min(len(names), max(1, math.ceil(fraction * len(names)))))
        picked[module] = {name: statuses[name] for name in sorted(chosen)}
    return picked


def scores(table: dict[str, dict[str, str]]) -> dict[str, Counter]:
    return {module: Counter(statuses.values()) for module, statuses in table.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=float, help="only this share of each module's mutants (0 < F ≤ 1)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--names",
        action="store_true",
        help="print the names not found yet (for mutmut run, which re-runs what it is named)",
    )
    args = parser.parse_args(argv)
    table = results()
    if not table:
        print(f"no results in {MUTANTS}: run `make mutation` first", file=sys.stderr)
        return 1
    if args.sample is not None:
        if not 0 < args.sample <= 1:
            parser.error("--sample is a share between 0 and 1, e.g. 0.2")
        table = sample(table, args.sample, args.seed)
    if args.names:
        for statuses in table.values():  # one name a line, no empty line (mutmut would take it for a name)
            for name, status in statuses.items():
                if status not in DETECTED:
                    print(name)
        return 0
    total = Counter()
    print(f"{'module':<12} {'mutants':>8} {'detected':>9} {'survived':>9} {'other':>6} {'score':>7}")
    for module, counts in scores(table).items():
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
