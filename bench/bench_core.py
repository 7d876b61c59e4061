"""Benchmark of the core pipeline against issue 11's targets (not a test: it prints figures).

    make bench                               # everything below (about 10 minutes on 2 cores)
    python bench/bench_core.py --quick       # sample month, processes, 10k and 100k only
    python bench/bench_core.py --sizes 100000 1000000 --formats parquet csv --no-2m

Every measurement is a separate process, so that its peak memory (max RSS) is its own; each
prints wall time *and* CPU time (user + system, from ``wait4``): on a shared machine the CPU
time is the steadier figure. "In-process" times exclude interpreter start-up and imports (core's
lazy imports of calamine, scipy and XlsxWriter, like the naive script's pandas and openpyxl).

1. the sample month in-process with every gate, against ``bench/naive_pandas.py`` (the naive
   ~40-line pandas script: read the 3 xlsx, merge, z-score, write xlsx + CSVs, no gates),
   measured in the same run, in-process and as whole processes;
2. ``bottleneck steps``, one ``bottleneck step`` process, and the month as 13 ``step`` +
   13 ``check`` processes (what Kestra and the process-per-task modes do);
3. 10k / 100k / 1M generated products (Parquet, and CSV) end to end, with peak RSS and the
   slowest steps, and the export step broken down (xlsx, CSVs, publish);
4. 2M products: the report must be complete (every product on some sheet, TOTAL = manifest).

Large instances are generated once, seeded, under ``bench/data/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data"
SAMPLE = REPO / "data" / "sources" / "2026-10"
MONTH = "2026-10"
BIN = Path(sys.executable).parent
BOTTLENECK = str(BIN / "bottleneck")

PIPELINE = """
import json, sys, time
import python_calamine, scipy.stats, xlsxwriter  # imports are not timed (a step imports them lazily)
from bottleneck_core import graph, reports
from bottleneck_core.config import Paths
from bottleneck_core.runner import run_checks, run_step
parts = {}
def timed(name, function):
    def wrapper(*args, **kwargs):
        t = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            parts[name] = parts.get(name, 0) + time.process_time() - t
    return wrapper
reports.write_revenue_xlsx = timed("xlsx", reports.write_revenue_xlsx)
reports.write_wines_csv = timed("csv", reports.write_wines_csv)
reports.publish = timed("publish", reports.publish)
root = sys.argv[2]
paths = Paths.for_month("2026-10", sources=sys.argv[1], work_root=root + "/work", output_root=root + "/out")
steps, gates = {}, {}  # CPU seconds of this process (all threads): steady on a busy machine
start, cpu = time.perf_counter(), time.process_time()
for step in graph.STEPS:
    t = time.process_time()
    run_step(step.name, paths)
    steps[step.name] = time.process_time() - t
    t = time.process_time()
    run_checks(step.name, paths)
    gates[step.name] = time.process_time() - t
total, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"total": total, "pipeline_cpu": cpu, "steps": steps, "gates": gates, "export_parts": parts}))
"""

NAIVE = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
import naive_pandas
import openpyxl  # imports are not timed (pandas imports it on its first read_excel)
t, cpu = time.perf_counter(), time.process_time()
figures = naive_pandas.main(__import__("pathlib").Path(sys.argv[1]), __import__("pathlib").Path(sys.argv[2]))
print(json.dumps({"total": time.perf_counter() - t, "pipeline_cpu": time.process_time() - cpu,
                  "figures": {k: str(v) for k, v in figures.items()}}))
"""


def measured(args: list[str], env: dict | None = None) -> dict:
    """Like :func:`child`, with CPU time and peak RSS of that one process (``os.wait4``)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        result = {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mib": usage.ru_maxrss / 1024,
            "out": out.read(),
            "err": err.read(),
            "status": os.waitstatus_to_exitcode(status),
        }
    if result["status"] != 0:
        raise SystemExit(f"failed ({result['status']}): {' '.join(args)}\n{result['err'][-2000:]}")
    return result


def best(runs: list[dict], key: str = "wall") -> dict:
    return min(runs, key=lambda r: r[key])


def pipeline(sources: Path) -> dict:
    """The whole pipeline in one process (every step and gate); in-process time and the process's usage."""
    root = tempfile.mkdtemp(prefix="bench-")
    try:
        run = measured([sys.executable, "-c", PIPELINE, str(sources), root])
        result = json.loads(run["out"])
        result.update({k: run[k] for k in ("wall", "cpu", "rss_mib")})
        result["root"] = root
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def naive(sources: Path) -> dict:
    out = tempfile.mkdtemp(prefix="bench-naive-")
    try:
        run = measured([sys.executable, "-c", NAIVE, str(sources), out, str(REPO / "bench")])
        return {**json.loads(run["out"]), **{k: run[k] for k in ("wall", "cpu", "rss_mib")}}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def cli(*args: str, root: Path) -> list[str]:
    return [
        BOTTLENECK,
        *args,
        "--month",
        MONTH,
        "--sources",
        str(SAMPLE),
        "--work",
        str(root / "work"),
        "--out",
        str(root / "out"),
    ]


def processes(repeat: int) -> dict:
    """Start-up bound figures: ``steps``, one ``step``, 13 step + 13 check processes, ``run``."""
    from bottleneck_core import graph

    root = Path(tempfile.mkdtemp(prefix="bench-proc-"))
    try:
        figures = {"python -c pass": best([measured([sys.executable, "-c", "pass"]) for _ in range(repeat)])}
        figures["bottleneck steps"] = best([measured([BOTTLENECK, "steps"]) for _ in range(repeat)])
        figures["bottleneck run (whole process)"] = best([measured(cli("run", root=root)) for _ in range(repeat)])
        figures["one step process (clean_erp)"] = best(
            [measured(cli("step", "clean_erp", root=root)) for _ in range(repeat)]
        )
        chains = []
        for _ in range(repeat):
            shutil.rmtree(root / "work", ignore_errors=True)
            wall = cpu = 0.0
            for step in graph.STEPS:
                for command in ("step", "check"):
                    run = measured(cli(command, step.name, root=root))
                    wall, cpu = wall + run["wall"], cpu + run["cpu"]
            chains.append({"wall": wall, "cpu": cpu, "rss_mib": 0.0})
        figures[f"{len(graph.STEPS)} step + {len(graph.STEPS)} check processes"] = best(chains)
        return figures
    finally:
        shutil.rmtree(root, ignore_errors=True)


def large(products: int, fmt: str) -> Path:
    from bottleneck_core.generate import generate_large

    folder = DATA / fmt / f"{products}-products"
    if not (folder / f"web.{fmt}").exists():
        t = time.perf_counter()
        generate_large(DATA / fmt, products, fmt=fmt)
        print(f"(generated {products:,} products as {fmt} in {time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return folder


def completeness(products: int) -> dict:
    """Run the month, then check the report holds every product once and the right TOTAL."""
    sources = large(products, "parquet")
    root = Path(tempfile.mkdtemp(prefix="bench-2m-"))
    try:
        run = measured(
            [
                BOTTLENECK,
                "run",
                "--month",
                MONTH,
                "--sources",
                str(sources),
                "--work",
                str(root / "work"),
                "--out",
                str(root / "out"),
                "--json",
            ]
        )
        output = root / "out" / MONTH
        manifest = json.loads((output / "manifest.json").read_text())
        from bottleneck_core.reports import verify_outputs

        rows, totals, sheets = 0, [], 0
        with zipfile.ZipFile(output / "revenue_report.xlsx") as book:
            for name in sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet")):
                sheets += 1
                xml = book.read(name)
                rows += xml.count(b"<row ") - 1  # minus the header
                totals += re.findall(rb'<t>TOTAL</t></is></c><c r="F\d+" s="\d+"><v>([^<]+)</v>', xml)
        expected = manifest["rows"]["revenue"]
        return {
            "products": expected,
            "sheets": sheets,
            "detail_rows": rows - len(totals),
            "totals": len(totals),
            "total_ok": len(totals) == 1 and float(totals[0]) == float(manifest["revenue_total"]),
            "complete": rows - len(totals) == expected and len(totals) == 1,
            "manifest_ok": verify_outputs(output) == [],
            "wall": run["wall"],
            "cpu": run["cpu"],
            "rss_mib": run["rss_mib"],
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--formats", nargs="*", default=["parquet", "csv"], choices=["parquet", "csv"])
    parser.add_argument("--repeat", type=int, default=3, help="best of N for the short measurements")
    parser.add_argument("--no-2m", action="store_true", help="skip the 2M-product completeness run")
    parser.add_argument("--quick", action="store_true", help="sample month, processes, 10k and 100k (Parquet)")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.formats, args.no_2m = [10_000, 100_000], ["parquet"], True

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    core = [pipeline(SAMPLE) for _ in range(args.repeat)]
    ref = [naive(SAMPLE) for _ in range(args.repeat)]
    c, n = best(core, "total"), best(ref, "total")
    cw, nw = best(core, "cpu"), best(ref, "cpu")
    print(
        "1. Sample month 2026-10, core with every gate vs the naive pandas script (best of "
        f"{args.repeat}; naive figures: {n['figures']})"
    )
    print(f"   {'':<34}{'core':>9}{'naive':>9}{'ratio':>8}   target")
    print(
        f"   {'in-process pipeline, wall s':<34}{c['total']:>9.3f}{n['total']:>9.3f}{c['total'] / n['total']:>8.2f}   ≤ 0.5"
    )
    cc, nc = best(core, "pipeline_cpu"), best(ref, "pipeline_cpu")
    print(
        f"   {'in-process pipeline, CPU s':<34}{cc['pipeline_cpu']:>9.3f}{nc['pipeline_cpu']:>9.3f}"
        f"{cc['pipeline_cpu'] / nc['pipeline_cpu']:>8.2f}   ≤ 0.5"
    )
    print(f"   {'whole process, CPU s':<34}{cw['cpu']:>9.3f}{nw['cpu']:>9.3f}{cw['cpu'] / nw['cpu']:>8.2f}")
    print(f"   {'whole process, peak RSS MiB':<34}{c['rss_mib']:>9.0f}{n['rss_mib']:>9.0f}")

    print(f"\n2. Processes (best of {args.repeat})")
    figures = processes(args.repeat)
    targets = {"bottleneck steps": "≤ 0.1 s", "one step process (clean_erp)": "≤ 0.25 s"}
    base = figures["python -c pass"]["wall"]
    for label, run in figures.items():
        target = targets.get(label, "≤ 5 s" if "check processes" in label else "")
        print(f"   {label:<42} wall {run['wall']:>7.2f} s  CPU {run['cpu']:>7.2f} s   {target}")
    print(f"   (interpreter start-up alone: {base:.3f} s)")

    rows = []
    for fmt in args.formats:
        for products in args.sizes:
            if fmt == "csv" and products < 1_000_000 and len(args.sizes) > 1:
                continue  # CSV only at 1M (unless it is the only size asked)
            result = pipeline(large(products, fmt))
            rows.append((f"{products:,} products ({fmt})", products, result))
    if rows:
        print("\n3. Generated months end to end (one process each, every step and gate)")
        print(
            f"   {'input':<28}{'wall s':>8}{'pipeline CPU s':>15}{'process CPU s':>14}{'peak RSS MiB':>13}"
            f"{'CPU µs/product':>15}   target"
        )
        for label, products, r in rows:
            target = "< 20 s, < 1.5 GB" if products >= 1_000_000 else ""
            print(
                f"   {label:<28}{r['total']:>8.2f}{r['pipeline_cpu']:>15.2f}{r['cpu']:>14.2f}{r['rss_mib']:>13.0f}"
                f"{r['pipeline_cpu'] / products * 1e6:>15.1f}   {target}"
            )
        for label, _, r in rows:
            cost = {
                **{f"step {k}": v for k, v in r["steps"].items()},
                **{f"gates {k}": v for k, v in r["gates"].items()},
            }
            slowest = sorted(cost.items(), key=lambda kv: -kv[1])[:5]
            parts = ", ".join(f"{k} {v:.2f}" for k, v in r["export_parts"].items())
            print(f"   {label} (CPU s): " + ", ".join(f"{k} {v:.2f}" for k, v in slowest) + f" | export: {parts}")

    if not args.no_2m:
        print("\n4. 2,000,000 products (Parquet): is the report complete?")
        check = completeness(2_000_000)
        print("   " + json.dumps(check))


if __name__ == "__main__":
    main()
