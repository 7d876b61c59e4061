"""Benchmark of the core pipeline (not a test: it prints figures).

    make bench                      # sample month + 100 000 + 1 000 000 products
    python bench/bench_core.py 100000   # only the sizes given

Each run is a separate process so that its peak memory (max RSS) is its own. The time
printed is pipeline time (all steps and gates, in-process), without interpreter start-up.
Large instances are generated once under bench/data/ (Parquet; Excel stops at 1,048,576 rows).
Targets on a 2-core machine: sample month < 1 s; 1M products < 20 s and < 2 GB; linear growth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data"
CHILD = """
import json, sys, tempfile, time
from bottleneck_core import graph
from bottleneck_core.config import Paths
from bottleneck_core.runner import run_checks, run_step
import shutil
root = tempfile.mkdtemp()
paths = Paths.for_month("2026-10", sources=sys.argv[1], work_root=root + "/work", output_root=root + "/out")
steps = {}
start = time.perf_counter()
for step in graph.STEPS:
    t = time.perf_counter()
    run_step(step.name, paths)
    run_checks(step.name, paths)
    steps[step.name] = time.perf_counter() - t
total = time.perf_counter() - start
shutil.rmtree(root)
print(json.dumps({"total": total, "steps": steps}))
"""


def measure(sources: Path) -> dict:
    """Run the pipeline in a child process; return its timings and peak RSS in MiB."""
    process = subprocess.Popen([sys.executable, "-c", CHILD, str(sources)], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"benchmark run failed on {sources}")
    result = json.loads(output)
    result["rss_mib"] = usage.ru_maxrss / 1024
    return result


def large(products: int) -> Path:
    from bottleneck_core.generate import generate_large

    folder = DATA / f"{products}-products"
    if not (folder / "web.parquet").exists():
        t = time.perf_counter()
        generate_large(DATA, products)
        print(f"(generated {products} products in {time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return folder


def main(sizes: list[int]) -> None:
    rows = []
    sample = REPO / "data" / "sources" / "2026-10"
    runs = [measure(sample) for _ in range(3)]
    best = min(runs, key=lambda r: r["total"])
    rows.append(("sample month 2026-10 (Excel, 830 products)", 830, best))
    for products in sizes:
        rows.append((f"{products:,} products (Parquet)".replace(",", " "), products, measure(large(products))))
    print(f"\n{'input':<45} {'pipeline s':>10} {'peak RSS MiB':>13} {'µs/product':>11}")
    for label, n, result in rows:
        print(f"{label:<45} {result['total']:>10.2f} {result['rss_mib']:>13.0f} {result['total'] / n * 1e6:>11.1f}")
    for label, _, result in rows[1:]:
        slowest = sorted(result["steps"].items(), key=lambda kv: -kv[1])[:4]
        print(f"  {label}: slowest steps " + ", ".join(f"{k} {v:.1f} s" for k, v in slowest))
    times = ", ".join(f"{r['total']:.2f}" for r in runs)
    print(f"\nsample month: best of 3 runs ({times} s)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
