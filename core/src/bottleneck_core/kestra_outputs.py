"""Publish a step's facts to Kestra: task outputs and metrics, shown in its UI.

The CLI calls :func:`emit` after ``bottleneck step`` and ``bottleneck check`` when the
environment variable ``BOTTLENECK_KESTRA_OUTPUTS`` is set (the Kestra kit image sets it).
The ``kestra`` Python library prints each message as a ``::{json}::`` line on stdout, which
the Kestra worker turns into ``outputs.<task>.vars.*`` and task metrics. The library is
imported lazily: core works without it, and says so once if it is missing.
"""

from __future__ import annotations

import logging

log = logging.getLogger("bottleneck.kestra")


def _kestra():
    try:
        from kestra import Kestra
    except ImportError:
        log.warning("BOTTLENECK_KESTRA_OUTPUTS is set but the `kestra` library is not installed: no Kestra outputs.")
        return None
    return Kestra


def step_outputs(facts: dict) -> dict:
    """The task outputs of one step: its row counts, and the revenue total / premium count when it has them."""
    from .summary import step_figures

    return {"step": facts["step"], **step_figures(facts)}


def check_outputs(facts: dict) -> dict:
    """The task outputs of one gate: each check's status, and how many passed or failed."""
    checks = facts["checks"]
    return {
        "step": facts["step"],
        "checks": {c["name"]: c["status"] for c in checks},
        "checks_passed": sum(c["status"] == "passed" for c in checks),
        "checks_failed": sum(c["status"] == "failed" for c in checks),
    }


def emit(facts: dict) -> None:
    """Send ``facts`` (from ``bottleneck step`` or ``bottleneck check``) as Kestra outputs and metrics."""
    kestra = _kestra()
    if kestra is None:
        return
    step = facts["step"]
    if "checks" in facts:
        outputs = check_outputs(facts)
        kestra.outputs(outputs)
        kestra.counter("checks_passed", outputs["checks_passed"], {"step": step})
        kestra.counter("checks_failed", outputs["checks_failed"], {"step": step})
        return
    outputs = step_outputs(facts)
    kestra.outputs(outputs)
    for table, count in outputs["rows"].items():
        kestra.counter("rows", count, {"step": step, "table": table})
    if "revenue_total" in outputs:
        kestra.gauge("revenue_total", float(outputs["revenue_total"]), {"step": step})
    if "premium_count" in outputs:
        kestra.counter("premium_count", outputs["premium_count"], {"step": step})


def emit_email(message: dict) -> None:
    """Send a failure e-mail (``bottleneck alert-email``) and the SMTP settings as Kestra outputs:
    the alert flow's mail task reads them; ``send`` is false when no SMTP host is configured."""
    from .alerts import smtp_host, smtp_port

    kestra = _kestra()
    if kestra is None:
        return
    kestra.outputs(
        {
            "subject": message["subject"],
            "text": message["text"],
            "to": message["to"],
            "from": message["from"],
            "send": bool(smtp_host()),
            "smtp_host": smtp_host() or "",
            "smtp_port": smtp_port(),
        }
    )
