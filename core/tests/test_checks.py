"""One failing input per quality gate: tamper with a finished month's work files, the gate must fail.
Gates that pass on the sample data must pass untouched; warnings that fire on the sample data
(its deliberate quirks) must pass once the quirk is repaired."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pyarrow as pa
import pytest

from bottleneck_core import graph
from bottleneck_core.checks import REGISTRY, Tables, evaluate
from bottleneck_core.config import Paths
from bottleneck_core.store import read_table, write_table

STEP_OF = {check: step.name for step in graph.STEPS for check in step.checks}


def change(paths, table, func):
    frame = read_table(paths.table(table))
    write_table(pa.Table.from_pandas(func(frame), preserve_index=False), paths.table(table))


def set_first(table, column, value):
    def func(frame):
        frame[column] = frame[column].astype(object)
        frame.loc[0, column] = value
        return frame

    return lambda p: change(p, table, func)


def append_changed_copy(table, column, value):
    def func(frame):
        extra = frame.iloc[[0]].copy()
        extra[column] = value if not callable(value) else value(extra[column])
        return pd.concat([frame, extra])

    return lambda p: change(p, table, func)


def keyless_row(src, key):
    return lambda p: change(
        p, f"{src}_raw", lambda f: f.assign(**{key: f[key].mask(f.index == f[~f["is_blank"]].index[0])})
    )


def edit_json(path_of, func):
    def apply(p):
        path = path_of(p)
        data = json.loads(path.read_text())
        func(data)
        path.write_text(json.dumps(data))

    return apply


KEYS = {"erp": "product_id", "link": "product_id", "web": "sku"}
BREAK = {}
for src, key in KEYS.items():
    BREAK[f"{src}_raw_has_rows"] = lambda p, s=src: change(p, f"{s}_raw", lambda f: f.iloc[0:0])
    BREAK[f"{src}_keys_present"] = set_first(f"{src}_clean", key, None)
    BREAK[f"{src}_rows_accounted"] = lambda p, s=src: change(p, f"{s}_clean", lambda f: f.iloc[1:])
    BREAK[f"{src}_dropped_rows_with_data"] = keyless_row(src, key)
    BREAK[f"{src}_keys_unique"] = append_changed_copy(f"{src}_dedup", "source_row", 999_999)
BREAK["erp_keys_unique"] = append_changed_copy("erp_dedup", "stock_quantity", 12345)
BREAK |= {
    "erp_prices_present": set_first("erp_clean", "price", None),
    "link_id_web_unique": lambda p: change(
        p, "link_dedup", lambda f: f.assign(id_web=f["id_web"].fillna(f["id_web"].dropna().iloc[0]))
    ),
    "merged_one_to_one": lambda p: change(p, "merged", lambda f: pd.concat([f, f.iloc[[0]]])),
    "merged_rows_accounted": lambda p: change(p, "merged", lambda f: f.iloc[1:]),
    "merged_not_empty": lambda p: change(p, "merged", lambda f: f.iloc[0:0]),
    "revenue_rows_match": lambda p: change(p, "revenue", lambda f: f.iloc[1:]),
    "revenue_total_coherent": lambda p: change(
        p, "revenue", lambda f: f.assign(revenue=f["revenue"].where(f.index != 3, f["revenue"] + f["revenue"].iloc[3]))
    ),
    "revenue_sorted": lambda p: change(p, "revenue", lambda f: f.iloc[::-1]),
    "premium_partition": lambda p: change(
        p, "premium", lambda f: pd.concat([f, read_table(p.table("ordinary")).iloc[[0]]])
    ),
    "premium_threshold_respected": lambda p: change(p, "premium", lambda f: f.assign(z_score=1.0)),
    "zscore_standardised": lambda p: change(p, "ordinary", lambda f: f.assign(z_score=f["z_score"] * 2)),
    "reference_values": edit_json(lambda p: p.sources / "reference.json", lambda d: d.update(revenue_total="1.00")),
    "outputs_match_manifest": lambda p: (p.output / "premium_wines.csv").write_text("product_id\n"),
    "erp_price_not_zero": lambda p: change(p, "erp_clean", lambda f: f.assign(price=f["price"] * 0)),
    "web_sales_present": lambda p: change(
        p, "web_clean", lambda f: f.assign(total_sales=f["total_sales"].where(f["post_type"] != "product", None))
    ),
    "web_sales_not_negative": lambda p: change(p, "web_clean", lambda f: f.assign(total_sales=-f["total_sales"] - 1)),
    "web_names_present": lambda p: change(p, "web_clean", lambda f: f.assign(post_title="  ")),
    "merged_unmatched_share": lambda p: change(p, "merged", lambda f: f.iloc[: len(f) // 2]),
    "premium_matches_scipy": lambda p: change(p, "ordinary", lambda f: f.assign(z_score=f["z_score"] + 0.001)),
}

# Warnings that the sample data trigger on purpose, and how to repair each quirk.
REPAIR = {
    "erp_price_not_negative": lambda p: change(p, "erp_clean", lambda f: f.assign(price=f["price"].abs())),
    "erp_stock_not_negative": lambda p: change(
        p, "erp_clean", lambda f: f.assign(stock_quantity=f["stock_quantity"].abs())
    ),
    "erp_stock_status_coherent": lambda p: change(
        p,
        "erp_clean",
        lambda f: f.assign(stock_status=(f["stock_quantity"] > 0).map({True: "instock", False: "outofstock"})),
    ),
    "web_dropped_rows_with_data": lambda p: change(p, "web_raw", lambda f: f[f["is_blank"] | f["sku"].notna()]),
    "web_pairs_agree": lambda p: change(
        p, "web_clean", lambda f: f.assign(total_sales=f.groupby("sku")["total_sales"].transform("first"))
    ),
}
for name in REPAIR:
    BREAK[name] = lambda p: None  # the untouched sample month is their failing input


@pytest.fixture
def copy(finished, tmp_path):
    root = tmp_path / "copy"
    for part in ("sources", "work", "output"):
        shutil.copytree(getattr(finished, part), root / part)
    return Paths(finished.month, root / "sources", root / "work", root / "output")


def verdict(name, paths):
    return evaluate(REGISTRY[name], STEP_OF[name], Tables(paths))


def test_every_check_has_a_failing_input():
    assert sorted(BREAK) == sorted(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_gate_fails_on_its_bad_input(name, copy):
    if name not in REPAIR:
        assert verdict(name, copy).status == "passed", "must pass on the untouched sample month"
    BREAK[name](copy)
    result = verdict(name, copy)
    assert result.status == "failed", result
    assert result.message_en and result.message_fr and result.message_en != result.message_fr


@pytest.mark.parametrize("name", sorted(REPAIR))
def test_warning_passes_once_the_quirk_is_repaired(name, copy):
    assert verdict(name, copy).level == "warning"
    REPAIR[name](copy)
    assert verdict(name, copy).status == "passed"


def test_reference_values_are_skipped_without_a_reference_file(copy):
    (copy.sources / "reference.json").unlink()
    assert verdict("reference_values", copy).status == "skipped"


def test_levels_error_stops_warning_logs():
    warnings = {n for n, c in REGISTRY.items() if c.level == "warning"}
    assert warnings == set(REPAIR) | {
        "erp_dropped_rows_with_data",
        "link_dropped_rows_with_data",
        "erp_price_not_zero",
        "web_names_present",
    }


def test_a_failed_sql_gate_shows_its_first_offending_rows(copy):
    change(copy, "erp_clean", lambda f: f.assign(price=-f["price"]))
    result = verdict("erp_price_not_negative", copy)
    assert result.status == "failed" and result.evidence["count"] > 10
    assert len(result.evidence["rows"]) == 10  # the first rows, not all of them
    first = result.evidence["rows"][0]
    assert first["product_id"] in result.message_en and first["product_id"] in result.message_fr
    assert f"(+{result.evidence['count'] - 10})" in result.message_en


@pytest.mark.parametrize("limit, status", [("0.6", "passed"), ("0.4", "failed"), ("60%", "passed")])
def test_unmatched_share_limit_comes_from_the_environment(copy, monkeypatch, limit, status):
    change(copy, "merged", lambda f: f.iloc[: len(f) // 2])  # about half of each side unmatched
    monkeypatch.setenv("BOTTLENECK_MAX_UNMATCHED", limit)
    result = verdict("merged_unmatched_share", copy)
    assert result.status == status
    if status == "failed":
        assert "leading zeros" in result.message_en and "zéros en tête" in result.message_fr
        assert "web sku" in result.message_en and "ERP product_id" in result.message_en


def test_unmatched_share_limit_must_be_a_share(copy, monkeypatch):
    from bottleneck_core.errors import PipelineError

    monkeypatch.setenv("BOTTLENECK_MAX_UNMATCHED", "nan")
    with pytest.raises(PipelineError, match="between 0 and 1"):
        verdict("merged_unmatched_share", copy)


def test_every_sql_gate_file_has_a_level_and_both_messages():
    from importlib import resources

    folder = resources.files("bottleneck_core") / "sql" / "gates"
    names = {e.name[:-4] for e in folder.iterdir() if e.name.endswith(".sql")}
    assert names and names <= set(REGISTRY)
    for name in names:
        check = REGISTRY[name]
        assert check.level in ("error", "warning") and check.en and check.fr and check.en != check.fr


def test_sales_of_an_image_row_do_not_count(copy):
    """The attachment row of a product that has its 'product' row gives no figure: no error for it."""
    change(
        copy, "web_clean", lambda f: f.assign(total_sales=f["total_sales"].where(f["post_type"] != "attachment", None))
    )
    assert verdict("web_sales_present", copy).status == "passed"
    change(copy, "web_clean", lambda f: f.assign(total_sales=f["total_sales"].where(f["post_type"] != "product", None)))
    assert verdict("web_sales_present", copy).status == "failed"


def test_zscore_of_a_single_product_is_a_clear_failure(copy):
    change(copy, "merged", lambda f: f.iloc[:1])
    result = verdict("zscore_standardised", copy)
    assert result.status == "failed" and "z-score undefined: only 1 product" in result.message_en
    assert "indéfini" in result.message_fr
    assert verdict("premium_matches_scipy", copy).status == "skipped"


def test_a_gate_failure_carries_every_result_of_its_step(copy):
    """Wrappers and the CLI show all of a step's verdicts after a failure without reading them back."""
    from bottleneck_core import runner
    from bottleneck_core.checks import recorded_results
    from bottleneck_core.errors import GateFailed
    from bottleneck_testkit import break_prices

    break_prices(copy.sources)
    for step in ("extract_erp", "clean_erp"):
        runner.run_step(step, copy)
    runner.run_checks("extract_erp", copy)
    with pytest.raises(GateFailed) as failed:
        runner.run_checks("clean_erp", copy)
    assert [r.name for r in failed.value.results] == list(graph.get("clean_erp").checks)
    assert failed.value.results == recorded_results(copy, "clean_erp")
    assert {r.name for r in failed.value.failures} == {"erp_prices_present"}


@pytest.mark.parametrize(
    ("sales", "disagree"),
    [([3, 3], False), ([3, 4], True), ([3, None], True), ([None, 3], True), ([None, None], False), ([5], False)],
)
def test_web_pairs_agree_counts_an_empty_total_sales_as_a_value(copy, sales, disagree):
    """The sku's rows disagree when they hold more than one value, an empty cell being one."""

    def func(frame):
        first = frame.iloc[[0]].copy()
        rows = pd.concat([first] * len(sales)).reset_index(drop=True)
        rows["sku"] = "pair-under-test"
        rows["total_sales"] = pd.array(sales, dtype=frame["total_sales"].dtype)
        return pd.concat([frame[frame["sku"] != "pair-under-test"], rows])

    change(copy, "web_clean", func)
    result = verdict("web_pairs_agree", copy)
    assert ("pair-under-test" in result.message_en) == disagree, result.message_en


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ([], "-"),
        (["a"], "a"),
        (list(range(10)), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9"),
        (list(range(12)), "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 (+2)"),
        (7, 7),
        ("x", "x"),
    ],
)
def test_a_python_gates_evidence_shows_the_first_ten_values_and_how_many_more(value, shown):
    from bottleneck_core.checks import _show

    assert _show(value) == shown


@pytest.mark.parametrize(
    ("value", "share"), [("", 0.05), ("5%", 0.05), ("12.5 %", 0.125), (" 0.3 ", 0.3), ("1", 1.0), ("0", 0.0)]
)
def test_the_unmatched_limit_is_read_as_a_share(monkeypatch, value, share):
    from bottleneck_core.checks import max_unmatched_from_env

    monkeypatch.setenv("BOTTLENECK_MAX_UNMATCHED", value)
    assert max_unmatched_from_env() == pytest.approx(share, abs=1e-15)


def test_offending_rows_are_shown_first_column_then_the_others():
    from bottleneck_core.checks import _row_text, _text

    assert _row_text({"product_id": "4954"}) == "4954"
    assert _row_text({"product_id": "4954", "price": "-20.00", "stock": None}) == "4954 (price -20.00, stock NULL)"
    assert _text(["a", None, 3]) == "[a, NULL, 3]" and _text(None) == "NULL"


@pytest.fixture
def no_tables(tmp_path):
    """The tables of a month that has none yet, for gates written in the test."""
    tables = Tables(Paths.for_month("2026-10", sources=tmp_path, work_root=tmp_path / "work", output_root=tmp_path))
    yield tables
    tables.close()


def test_a_gate_whose_facts_reuse_a_reserved_name_is_refused(no_tables):
    from bottleneck_core.checks import Check

    check = Check("odd", "error", "{count}", "{count}", sql="SELECT 1 AS x WHERE false; SELECT 2 AS rows")
    with pytest.raises(ValueError, match=r"sql/gates/odd\.sql: facts may not be named rows"):
        evaluate(check, "merge", no_tables)


def test_a_failing_gate_query_names_its_file(no_tables):
    from bottleneck_core.checks import Check
    from bottleneck_core.errors import PipelineError

    check = Check("broken", "error", "{count}", "{count}", sql="SELECT product_id FROM 'nowhere.parquet'")
    with pytest.raises(PipelineError) as info:
        evaluate(check, "merge", no_tables)
    assert info.value.en.startswith("bottleneck_core/sql/gates/broken.sql failed: ")
    assert info.value.fr.startswith("bottleneck_core/sql/gates/broken.sql a échoué : ")
