"""Seeded sample data: the three exports for consecutive months, with the course files' quirks.

Same seed, same bytes. Each month's ``reference.json`` is computed here, independently of
the pipeline, from what the generator put in the files: the tests compare the two.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .config import FIRST_MONTH
from .sources import SOURCES, WEB_COLUMNS

SEED = 2026
MONTHS = 6
FIXED_TIME = dt.datetime(2000, 1, 1)
DOMAINS = (
    "Château Lestage",
    "Domaine des Perrières",
    "Clos Marguerite",
    "Maison Bruant",
    "Domaine Roche",
    "Château Vernay",
    "Domaine du Pélican",
    "Cave de Tain",
    "Mas Amiel",
    "Domaine Ogier",
)
WINES = (
    "Pinot Noir",
    "Chablis",
    "Côtes du Rhône",
    "Saint-Joseph",
    "Crozes-Hermitage",
    "Sancerre",
    "Pouilly-Fumé",
    "Bourgogne Aligoté",
    "Champagne Brut",
    "Saumur-Champigny",
    "Muscadet",
    "Gigondas",
)


@dataclass
class Product:
    product_id: int
    sku: int | str | None  # None: the link file has no id_web for it
    on_web: bool  # False with a sku: linked, but missing from the web export
    price: Decimal
    stock: int
    name: str
    popularity: float


def _month_list(first: str, count: int) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _new_product(rng: random.Random, product_id: int, sku, on_web: bool) -> Product:
    if rng.random() < 0.04:
        price = Decimal(rng.randrange(9000, 23000, 50) - 1) / 100  # the few grands crus: 89.99 to 229.49
    else:  # prices to the cent, odd ones included, so that a rounding to 0.10 € cannot go unnoticed
        price = Decimal(round(rng.lognormvariate(3.15, 0.5) * 100)) / 100
    name = f"{rng.choice(DOMAINS)} {rng.choice(WINES)} {rng.randint(2012, 2022)}"
    return Product(product_id, sku, on_web, price, rng.randint(0, 120), name, rng.expovariate(1 / 3))


def catalogue(rng: random.Random) -> list[Product]:
    """825 products as in the course: 714 on the web shop, 20 linked but absent, 91 without id_web."""
    ids = sorted(rng.sample(range(3847, 7400), 825))
    skus = rng.sample(range(10000, 20000), 734)
    for i, text in enumerate(("13127-1", "14680-1", "16135-1", "bon-cadeau-25-euros", "12045-2")):
        skus[i * 97] = text
    rng.shuffle(ids)
    products = [_new_product(rng, pid, skus[i], True) for i, pid in enumerate(ids[:714])]
    products += [_new_product(rng, pid, skus[714 + i], False) for i, pid in enumerate(ids[714:734])]
    products += [_new_product(rng, pid, None, False) for pid in ids[734:]]
    gift = next(p for p in products if p.sku == "bon-cadeau-25-euros")
    gift.price, gift.name = Decimal("25.00"), "Bon cadeau 25 euros"
    return sorted(products, key=lambda p: p.product_id)


def evolve(products: list[Product], rng: random.Random) -> list[Product]:
    """Next month's catalogue: a few web products leave, a few arrive, some prices move."""
    web = [p for p in products if p.on_web and p.sku != "bon-cadeau-25-euros"]
    leaving = {p.product_id for p in rng.sample(web, rng.randint(2, 4))}
    kept = [p for p in products if p.product_id not in leaving]
    next_id = max(p.product_id for p in products) + 1
    used = {str(p.sku) for p in products}
    for i in range(rng.randint(2, 5)):
        sku = rng.choice([s for s in range(20000, 21000) if str(s) not in used])
        used.add(str(sku))
        kept.append(_new_product(rng, next_id + i, sku, True))
    for p in rng.sample(kept, 10):
        if p.sku != "bon-cadeau-25-euros":
            p.price = (p.price * Decimal(rng.choice(("0.95", "1.05", "1.10")))).quantize(Decimal("0.01"))
    return kept


@dataclass
class MonthData:
    erp: list[list]
    link: list[list]
    web: list[list]
    reference: dict


def month_data(products: list[Product], rng: random.Random, month_index: int) -> MonthData:
    products = [replace(p) for p in products]
    season = 1.0 + 0.15 * month_index
    sales = {p.product_id: int(rng.expovariate(1 / max(p.popularity * season, 0.1))) for p in products}
    web_products = [p for p in products if p.on_web]
    # The course files' quirks, placed on products chosen by the seed.
    odd = rng.sample([p for p in web_products if p.sku != "bon-cadeau-25-euros"], 16)
    odd[0].price, odd[1].price = Decimal("-8.00"), Decimal("-1.00")
    sales[odd[0].product_id] = sales[odd[1].product_id] = 0
    odd[2].stock, odd[3].stock = -1, -3
    status = {p.product_id: "instock" if p.stock > 0 else "outofstock" for p in products}
    for p in odd[4:10]:
        status[p.product_id] = "outofstock" if status[p.product_id] == "instock" else "instock"
    disagree = {p.product_id for p in odd[10:13]}

    erp = [[p.product_id, int(p.on_web), float(p.price), p.stock, status[p.product_id]] for p in products]
    link = [[p.product_id, p.sku] for p in products]
    rng.shuffle(link)
    web = []
    for n, p in enumerate(web_products):
        date = dt.datetime(2018, 2, 8, 12) + dt.timedelta(days=n % 900, minutes=n)
        slug = p.name.lower().replace(" ", "-")
        base = dict(
            zip(
                WEB_COLUMNS,
                [
                    p.sku,
                    0,
                    0,
                    0,
                    0,
                    sales[p.product_id],
                    "taxable",
                    None,
                    2,
                    date,
                    date,
                    f"<p>{p.name}.</p>",
                    p.name,
                    None,
                    "publish",
                    "closed",
                    "closed",
                    None,
                    slug,
                    date,
                    date,
                    None,
                    0,
                    f"https://bottleneck.example/?post_type=product&p={p.product_id}",
                    0,
                    "product",
                    None,
                    0,
                ],
                strict=True,
            )
        )
        image = base | {
            "tax_status": None,
            "post_status": "inherit",
            "post_type": "attachment",
            "post_mime_type": "image/jpeg",
            "guid": f"https://bottleneck.example/img/{slug}.jpg",
        }
        if p.product_id in disagree:
            image["total_sales"] = sales[p.product_id] + 1 + n % 3
        web += [list(base.values()), list(image.values())]
    for p in odd[13:15]:  # two rows with data but no sku
        web.append(
            [None, 0, 0, 0, 0, 0, None, None, 2, None, None, None, f"{p.name} (brouillon)", None, "draft"]
            + [None] * 10
            + ["product", None, 0]
        )
    rng.shuffle(web)
    for _ in range(83):  # entirely empty rows (never last: Excel does not keep trailing empty rows)
        web.insert(rng.randrange(len(web)), [None] * len(WEB_COLUMNS))

    merged = [p for p in web_products]
    prices = [float(p.price) for p in merged]
    mean, std = statistics.fmean(prices), statistics.pstdev(prices)
    premium = [p for p in merged if (float(p.price) - mean) / std > 2]
    revenue = {p.product_id: p.price * sales[p.product_id] for p in merged}
    premium_revenue = sum((revenue[p.product_id] for p in premium), Decimal("0.00"))
    total = sum(revenue.values(), Decimal("0.00"))
    reference = {
        "counts": {
            "erp_raw": len(erp),
            "erp_dedup": len(erp),
            "link_raw": len(link),
            "link_dedup": len(link),
            "web_raw": len(web),
            "web_clean": 2 * len(web_products),
            "web_dedup": len(web_products),
            "merged": len(merged),
            "premium": len(premium),
            "ordinary": len(merged) - len(premium),
        },
        "revenue_total": str(total),
        "premium_revenue": str(premium_revenue),
        "ordinary_revenue": str(total - premium_revenue),
        "price_mean": f"{mean:.2f}",
        "price_std": f"{std:.2f}",
    }
    return MonthData(erp, link, web, reference)


def write_xlsx(path: Path, header: tuple[str, ...], rows: list[list]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": FIXED_TIME})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()


def generate_months(out: Path, first: str = FIRST_MONTH, count: int = MONTHS, seed: int = SEED) -> list[Path]:
    """Write ``<out>/<month>/{erp,web,liaison}.xlsx`` and ``reference.json`` for ``count`` months."""
    rng = random.Random(seed)
    products = catalogue(rng)
    folders = []
    for index, month in enumerate(_month_list(first, count)):
        if index:
            products = evolve(products, rng)
        data = month_data(products, rng, index)
        folder = out / month
        folder.mkdir(parents=True, exist_ok=True)
        write_xlsx(folder / "erp.xlsx", SOURCES["erp"].columns, data.erp)
        write_xlsx(folder / "liaison.xlsx", SOURCES["link"].columns, data.link)
        write_xlsx(folder / "web.xlsx", WEB_COLUMNS, data.web)
        (folder / "reference.json").write_text(json.dumps(data.reference, indent=2) + "\n", encoding="utf-8")
        folders.append(folder)
    return folders


def generate_large(out: Path, products: int, fmt: str = "parquet", seed: int = SEED) -> Path:
    """One large month for the benchmark, as Parquet or CSV (Excel stops at 1,048,576 rows).

    Same columns as the exports, about 87 % of products on the web shop (two rows each),
    1 % empty web rows; no reference file (the benchmark times, it does not check figures).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    folder = out / f"{products}-products"
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.arange(100_000, 100_000 + products)
    on_web = rng.random(products) < 0.87
    linked = on_web | (rng.random(products) < 0.2)
    stock = rng.integers(-1, 120, products)
    erp = pa.table(
        {
            "product_id": ids,
            "onsale_web": on_web.astype("int64"),
            "price": np.round(rng.lognormal(3.15, 0.5, products), 2),
            "stock_quantity": stock,
            "stock_status": np.where(stock > 0, "instock", "outofstock"),
        }
    )
    skus = (ids + 10_000_000).astype(str)
    link = pa.table({"product_id": ids, "id_web": pa.array(np.where(linked, skus, None), pa.string())})
    web_skus = np.repeat(skus[on_web], 2)
    rows = len(web_skus)
    blank = rng.random(rows) < 0.01
    columns = {}
    for name in WEB_COLUMNS:
        if name == "sku":
            columns[name] = pa.array(np.where(blank, None, web_skus), pa.string())
        elif name == "total_sales":
            columns[name] = pa.array(np.where(blank, None, np.repeat(rng.poisson(3, on_web.sum()), 2)), pa.int64())
        elif name == "post_type":
            columns[name] = pa.array(np.where(blank, None, np.tile(["product", "attachment"], rows // 2)), pa.string())
        elif name == "post_title":
            columns[name] = pa.array(np.where(blank, None, np.char.add("Wine ", web_skus)), pa.string())
        else:
            columns[name] = pa.nulls(rows, pa.string())
    web = pa.table(columns)
    for stem, table in (("erp", erp), ("liaison", link), ("web", web)):
        if fmt == "csv":
            pacsv.write_csv(table, folder / f"{stem}.csv")
        else:
            pq.write_table(table, folder / f"{stem}.parquet")
    return folder
