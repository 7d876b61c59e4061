"""The three source branches (ERP, link file, web shop): extract -> clean -> dedup.

They share no asset, so Dagster runs them in parallel. Core steps: extract_<src>,
clean_<src>, dedup_<src>; assets: <src>_raw, <src>_clean, <src>_dedup, each gated.
"""

import dagster as dg

from bottleneck_core import sources
from bottleneck_dagster.core_steps import IO_RETRY, MONTHLY, STEP_TAG, describe, materialize_step, quality_gates, reads


def source_branch(src: str) -> list[dg.AssetsDefinition]:
    @dg.asset(
        name=f"{src}_raw",
        group_name=src,
        partitions_def=MONTHLY,
        kinds={"excel", "parquet"},
        retry_policy=IO_RETRY,  # reads a file: worth a retry
        description=describe(f"extract_{src}"),
        metadata={STEP_TAG: f"extract_{src}"},
    )
    def raw(context: dg.AssetExecutionContext):
        yield from materialize_step(context, f"extract_{src}")

    @dg.asset(
        name=f"{src}_clean",
        deps=reads(f"clean_{src}"),
        group_name=src,
        partitions_def=MONTHLY,
        kinds={"parquet"},
        description=describe(f"clean_{src}"),
        metadata={STEP_TAG: f"clean_{src}"},
    )
    def clean(context: dg.AssetExecutionContext):
        yield from materialize_step(context, f"clean_{src}")

    @dg.asset(
        name=f"{src}_dedup",
        deps=reads(f"dedup_{src}"),
        group_name=src,
        partitions_def=MONTHLY,
        kinds={"parquet"},
        description=describe(f"dedup_{src}"),
        metadata={STEP_TAG: f"dedup_{src}"},
    )
    def dedup(context: dg.AssetExecutionContext):
        yield from materialize_step(context, f"dedup_{src}")

    return [
        raw,
        clean,
        dedup,
        quality_gates(f"extract_{src}", raw),
        quality_gates(f"clean_{src}", clean),
        quality_gates(f"dedup_{src}", dedup),
    ]


branches = [asset for src in sources.SOURCES for asset in source_branch(src)]
