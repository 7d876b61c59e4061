"""The published reports: Excel, two CSVs and the manifest, written by one core step (export)."""

import dagster as dg

from bottleneck_core import graph
from bottleneck_dagster.core_steps import (
    IO_RETRY,
    KINDS,
    MONTHLY,
    STEP_TAG,
    asset_name,
    describe,
    materialize_step,
    quality_gates,
    reads,
)


@dg.multi_asset(
    name="export",
    specs=[
        dg.AssetSpec(
            asset_name(file),
            deps=reads("export"),
            group_name="reports",
            kinds={KINDS[file[file.rindex(".") :]]},
            description=describe("export"),
            metadata={STEP_TAG: "export"},
        )
        for file in graph.get("export").outputs
    ],
    partitions_def=MONTHLY,
    retry_policy=IO_RETRY,  # writes files: worth a retry
)
def export(context: dg.AssetExecutionContext):
    yield from materialize_step(context, "export")


gates = [quality_gates("export", "manifest")]
