"""The monthly job and its schedule: 09:00 on the 15th (Europe/Paris) processes the previous month."""

import dagster as dg

from bottleneck_core import config
from bottleneck_dagster.core_steps import MONTHLY

# Every asset of the reports and every quality gate (the warehouse has its own job), one partition (= one batch month) per run.
bottleneck_monthly = dg.define_asset_job(
    config.PIPELINE_NAME,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("warehouse"),
    partitions_def=MONTHLY,
    description="The whole BottleNeck pipeline for one month / Tout le pipeline pour un mois.",
)

# A schedule built from the partitioned job fills in the partition itself: the last COMPLETE
# month when it fires, so the run of 15 June processes May. Cron: core's config.MONTHLY_CRON.
minute, hour, day = (int(field) for field in config.MONTHLY_CRON.split()[:3])
monthly_schedule = dg.build_schedule_from_partitioned_job(
    bottleneck_monthly,
    minute_of_hour=minute,
    hour_of_day=hour,
    day_of_month=day,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
