"""Checker of exercise 09: the range is July–September 2026, and each month of it is materialised
like `bottleneck run` (one in-process run per partition, on a throw-away Dagster instance)."""

from __future__ import annotations

import dagster as dg
import pytest
from checklib import expect, load_module, work_file

WANTED = ["2026-07", "2026-08", "2026-09"]


@pytest.fixture(scope="module")
def module():
    return load_module(work_file("backfill.py"), "exercise_dagster_backfill")


def test_starter_module_loads(module):
    expect(
        callable(getattr(module, "materialize_range", None)) and callable(getattr(module, "months", None)),
        "backfill.py must keep months() and materialize_range(instance).",
        "backfill.py doit garder months() et materialize_range(instance).",
    )


def check_range(module) -> None:
    months = list(module.months())
    expect(
        months == WANTED,
        f"months() gives {months}; expected {WANTED}.",
        f"months() donne {months} au lieu de {WANTED}.",
        "MONTHLY.get_partition_keys_in_range(dg.PartitionKeyRange(FIRST, LAST)): both ends are included.",
        "MONTHLY.get_partition_keys_in_range(dg.PartitionKeyRange(FIRST, LAST)) : les deux bornes sont incluses.",
    )


def test_the_range_is_july_to_september(module, monkeypatch):
    check_range(module)
    monkeypatch.setattr(module, "FIRST", "2026-05")  # months() must follow FIRST and LAST, not list them by hand
    monkeypatch.setattr(module, "LAST", "2026-06")
    expect(
        list(module.months()) == ["2026-05", "2026-06"],
        "months() does not follow FIRST and LAST.",
        "months() ne suit pas FIRST et LAST.",
        "Build the range from FIRST and LAST.",
        "Construisez la plage à partir de FIRST et LAST.",
    )


def test_each_month_is_materialised_like_core(module, tmp_path, monkeypatch):
    import bottleneck_testkit as testing

    check_range(module)
    data = testing.use_data_dir(tmp_path / "data", monkeypatch)
    for month in WANTED:
        testing.sample_month(month, data)
    with dg.DagsterInstance.ephemeral() as instance:
        results = module.materialize_range(instance)
        expect(
            sorted(results) == WANTED,
            f"materialize_range ran {sorted(results)}; expected {WANTED}.",
            f"materialize_range a lancé {sorted(results)} au lieu de {WANTED}.",
            "One run per month of months().",
            "Une exécution par mois de months().",
        )
        failed = [m for m, r in results.items() if not r.success]
        expect(not failed, f"These months failed: {failed}.", f"Ces mois ont échoué : {failed}.")
        done = instance.get_materialized_partitions(dg.AssetKey("manifest"))
        expect(
            set(WANTED) <= set(done),
            f"The instance has the manifest for {sorted(done)} only.",
            f"L'instance n'a le manifeste que pour {sorted(done)}.",
        )
    for month in WANTED:
        expected = testing.core_outputs(month, testing.sample_month(month, tmp_path / "core"), tmp_path / "core")
        testing.assert_same_outputs(expected, data / "output" / month)
