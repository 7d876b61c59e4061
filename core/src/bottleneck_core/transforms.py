"""The pipeline's transformations: pure functions, tables in, tables out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .tables import MONEY, natural_order

#: Standard deviation convention for the z-score: population (ddof=0), as scipy.stats.zscore.
DDOF = 0


def clean(raw: pd.DataFrame, key: str) -> pd.DataFrame:
    """Drop entirely empty rows and rows missing their key."""
    kept = raw[~raw["is_blank"] & raw[key].notna()]
    return kept.drop(columns="is_blank").reset_index(drop=True)


def dedup(clean_table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Drop rows that repeat another row exactly (``source_row`` aside); keep the first.

    Rows sharing a key but disagreeing elsewhere are kept: the ``*_keys_unique`` gate
    reports them, because choosing one silently would lose data.
    """
    data_columns = [c for c in clean_table.columns if c != "source_row"]
    deduped = clean_table.drop_duplicates(subset=data_columns, keep="first")
    return natural_order(deduped, [], [], key)


def dedup_web(web_clean: pd.DataFrame) -> pd.DataFrame:
    """Each web product appears twice: its 'product' row and its image ('attachment').

    Keep the 'product' row of every sku that has one, then drop exact repeats.
    """
    is_product = web_clean["post_type"] == "product"
    skus_with_product = web_clean.loc[is_product, "sku"].unique()
    keep = is_product | ~web_clean["sku"].isin(skus_with_product)
    return dedup(web_clean[keep.fillna(False)], "sku")


def merge(erp: pd.DataFrame, link: pd.DataFrame, web: pd.DataFrame) -> pd.DataFrame:
    """ERP ⋈ link on product_id ⋈ web on id_web = sku (inner joins)."""
    linked = erp.drop(columns="source_row").merge(
        link.loc[link["id_web"].notna(), ["product_id", "id_web"]], on="product_id", how="inner"
    )
    merged = linked.merge(
        web[["sku", "post_title", "total_sales"]], left_on="id_web", right_on="sku", how="inner"
    )
    merged = merged.rename(columns={"post_title": "name"})[
        ["product_id", "sku", "name", "price", "total_sales", "stock_quantity", "stock_status", "onsale_web"]
    ]
    return natural_order(merged, [], [], "product_id")


def revenue(merged: pd.DataFrame) -> pd.DataFrame:
    """Revenue per product (price × total_sales, exact), highest first."""
    table = merged[["product_id", "sku", "name", "price", "total_sales"]].copy()
    table["revenue"] = (table["price"] * table["total_sales"]).astype(pd.ArrowDtype(MONEY))
    return natural_order(table, ["revenue"], [False], "product_id")


def price_stats(prices: pd.Series) -> tuple[float, float]:
    """Mean and standard deviation (ddof=0) of the prices, as floats: z-scores are statistics.

    ``math.fsum`` is correctly rounded, so the figures do not depend on summation order,
    numpy build or thread count: every orchestrator's environment gets the same bits.
    """
    values = prices.astype("float64").tolist()
    mean = math.fsum(values) / len(values)
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - DDOF))


def classify(merged: pd.DataFrame, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split products into premium (price z-score > threshold) and ordinary wines."""
    mean, std = price_stats(merged["price"])
    prices = merged["price"].astype("float64").to_numpy()
    z = (prices - mean) / std if std > 0 else np.zeros(len(prices))
    table = merged[["product_id", "sku", "name", "price"]].assign(z_score=z)
    table = natural_order(table, ["z_score"], [False], "product_id")
    is_premium = table["z_score"] > threshold
    return table[is_premium].reset_index(drop=True), table[~is_premium].reset_index(drop=True)
