"""Core set-up for the core exercises' checkers (01–03, run in .venvs/core).

Every run happens on a private copy of a sample month in a temporary folder: the kit's own
``data/`` and ``core/`` are never written.
"""

from __future__ import annotations

import os
from pathlib import Path

# A threshold or folder set in the student's shell must not change what the checker sees.
for _name in (
    "BOTTLENECK_PREMIUM_Z",
    "BOTTLENECK_WORK_DIR",
    "BOTTLENECK_OUTPUT_DIR",
    "BOTTLENECK_ALERT_WEBHOOK",
    "BOTTLENECK_SMTP_HOST",
    "BOTTLENECK_MAX_UNMATCHED",
):
    os.environ.pop(_name, None)

MONTH = "2026-10"


def month_paths(root: Path, keep_reference: bool = True):
    """A private copy of the sample month under ``root``; its Paths (sources, work, output)."""
    import bottleneck_testkit as testing
    from bottleneck_core.config import Paths

    sources = testing.sample_month(MONTH, root)
    if not keep_reference:
        # reference.json holds the figures of the default threshold (2): another threshold differs.
        (sources / "reference.json").unlink(missing_ok=True)
    return Paths.for_month(MONTH, sources=sources, work_root=root / "work", output_root=root / "output")


def processed_month(root: Path):
    """The sample month run through the whole pipeline by core alone; its Paths."""
    from bottleneck_core.runner import run_pipeline

    paths = month_paths(root)
    run_pipeline(paths)
    return paths
