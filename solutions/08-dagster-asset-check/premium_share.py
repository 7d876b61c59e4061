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


@dg.asset_check(asset="premium", description=f"At most {MAX_SHARE:.0%} of the wines are premium.")
def premium_share(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    figures = summary.month_summary(month_paths(context))
    premium, ordinary = figures["premium_count"], figures["ordinary_count"]
    share = premium / (premium + ordinary)
    return dg.AssetCheckResult(
        passed=share <= MAX_SHARE,
        severity=dg.AssetCheckSeverity.WARN,  # a warning: the reports are still right, the threshold may not be
        metadata={"premium_count": premium, "ordinary_count": ordinary, "premium_share": dg.MetadataValue.float(share)},
    )
