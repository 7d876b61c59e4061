"""The purge flow executed by the harness: what ended more than N days ago goes (executions,
their logs, metrics and task files), what is recent stays."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

PURGE = "bottleneck_purge"
TINY = """
id: tiny
namespace: bottleneck
tasks:
  - id: work
    type: io.kestra.plugin.scripts.python.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - echo 'some work' > result.txt
      - echo '::{"metrics":[{"name":"n","type":"counter","value":1,"tags":{}}]}::'
"""


@pytest.fixture
def harness(fh, tmp_path, monkeypatch):
    """The kit's flows plus a tiny one in the same namespace (quicker to run than the monthly flow)."""
    flows = tmp_path / "flows"
    flows.mkdir()
    for path in fh.FLOWS.glob("*.yml"):
        (flows / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (flows / "tiny.yml").write_text(TINY, encoding="utf-8")
    monkeypatch.setattr(fh, "FLOWS", flows)
    return fh.Harness(env={"PATH": "/usr/bin:/bin"}, storage=tmp_path / "storage")


def test_purge_deletes_old_executions_logs_metrics_and_files_only(harness):
    old = harness.run("tiny", fire_triggers=False)
    recent = harness.run("tiny", fire_triggers=False)
    assert old.state == recent.state == "SUCCESS"
    harness.age(old, days=45)
    old_files, recent_files = list(old.storage), list(recent.storage)
    assert old_files and old.metrics and any(e["execution"] == old.id for e in harness.log_store)

    purge = harness.run(PURGE)  # the scheduled run: retention_days defaults to 30
    assert purge.state == "SUCCESS", [(r.task_id, r.stderr) for r in purge.task_runs]
    assert purge.outputs["purge_executions"] == {
        "executionsCount": 1,
        "logsCount": 0,
        "storagesCount": 1,
        "metricsCount": 1,
    }
    assert purge.outputs["purge_logs"]["count"] > 0
    assert old.id not in harness.executions and recent.id in harness.executions
    assert not any(f.exists() for f in old_files) and all(f.exists() for f in recent_files)
    assert not any(e["execution"] == old.id for e in harness.log_store)
    assert any(e["execution"] == recent.id for e in harness.log_store)


def test_retention_days_is_an_input(harness):
    ex = harness.run("tiny", fire_triggers=False)
    harness.age(ex, days=10)
    assert harness.run(PURGE).outputs["purge_executions"]["executionsCount"] == 0  # 10 days < 30
    assert harness.run(PURGE, {"retention_days": 7}).outputs["purge_executions"]["executionsCount"] == 1


def test_nightly_schedule_dates(fh):
    paris = ZoneInfo("Europe/Paris")
    dates = fh.schedule_dates(
        "0 2 * * *", "Europe/Paris", dt.datetime(2026, 10, 24, tzinfo=paris), dt.datetime(2026, 10, 27, tzinfo=paris)
    )
    assert [d.isoformat() for d in dates] == [
        "2026-10-24T02:00:00+02:00",
        "2026-10-25T02:00:00+02:00",
        "2026-10-26T02:00:00+01:00",
    ]
