"""Exercise 09: materialise a range of monthly partitions, July to September 2026.

In the UI this is a backfill: select the `bottleneck_monthly` job's partitions 2026-07 to 2026-09
and launch. Here, the same thing from Python: one run per partition of the range, as Dagster's
default backfill policy does (one run per partition). Run it with .venvs/dagster/bin/python.
"""

import dagster as dg

from bottleneck_dagster.core_steps import MONTHLY
from bottleneck_dagster.definitions import defs

FIRST, LAST = "2026-07", "2026-09"


def months() -> list[str]:
    """The partition keys from FIRST to LAST, as the partitions definition lists them."""
    return MONTHLY.get_partition_keys_in_range(dg.PartitionKeyRange(FIRST, LAST))


def materialize_range(instance: dg.DagsterInstance) -> dict[str, dg.ExecuteInProcessResult]:
    """One in-process run of the monthly job per month of the range; the results by month."""
    job = defs().resolve_job_def("bottleneck_monthly")
    return {
        month: job.execute_in_process(partition_key=month, instance=instance, raise_on_error=False)
        for month in months()
    }


if __name__ == "__main__":
    with dg.DagsterInstance.get() as instance:  # DAGSTER_HOME's instance: the UI shows the runs
        for month, result in materialize_range(instance).items():
            print(month, "success" if result.success else "FAILED")
