"""The warehouse (Phase 2): the month's reports land in S3, then PostgreSQL staging, then the star schema.

One asset per core warehouse step, partitioned by month like the reports; each asset runs its step
and the step's gates (a failed gate fails the asset). `warehouse_job` materialises the group for one
partition; a backfill over a partition range loads several months, one run each.
"""

import dagster as dg

from bottleneck_core.errors import PipelineError
from bottleneck_core.warehouse import STEPS, runner
from bottleneck_dagster.core_steps import IO_RETRY, MONTHLY, STEP_TAG

GROUP = "warehouse"
ASSET_OF = {
    "land": "landed_exports",
    "load_staging": "staging_monthly_sales",
    "seed_dims": "dw_dimensions",
    "load_dw": "fact_monthly_sales",
}
DEPS = {
    "land": ["manifest"],
    "load_staging": ["landed_exports"],
    "seed_dims": [],
    "load_dw": ["staging_monthly_sales", "dw_dimensions"],
}


def warehouse_asset(step) -> dg.AssetsDefinition:
    @dg.asset(
        name=ASSET_OF[step.name],
        deps=DEPS[step.name],
        group_name=GROUP,
        partitions_def=MONTHLY,
        retry_policy=IO_RETRY if step.io else None,
        kinds={"s3" if step.name == "land" else "postgres"},
        description=f"{step.en}\n\n{step.fr}\n\nCore warehouse step: `{step.name}`",
        metadata={STEP_TAG: f"warehouse.{step.name}"},
    )
    def _asset(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        try:
            runner.init()  # schemas, tables, procedures: idempotent
            facts = runner.run_step(step.name, f"{context.partition_key}-01")
        except PipelineError as exc:  # core's bilingual message (gate failures included)
            raise dg.Failure(description=exc.text()) from exc
        meta = {c["name"]: f"{c['status']}: {c['message_en']}" for c in facts["checks"]}
        if "rows" in facts:
            meta["dagster/row_count"] = dg.MetadataValue.int(facts["rows"])
        return dg.MaterializeResult(metadata=meta)

    return _asset


warehouse_assets = [warehouse_asset(step) for step in STEPS]

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.groups(GROUP),
    partitions_def=MONTHLY,
    description="Load one month into the warehouse / Charger un mois dans l'entrepôt.",
)
