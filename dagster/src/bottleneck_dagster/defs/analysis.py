"""One row per product (merged), its revenue, then the premium / ordinary split of those products, each gated."""

import dagster as dg

from bottleneck_core import graph
from bottleneck_dagster.core_steps import MONTHLY, STEP_TAG, describe, materialize_step, quality_gates, reads


@dg.asset(
    deps=reads("merge"),
    group_name="analysis",
    partitions_def=MONTHLY,
    kinds={"parquet"},
    description=describe("merge"),
    metadata={STEP_TAG: "merge"},
)
def merged(context: dg.AssetExecutionContext):
    yield from materialize_step(context, "merge")


@dg.asset(
    deps=reads("revenue"),
    group_name="analysis",
    partitions_def=MONTHLY,
    kinds={"parquet"},
    description=describe("revenue"),
    metadata={STEP_TAG: "revenue"},
)
def revenue(context: dg.AssetExecutionContext):
    yield from materialize_step(context, "revenue")


# One core step, two tables: a multi-asset (a single computation that materializes both).
@dg.multi_asset(
    name="split_wines",
    specs=[
        dg.AssetSpec(
            table,
            deps=reads("premium"),
            group_name="analysis",
            kinds={"parquet"},
            description=describe("premium"),
            metadata={STEP_TAG: "premium"},
        )
        for table in graph.get("premium").outputs
    ],
    partitions_def=MONTHLY,
)
def split_wines(context: dg.AssetExecutionContext):
    yield from materialize_step(context, "premium")


gates = [quality_gates("merge", merged), quality_gates("revenue", revenue), quality_gates("premium", "premium")]
