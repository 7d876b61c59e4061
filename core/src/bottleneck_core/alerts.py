"""Failure alerts: always a clear log line; a webhook POST too when ``BOTTLENECK_ALERT_WEBHOOK`` is set.

Each orchestrator calls :func:`send_alert` from its own failure hook (Prefect ``on_failure``,
Airflow ``on_failure_callback``, a Dagster run-failure sensor, a Kestra alert flow).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request

log = logging.getLogger("bottleneck.alerts")
ENV = "BOTTLENECK_ALERT_WEBHOOK"


def send_alert(tool: str, month: str | None, run: str, reason: str, url: str | None = None, timeout: float = 10) -> bool:
    """Log the failure and, when a webhook URL is configured, POST it as JSON.

    Returns True when a webhook accepted the alert. A webhook that cannot be reached is
    logged, never raised: the alert must not hide the failure it reports.
    """
    payload = {"tool": tool, "month": month, "run": run, "status": "failed", "reason": reason}
    log.error("BottleNeck ALERT: %s run %s for month %s failed: %s", tool, run, month, reason)
    url = url or os.environ.get(ENV)
    if not url:
        return False
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError as exc:
        log.error("BottleNeck ALERT: webhook %s unreachable: %s", url, exc)
        return False
