"""Prefect set-up for the Prefect exercises' checkers (run in .venvs/prefect), as prefect/tests does."""

from __future__ import annotations

import os
import tempfile

# Before Prefect is imported: a throw-away home (profiles, local storage), no telemetry.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="bottleneck-exercise-prefect-"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

from checklib import load_module, work_file  # noqa: E402


def flow_module(name: str):
    """The exercise's copy of prefect/flows/monthly_report.py, imported by path."""
    return load_module(work_file("monthly_report.py"), name)
