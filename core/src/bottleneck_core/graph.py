"""The step graph: the single source of truth that the wrappers, the lineage diagram and the docs follow.

Each step names the tables it reads and writes, the quality checks that run after it,
and says in one line, in English and in French, what it does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Step:
    name: str
    inputs: tuple[str, ...]  # work tables, or "source:<name>" for a source file
    outputs: tuple[str, ...]  # work tables, or files for the export step
    checks: tuple[str, ...]
    en: str
    fr: str
    branch: str | None = None  # erp / link / web: the three independent source branches
    io: bool = False  # reads sources or writes reports: transient failures are worth a retry


def _branch(src: str, key: str, label_en: str, label_fr: str, extra_clean=(), extra_dedup=()) -> tuple[Step, ...]:
    return (
        Step(
            f"extract_{src}",
            (f"source:{src}",),
            (f"{src}_raw",),
            (f"{src}_raw_has_rows",),
            f"Read the {label_en} export into a raw table.",
            f"Lire l'export {label_fr} dans une table brute.",
            src,
            io=True,
        ),
        Step(
            f"clean_{src}",
            (f"{src}_raw",),
            (f"{src}_clean",),
            (f"{src}_keys_present", f"{src}_rows_accounted", f"{src}_dropped_rows_with_data", *extra_clean),
            f"Drop empty rows and {label_en} rows without {key}.",
            f"Écarter les lignes vides et les lignes {label_fr} sans {key}.",
            src,
        ),
        Step(
            f"dedup_{src}",
            (f"{src}_clean",),
            (f"{src}_dedup",),
            (f"{src}_keys_unique", *extra_dedup),
            f"Keep one {label_en} row per {key}.",
            f"Garder une ligne {label_fr} par {key}.",
            src,
        ),
    )


STEPS: tuple[Step, ...] = (
    *_branch(
        "erp",
        "product_id",
        "ERP",
        "ERP",
        extra_clean=(
            "erp_prices_present",
            "erp_price_not_negative",
            "erp_price_not_zero",
            "erp_stock_not_negative",
            "erp_stock_status_coherent",
        ),
    ),
    *_branch("link", "product_id", "link-file", "de liaison", extra_dedup=("link_id_web_unique",)),
    *_branch(
        "web",
        "sku",
        "web-shop",
        "de la boutique web",
        extra_clean=("web_sales_present", "web_sales_not_negative", "web_names_present"),
        extra_dedup=("web_pairs_agree",),
    ),
    Step(
        "merge",
        ("erp_dedup", "link_dedup", "web_dedup"),
        ("merged",),
        ("merged_one_to_one", "merged_rows_accounted", "merged_not_empty", "merged_unmatched_share"),
        "Join ERP, link file and web shop: one row per product sold online.",
        "Joindre ERP, liaison et boutique web : une ligne par produit vendu en ligne.",
    ),
    Step(
        "revenue",
        ("merged",),
        ("revenue",),
        ("revenue_rows_match", "revenue_total_coherent", "revenue_sorted"),
        "Compute revenue per product (price × total_sales) and the total.",
        "Calculer le chiffre d'affaires par produit (prix × total_sales) et le total.",
    ),
    Step(
        "premium",
        ("revenue",),
        ("premium", "ordinary"),
        (
            "premium_partition",
            "premium_threshold_respected",
            "zscore_standardised",
            "premium_matches_scipy",
            "reference_values",
        ),
        "Split wines into premium (price z-score > threshold) and ordinary.",
        "Séparer les vins premium (z-score du prix > seuil) des vins ordinaires.",
    ),
    Step(
        "export",
        ("revenue", "premium", "ordinary"),
        ("revenue_report.xlsx", "premium_wines.csv", "ordinary_wines.csv", "manifest.json"),
        ("outputs_match_manifest",),
        "Write the Excel and CSV reports and the manifest, then publish them atomically.",
        "Écrire les rapports Excel et CSV et le manifeste, puis les publier de façon atomique.",
        io=True,
    ),
)

BY_NAME = {step.name: step for step in STEPS}
PRODUCERS = {table: step.name for step in STEPS for table in step.outputs}
TABLES = tuple(t for step in STEPS if step.name != "export" for t in step.outputs)


def get(name: str) -> Step:
    from .errors import PipelineError

    if name not in BY_NAME:
        raise PipelineError(
            en=f"Unknown step {name!r}. Steps: {', '.join(BY_NAME)}.",
            fr=f"Étape inconnue {name!r}. Étapes : {', '.join(BY_NAME)}.",
        )
    return BY_NAME[name]


def upstream(name: str) -> tuple[str, ...]:
    """The steps whose outputs ``name`` reads, in graph order."""
    needed = {PRODUCERS[i] for i in get(name).inputs if i in PRODUCERS}
    return tuple(s.name for s in STEPS if s.name in needed)


def as_dict() -> dict:
    """The graph as plain data (``bottleneck steps`` prints it as JSON)."""
    return {"steps": [asdict(step) | {"upstream": list(upstream(step.name))} for step in STEPS]}
