"""The kit's Dagster definitions, for the Dagster exercises' checkers (run in .venvs/dagster)."""

from __future__ import annotations

import dagster as dg


def kit_defs() -> dg.Definitions:
    """The kit's Definitions, as `dagster dev -m bottleneck_dagster.definitions` loads them."""
    from bottleneck_dagster.definitions import defs

    return defs()


def materialize_month(defs: dg.Definitions, month: str, extra_checks=(), instance=None):
    """Every asset and every check of the kit (plus ``extra_checks``), one partition, in-process."""
    return dg.materialize([*defs.assets, *defs.asset_checks, *extra_checks], partition_key=month,
                          instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False)  # fmt: skip
