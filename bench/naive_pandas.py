"""The naive reference for the benchmark: the month's pipeline as a plain pandas script.

Reads the three Excel exports (pandas + openpyxl), cleans, merges, computes the revenue and
the price z-score, writes the Excel report and the two CSVs. No quality gate, no exact money,
no atomic publishing: it is what a student would write first, and what core is measured against.

    python bench/naive_pandas.py data/sources/2026-10 /tmp/naive-out
"""

import json
import sys
import time
from pathlib import Path

import pandas as pd


def main(sources: Path, out: Path) -> dict:
    erp = pd.read_excel(sources / "erp.xlsx").dropna(subset=["product_id"]).drop_duplicates()
    link = pd.read_excel(sources / "liaison.xlsx").dropna(subset=["product_id"]).drop_duplicates()
    web = pd.read_excel(sources / "web.xlsx").dropna(subset=["sku"])
    web = web[web["post_type"] == "product"].drop_duplicates(subset=["sku"])
    merged = erp.merge(link, on="product_id").merge(web, left_on="id_web", right_on="sku")
    merged = merged.rename(columns={"post_title": "name"})
    merged["revenue"] = merged["price"] * merged["total_sales"]
    merged["z_score"] = (merged["price"] - merged["price"].mean()) / merged["price"].std(ddof=0)
    report = merged.sort_values("revenue", ascending=False)
    report = report[["product_id", "sku", "name", "price", "total_sales", "revenue"]]
    total = report["revenue"].sum()
    out.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out / "revenue_report.xlsx") as writer:
        pd.concat([report, pd.DataFrame([{"product_id": "TOTAL", "revenue": total}])]).to_excel(
            writer, sheet_name="revenue", index=False
        )
    columns = ["product_id", "sku", "name", "price", "z_score"]
    wines = merged.sort_values("z_score", ascending=False)[columns]
    wines[wines["z_score"] > 2].to_csv(out / "premium_wines.csv", index=False)
    wines[wines["z_score"] <= 2].to_csv(out / "ordinary_wines.csv", index=False)
    return {"products": len(merged), "premium": int((merged["z_score"] > 2).sum()), "revenue_total": round(total, 2)}


if __name__ == "__main__":
    start = time.perf_counter()
    figures = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps({**figures, "seconds": time.perf_counter() - start}))
