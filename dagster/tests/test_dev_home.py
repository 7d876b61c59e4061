"""The native dev instance (dagster/home): what `DAGSTER_HOME=$PWD/dagster/home` gives the CLI and the UI."""

import shutil
from pathlib import Path

import dagster as dg

HOME = Path(__file__).resolve().parents[1] / "home"


def test_dev_home_sends_core_log_lines_to_the_event_log(tmp_path):
    shutil.copy(HOME / "dagster.yaml", tmp_path / "dagster.yaml")  # the instance writes SQLite files beside it
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        logs = instance.get_settings("python_logs")
        assert logs["managed_python_loggers"] == ["bottleneck"]
        assert logs["python_log_level"] == "INFO"
        assert instance.get_settings("telemetry") == {"enabled": False}
        assert not instance.is_ephemeral  # persistent: CLI runs stay for the UI to show


def test_dev_home_keeps_only_its_settings_in_git():
    ignore = (HOME / ".gitignore").read_text().split()
    assert ignore[-3:] == ["*", "!.gitignore", "!dagster.yaml"]
