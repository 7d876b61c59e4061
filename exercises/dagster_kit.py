"""The kit's Dagster definitions, for the Dagster exercises' checkers (run in .venvs/dagster)."""

from __future__ import annotations

import dagster as dg


def kit_defs() -> dg.Definitions:
    """The kit's Definitions, as `dagster dev -m bottleneck_dagster.definitions` loads them."""
    from bottleneck_dagster.definitions import defs

    return defs()


def materialize_month(defs: dg.Definitions, month: str, extra_checks=(), instance=None):
    """Every report asset and every check of the kit (plus ``extra_checks``), one partition, in-process.
    The warehouse assets (group ``warehouse``) need S3 and PostgreSQL: they have their own job."""
    assets = [a for a in defs.assets if "warehouse" not in a.group_names_by_key.values()]
    return dg.materialize(
        [*assets, *defs.asset_checks, *extra_checks],
        partition_key=month,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
