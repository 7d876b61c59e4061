"""The warehouse module (the course's "Phase 2"): a published month lands in S3, a Python task loads
PostgreSQL staging, stored procedures load the star schema, all for one ``batch_date``.

Steps, in order (``STEPS``): ``land`` → ``load_staging`` → ``seed_dims`` → ``load_dw``, each followed by
its gates. ``batch_date`` maps to the month that contains it (2026-10-15 → 2026-10).
The SQL lives in ``sql/`` beside this file; this package only runs it.
"""

from __future__ import annotations

from ..graph import Step

STEPS: tuple[Step, ...] = (
    Step(
        "land",
        ("output:<month>",),
        ("s3:exports/<month>/",),
        ("landed_matches_manifest",),
        "Upload the month's published reports and manifest to S3 (same month, same objects).",
        "Déposer les rapports publiés du mois et leur manifeste dans S3 (même mois, mêmes objets).",
        io=True,
    ),
    Step(
        "load_staging",
        ("s3:exports/<month>/",),
        ("staging.batch", "staging.monthly_sales"),
        ("staging_rows_match_manifest",),
        "Read the month's objects from S3 and COPY them into staging, replacing that batch only.",
        "Lire les objets du mois dans S3 et les charger par COPY en staging, en remplaçant ce lot seulement.",
        io=True,
    ),
    Step(
        "seed_dims",
        (),
        ("dw.dim_category", "dw.dim_month"),
        ("dims_seeded",),
        "Seed the reference dimensions (CALL dw.sp_seed_dim_*): safe on every run.",
        "Alimenter les dimensions de référence (CALL dw.sp_seed_dim_*) : sans risque à chaque exécution.",
    ),
    Step(
        "load_dw",
        ("staging.monthly_sales",),
        ("dw.dim_product", "dw.fact_monthly_sales"),
        ("dw_rows_match_staging", "dw_revenue_matches_manifest", "dw_premium_count_matches"),
        "Load the batch into the star schema (CALL dw.sp_load_staging_to_dw): a rerun replaces it.",
        "Charger le lot dans le schéma en étoile (CALL dw.sp_load_staging_to_dw) : le relancer le remplace.",
    ),
)
