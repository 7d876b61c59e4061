from decimal import Decimal

import pandas as pd
import pyarrow as pa

from bottleneck_core import transforms
from bottleneck_core.tables import MONEY, to_frame


def frame(**columns):
    types = {"price": MONEY, "total_sales": pa.int64(), "source_row": pa.int64(), "is_blank": pa.bool_(),
             "onsale_web": pa.int64(), "stock_quantity": pa.int64()}  # fmt: skip
    return to_frame(pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in columns.items()}))


def test_clean_drops_blank_and_keyless_rows():
    raw = frame(source_row=[2, 3, 4], sku=["a", None, None], is_blank=[False, False, True])
    assert transforms.clean(raw, "sku")["source_row"].tolist() == [2]


def test_dedup_web_keeps_the_product_row_even_when_the_pair_disagrees():
    web = frame(source_row=[2, 3, 4, 5], sku=["10", "10", "11", "11"],
                post_type=["attachment", "product", "product", "attachment"],
                post_title=["A", "A", "B", "B"], total_sales=[9, 3, 5, 5])  # fmt: skip
    out = transforms.dedup_web(web)
    assert out["sku"].tolist() == ["10", "11"]
    assert out["post_type"].tolist() == ["product", "product"] and out["total_sales"].tolist() == [3, 5]


def test_dedup_keeps_conflicting_rows_for_the_gate_to_report():
    erp = frame(source_row=[2, 3, 4], product_id=["1", "1", "1"], price=[Decimal("5"), Decimal("5"), Decimal("6")])
    assert transforms.dedup(erp, "product_id")["price"].tolist() == [Decimal("5.00"), Decimal("6.00")]


def test_merge_joins_mixed_keys_as_text_and_drops_unlinked_rows():
    erp = frame(source_row=[2, 3, 4], product_id=["1", "2", "3"], onsale_web=[1, 1, 0],
                price=[Decimal("10"), Decimal("20"), Decimal("30")], stock_quantity=[1, 2, 3],
                stock_status=["instock"] * 3)  # fmt: skip
    link = frame(source_row=[2, 3, 4], product_id=["1", "2", "3"], id_web=["13127-1", "500", None])
    web = frame(source_row=[2, 3], sku=["500", "13127-1"], post_type=["product"] * 2,
                post_title=["B", "A"], total_sales=[2, 1])  # fmt: skip
    merged = transforms.merge(erp, link, web)
    assert merged["product_id"].tolist() == ["1", "2"] and merged["sku"].tolist() == ["13127-1", "500"]
    assert merged["name"].tolist() == ["A", "B"]


def test_revenue_is_exact_and_sorted_highest_first():
    merged = frame(product_id=["1", "2", "10"], sku=["a", "b", "c"], name=["x", "y", "z"],
                   price=[Decimal("0.10"), Decimal("0.20"), Decimal("0.10")], total_sales=[3, 1, 3])  # fmt: skip
    out = transforms.revenue(merged)
    assert out["revenue"].tolist() == [Decimal("0.30"), Decimal("0.30"), Decimal("0.20")]
    assert out["product_id"].tolist() == ["1", "10", "2"]  # ties in natural id order
    assert out["revenue"].sum() == Decimal("0.80")  # 0.1 * 3 + ... in floats would not be exact


def test_classify_uses_population_std_and_a_strict_threshold():
    prices = [Decimal(p) for p in ("10", "10", "10", "10", "10", "10", "10", "10", "10", "100")]
    merged = frame(product_id=[str(i) for i in range(10)], sku=[str(i) for i in range(10)],
                   name=["w"] * 10, price=prices)  # fmt: skip
    premium, ordinary = transforms.classify(merged, 2.0)
    # mean 19, population std 27 -> z(100) = 3; sample std (ddof=1) would give 2.85
    assert premium["product_id"].tolist() == ["9"] and abs(premium["z_score"][0] - 3.0) < 1e-12
    assert len(ordinary) == 9
    premium, _ = transforms.classify(merged, 3.0)
    assert premium.empty  # z must be strictly greater than the threshold


def test_classify_survives_prices_without_spread():
    merged = frame(product_id=["1", "2"], sku=["a", "b"], name=["x", "y"], price=[Decimal("5"), Decimal("5")])
    premium, ordinary = transforms.classify(merged, 2.0)
    assert premium.empty and ordinary["z_score"].tolist() == [0.0, 0.0]
    assert isinstance(ordinary, pd.DataFrame)
