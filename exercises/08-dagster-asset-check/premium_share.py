"""Exercise 08: an asset check on `premium`, the wines whose price z-score is above the threshold.

A z-score split should leave few premium wines. The check `premium_share` warns when more than
MAX_SHARE of the month's wines are premium, and shows its figures as metadata in the UI.
Core does the counting: bottleneck_core.summary.month_summary(paths) has premium_count and
ordinary_count once the premium step has run; core_steps.month_paths(context) gives the paths.
"""

import dagster as dg

from bottleneck_core import summary
from bottleneck_dagster.core_steps import month_paths

MAX_SHARE = 0.10  # more than 10 % premium wines would mean the threshold no longer selects the top

# TODO (exercise 08): an asset check named premium_share on the asset "premium", returning an
# AssetCheckResult with metadata premium_count, ordinary_count and premium_share (a float).
