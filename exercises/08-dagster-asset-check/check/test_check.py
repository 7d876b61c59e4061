"""Checker of exercise 08: premium_share, an asset check on `premium` with its figures as metadata."""

from __future__ import annotations

import dagster as dg
import pytest
from checklib import expect, load_module, work_file
from dagster_kit import kit_defs, materialize_month

MONTH = "2026-10"


@pytest.fixture(scope="module")
def module():
    return load_module(work_file("premium_share.py"), "exercise_premium_share")


def checks_in(module) -> list[dg.AssetChecksDefinition]:
    return [v for v in vars(module).values() if isinstance(v, dg.AssetChecksDefinition)]


def test_starter_module_loads(module):
    expect(hasattr(module, "MAX_SHARE"), "premium_share.py lost MAX_SHARE.", "premium_share.py a perdu MAX_SHARE.")


def test_the_check_is_defined_on_premium(module):
    found = checks_in(module)
    expect(
        len(found) == 1,
        f"premium_share.py defines {len(found)} asset check(s); one is expected.",
        f"premium_share.py définit {len(found)} asset check(s) ; un seul est attendu.",
        'Decorate a function with @dg.asset_check(asset="premium", ...).',
        'Décorez une fonction avec @dg.asset_check(asset="premium", ...).',
    )
    keys = list(found[0].check_keys)
    expect(
        [(k.asset_key.to_user_string(), k.name) for k in keys] == [("premium", "premium_share")],
        f"The check is {[(k.asset_key.to_user_string(), k.name) for k in keys]}; expected premium_share on premium.",
        f"Le check est {[(k.asset_key.to_user_string(), k.name) for k in keys]} ; attendu premium_share sur premium.",
        "The check's name is its function's name unless you pass name=.",
        "Le nom du check est celui de sa fonction, sauf si vous passez name=.",
    )


def test_the_check_passes_with_its_metadata(module, tmp_path, monkeypatch):
    import bottleneck_testkit as testing

    found = checks_in(module)
    expect(found, "No asset check in premium_share.py yet.", "Pas encore d'asset check dans premium_share.py.")
    data = testing.use_data_dir(tmp_path / "data", monkeypatch)
    testing.sample_month(MONTH, data)
    manifest = (
        testing.core_outputs(MONTH, testing.sample_month(MONTH, tmp_path / "core"), tmp_path / "core") / "manifest.json"
    )
    import json

    figures = json.loads(manifest.read_text(encoding="utf-8"))
    result = materialize_month(kit_defs(), MONTH, found)
    mine = [e for e in result.get_asset_check_evaluations() if e.check_name == "premium_share"]
    expect(
        len(mine) == 1,
        "premium_share did not run with the month's assets.",
        "premium_share n'a pas tourné avec les assets du mois.",
    )
    evaluation = mine[0]
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    premium, ordinary = figures["rows"]["premium"], figures["rows"]["ordinary"]
    expect(
        evaluation.passed,
        f"On {MONTH} ({premium} premium wines) the check should pass; it failed: {meta}.",
        f"Sur {MONTH} ({premium} vins premium) le check devrait passer ; il a échoué : {meta}.",
    )
    wanted = {"premium_count": premium, "ordinary_count": ordinary}
    for key, value in wanted.items():
        expect(
            meta.get(key) == value,
            f"metadata {key} is {meta.get(key)!r}; expected {value}.",
            f"la métadonnée {key} vaut {meta.get(key)!r} au lieu de {value}.",
            "Return dg.AssetCheckResult(passed=..., metadata={...}).",
            "Renvoyez dg.AssetCheckResult(passed=..., metadata={...}).",
        )
    share = meta.get("premium_share")
    expect(
        isinstance(share, float) and abs(share - premium / (premium + ordinary)) < 1e-6,
        f"metadata premium_share is {share!r}; expected the share {premium}/({premium}+{ordinary}) as a float.",
        f"la métadonnée premium_share vaut {share!r} ; attendu la part {premium}/({premium}+{ordinary}) en flottant.",
    )
