"""Checker of exercise 02: the premium threshold is a parameter of each run, end to end.

``run_month(paths, threshold)`` (and the command line ``--threshold``) of the student's
run_month.py run core on private copies of the sample month (without its reference.json, whose
figures hold for the default threshold 2 only). The checker counts the premium wines itself,
from the merged prices (z-score with the population standard deviation), and compares.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import core_kit
import duckdb
import pytest
from checklib import expect, load_module, work_file

THRESHOLDS = (1.0, 3.0)  # neither is core's default (2)


@pytest.fixture(scope="module")
def module():
    return load_module(work_file("run_month.py"), "exercise_run_month_02")


def expected_premium(paths, threshold: float) -> set[str]:
    """The product_ids whose price z-score is above ``threshold``, computed here from merged."""
    rows = duckdb.sql(f"SELECT product_id, price FROM '{paths.table('merged')}' WHERE price IS NOT NULL").fetchall()
    prices = [Fraction(p) for _, p in rows]
    mean = sum(prices) / len(prices)
    std = math.sqrt(sum((p - mean) ** 2 for p in prices) / len(prices))
    return {i for i, p in rows if std > 0 and (float(p) - float(mean)) / std > threshold}


def premium_ids(paths) -> set[str]:
    return {r[0] for r in duckdb.sql(f"SELECT product_id FROM '{paths.table('premium')}'").fetchall()}


@pytest.fixture(scope="module")
def runs(module, tmp_path_factory):
    """One run per threshold of THRESHOLDS: {threshold: (paths, manifest)}."""
    done = {}
    for threshold in THRESHOLDS:
        paths = core_kit.month_paths(tmp_path_factory.mktemp(f"z{threshold}"), keep_reference=False)
        done[threshold] = (paths, module.run_month(paths, threshold))
    return done


def test_starter_module_loads(module):
    expect(
        callable(getattr(module, "run_month", None)) and callable(getattr(module, "main", None)),
        "run_month.py must keep run_month(paths, threshold) and main(argv).",
        "run_month.py doit garder run_month(paths, threshold) et main(argv).",
    )


def test_two_thresholds_give_the_right_premium_counts(runs):
    counts = {t: m["premium_count"] for t, (_, m) in runs.items()}
    for threshold, (paths, manifest) in runs.items():
        expected = expected_premium(paths, threshold)
        expect(
            premium_ids(paths) == expected and manifest["premium_count"] == len(expected),
            f"With threshold {threshold}, {len(expected)} wines have z > {threshold}; the run classed "
            f"{manifest['premium_count']} as premium (counts by threshold: {counts}).",
            f"Avec le seuil {threshold}, {len(expected)} vins ont z > {threshold} ; l'exécution en a classé "
            f"{manifest['premium_count']} en premium (nombres par seuil : {counts}).",
            "run_month receives threshold: pass it on to runner.run_pipeline (look at its signature).",
            "run_month reçoit threshold : transmettez-le à runner.run_pipeline (regardez sa signature).",
        )


def test_the_manifest_records_the_threshold(runs):
    for threshold, (paths, manifest) in runs.items():
        on_disk = json.loads((paths.output / "manifest.json").read_text(encoding="utf-8"))
        expect(
            on_disk["premium_threshold"] == threshold == manifest["premium_threshold"],
            f"A run asked for threshold {threshold}; manifest.json records {on_disk['premium_threshold']}.",
            f"Une exécution a demandé le seuil {threshold} ; manifest.json indique {on_disk['premium_threshold']}.",
            "The manifest takes the threshold the premium step used: give the step the run's threshold.",
            "Le manifeste reprend le seuil utilisé par l'étape premium : donnez-lui celui de l'exécution.",
        )


def test_the_cli_option_reaches_the_run(module, tmp_path):
    paths = core_kit.month_paths(tmp_path, keep_reference=False)
    argv = [
        "--month",
        paths.month,
        "--sources",
        str(paths.sources),
        "--work",
        str(tmp_path / "work"),
        "--out",
        str(tmp_path / "output"),
        "--threshold",
        "1.5",
    ]
    try:
        code = module.main(argv)
    except SystemExit as exc:  # argparse: unknown option
        code = exc.code
    expect(
        code in (0, None),
        f"`run_month.py {' '.join(argv[-2:])} ...` stopped with exit code {code}.",
        f"`run_month.py {' '.join(argv[-2:])} ...` s'est arrêté avec le code {code}.",
        'parser.add_argument("--threshold", type=float, ...)',
        'parser.add_argument("--threshold", type=float, ...)',
    )
    manifest = json.loads((paths.output / "manifest.json").read_text(encoding="utf-8"))
    expected = expected_premium(paths, 1.5)
    expect(
        manifest["premium_threshold"] == 1.5 and manifest["premium_count"] == len(expected),
        f"--threshold 1.5: the manifest records threshold {manifest['premium_threshold']} and "
        f"{manifest['premium_count']} premium wines ({len(expected)} expected).",
        f"--threshold 1.5 : le manifeste indique le seuil {manifest['premium_threshold']} et "
        f"{manifest['premium_count']} vins premium ({len(expected)} attendus).",
        "main must hand args.threshold to run_month.",
        "main doit passer args.threshold à run_month.",
    )


def test_the_run_leaves_the_environment_alone(runs):
    import os

    expect(
        "BOTTLENECK_PREMIUM_Z" not in os.environ,
        f"After run_month, BOTTLENECK_PREMIUM_Z={os.environ.get('BOTTLENECK_PREMIUM_Z')!r} is set in the process: "
        "every later run of this worker would inherit it.",
        f"Après run_month, BOTTLENECK_PREMIUM_Z={os.environ.get('BOTTLENECK_PREMIUM_Z')!r} est défini dans le processus : "
        "toutes les exécutions suivantes de ce worker en hériteraient.",
        "Pass the threshold as an argument, not through the environment.",
        "Transmettez le seuil en argument, pas par l'environnement.",
    )
