"""The SQL steps (sql/steps/*.sql), run on small work tables written here."""

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bottleneck_core import duck, transforms
from bottleneck_core.errors import PipelineError
from bottleneck_core.sources import arrow_type

MONEY = arrow_type("money")  # exact decimals with cents

TYPES = {
    "price": MONEY,
    "revenue": MONEY,
    "total_sales": pa.int64(),
    "source_row": pa.int64(),
    "is_blank": pa.bool_(),
    "onsale_web": pa.int64(),
    "stock_quantity": pa.int64(),
}


def table(**columns):
    return pa.table({k: pa.array(v, TYPES.get(k, pa.string())) for k, v in columns.items()})


@pytest.fixture
def work(tmp_path):
    def write(**tables):
        for name, value in tables.items():
            pq.write_table(value, tmp_path / f"{name}.parquet")
        return tmp_path

    return write


def web_raw(**columns):
    return table(**columns)


def written(folder, name: str, rows: int) -> pa.Table:
    """The work table a step wrote, after checking the row count the step returned."""
    out = pq.read_table(folder / f"{name}.parquet")
    assert out.num_rows == rows
    return out


def test_clean_drops_blank_and_keyless_rows(work):
    folder = work(
        web_raw=table(
            source_row=[2, 3, 4],
            sku=["a", None, None],
            post_type=["product"] * 3,
            post_title=["x"] * 3,
            total_sales=[1, 2, 3],
            is_blank=[False, False, True],
        )
    )
    out = written(folder, "web_clean", transforms.clean(folder, "web"))
    assert out["source_row"].to_pylist() == [2]
    assert out.column_names == ["source_row", "sku", "post_type", "post_title", "total_sales"]


def test_dedup_web_keeps_the_product_row_even_when_the_pair_disagrees(work):
    folder = work(
        web_clean=table(
            source_row=[2, 3, 4, 5],
            sku=["10", "10", "11", "11"],
            post_type=["attachment", "product", "product", "attachment"],
            post_title=["A", "A", "B", "B"],
            total_sales=[9, 3, 5, 5],
        )
    )
    out = written(folder, "web_dedup", transforms.dedup(folder, "web"))
    assert out["sku"].to_pylist() == ["10", "11"]
    assert out["post_type"].to_pylist() == ["product", "product"] and out["total_sales"].to_pylist() == [3, 5]


def test_dedup_keeps_conflicting_rows_for_the_gate_to_report(work):
    folder = work(
        erp_clean=table(
            source_row=[2, 3, 4],
            product_id=["1", "1", "1"],
            onsale_web=[1, 1, 1],
            price=[Decimal("5"), Decimal("5"), Decimal("6")],
            stock_quantity=[1, 1, 1],
            stock_status=["instock"] * 3,
        )
    )
    out = written(folder, "erp_dedup", transforms.dedup(folder, "erp"))
    assert out["price"].to_pylist() == [Decimal("5.00"), Decimal("6.00")]
    assert out["source_row"].to_pylist() == [2, 4]  # the first of the exact repeats


def test_dedup_sorts_ids_in_natural_order(work):
    ids = ["10", "9", "b", "0100", "a", "2"]
    folder = work(link_clean=table(source_row=list(range(2, 8)), product_id=ids, id_web=ids))
    out = written(folder, "link_dedup", transforms.dedup(folder, "link"))
    assert out["product_id"].to_pylist() == ["2", "9", "10", "0100", "a", "b"]


def test_merge_joins_mixed_keys_as_text_and_drops_unlinked_rows(work):
    folder = work(
        erp_dedup=table(
            source_row=[2, 3, 4],
            product_id=["1", "2", "3"],
            onsale_web=[1, 1, 0],
            price=[Decimal("10"), Decimal("20"), Decimal("30")],
            stock_quantity=[1, 2, 3],
            stock_status=["instock"] * 3,
        ),
        link_dedup=table(source_row=[2, 3, 4], product_id=["1", "2", "3"], id_web=["13127-1", "500", None]),
        web_dedup=table(
            source_row=[2, 3],
            sku=["500", "13127-1"],
            post_type=["product"] * 2,
            post_title=["B", "A"],
            total_sales=[2, 1],
        ),
    )
    merged = written(folder, "merged", transforms.merge(folder))
    assert merged["product_id"].to_pylist() == ["1", "2"] and merged["sku"].to_pylist() == ["13127-1", "500"]
    assert merged["name"].to_pylist() == ["A", "B"]
    assert merged.schema.field("price").type == MONEY


def test_revenue_is_exact_and_sorted_highest_first(work):
    folder = work(
        merged=table(
            product_id=["1", "2", "10"],
            sku=["a", "b", "c"],
            name=["x", "y", "z"],
            price=[Decimal("0.10"), Decimal("0.20"), Decimal("0.10")],
            total_sales=[3, 1, 3],
        )
    )
    out = written(folder, "revenue", transforms.revenue(folder))
    assert out["revenue"].to_pylist() == [Decimal("0.30"), Decimal("0.30"), Decimal("0.20")]
    assert out.schema.field("revenue").type == MONEY
    assert out["product_id"].to_pylist() == ["1", "10", "2"]  # ties in natural id order
    assert sum(out["revenue"].to_pylist()) == Decimal("0.80")  # 0.1 * 3 + ... in floats would not be exact
    assert transforms.revenue_total(folder) == Decimal("0.80")


def merged_with(work, prices):
    n = len(prices)
    return work(
        merged=table(
            product_id=[str(i) for i in range(n)],
            sku=[str(i) for i in range(n)],
            name=["w"] * n,
            price=[Decimal(p) for p in prices],
            total_sales=[1] * n,
        )
    )


def revenue_with(work, prices):
    """The revenue table of those products: what the premium step reads."""
    folder = merged_with(work, prices)
    transforms.revenue(folder)
    return folder


def classify(folder, threshold):
    facts = transforms.classify(folder, threshold)
    return pq.read_table(folder / "premium.parquet"), pq.read_table(folder / "ordinary.parquet"), facts


def test_classify_uses_population_std_and_a_strict_threshold(work):
    folder = revenue_with(work, ["10"] * 9 + ["100"])
    premium, ordinary, facts = classify(folder, 2.0)
    # mean 19, population std 27 -> z(100) = 3; sample std (ddof=1) would give 2.85
    assert facts == {"products": 10, "price_mean": 19.0, "price_std": 27.0}
    assert premium["product_id"].to_pylist() == ["9"] and abs(premium["z_score"][0].as_py() - 3.0) < 1e-12
    assert ordinary.num_rows == 9
    premium, _, _ = classify(folder, 3.0)
    assert premium.num_rows == 0  # z must be strictly greater than the threshold


def test_classify_survives_prices_without_spread(work):
    folder = revenue_with(work, ["5", "5"])
    premium, ordinary, facts = classify(folder, 2.0)
    assert premium.num_rows == 0 and ordinary["z_score"].to_pylist() == [0.0, 0.0]
    assert facts["price_std"] == 0.0


def test_price_stats_are_exact_whatever_the_order(work, tmp_path):
    prices = ["0.10", "0.20", "0.30", "1234567.89", "0.01"] * 50
    one = transforms.price_stats(merged_with(work, prices))
    other = tmp_path / "other"
    other.mkdir()
    reversed_table = table(
        product_id=[str(i) for i in range(len(prices))],
        sku=["s"] * len(prices),
        name=["w"] * len(prices),
        price=[Decimal(p) for p in reversed(prices)],
    )
    pq.write_table(reversed_table, other / "merged.parquet")
    assert transforms.price_stats(other) == one


def test_duckdb_never_downloads_extensions(tmp_path):
    con = duck.connect(tmp_path)
    settings = dict(
        con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions')"
        ).fetchall()
    )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "allow_community_extensions": "false",
    }


def test_every_step_sql_file_is_packaged():
    for name in (
        "clean_erp",
        "clean_link",
        "clean_web",
        "dedup_erp",
        "dedup_link",
        "dedup_web",
        "merge",
        "revenue",
        "premium",
    ):
        assert duck.sql_text("steps", name).lstrip().startswith("-- Step ")


def test_a_step_that_fails_leaves_the_old_table(work):
    """DuckDB writes a temporary file renamed at the end: a failed step never leaves half a table."""
    folder = work(merged=table(product_id=["1"], sku=["a"], name=["x"], price=[Decimal("1.00")], total_sales=[1]))
    transforms.revenue(folder)
    before = (folder / "revenue.parquet").read_bytes()
    (folder / "merged.parquet").write_bytes(b"not parquet")
    with pytest.raises(PipelineError, match="revenue.sql"):
        transforms.revenue(folder)
    assert (folder / "revenue.parquet").read_bytes() == before
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_the_revenue_of_an_empty_month_is_zero_cents(work):
    folder = work(revenue=table(product_id=[], sku=[], name=[], price=[], total_sales=[], revenue=[]))
    assert str(transforms.revenue_total(folder)) == "0.00"


def test_a_damaged_revenue_table_stops_premium_with_a_clear_error(work):
    folder = revenue_with(work, ["10", "20", "30"])
    (folder / "revenue.parquet").write_bytes(b"PAR1 damaged")
    with pytest.raises(PipelineError, match=r"^revenue\.parquet failed: InvalidInputException: .*magic bytes"):
        transforms.classify(folder, 2.0)
    with pytest.raises(PipelineError, match=r"^revenue\.parquet failed") as info:
        transforms.revenue_total(folder)
    assert info.value.fr.startswith("revenue.parquet a échoué : InvalidInputException : ")
    assert not (folder / "premium.parquet").exists() and not (folder / "ordinary.parquet").exists()


def test_a_premium_step_that_cannot_score_names_its_sql_file(work):
    """The revenue table lacks a column premium.sql selects: the error names that file."""
    folder = work(revenue=table(product_id=["1", "2"], name=["a", "b"], price=[Decimal("1.00"), Decimal("3.00")]))
    with pytest.raises(PipelineError, match=r"^bottleneck_core/sql/steps/premium\.sql failed: BinderException"):
        transforms.classify(folder, 2.0)
