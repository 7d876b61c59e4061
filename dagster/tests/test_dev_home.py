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


def test_the_documented_one_month_command_runs_the_reports_only(tmp_path):
    """dagster/README.md's native command, as a student types it: `dg launch --job bottleneck_monthly
    --partition 2026-10 --config in_process.yaml` with DAGSTER_HOME set. `--assets '*'` would also pick the warehouse assets,
    which need PostgreSQL and S3: the README names the job instead."""
    import os
    import subprocess
    import sys

    from bottleneck_testkit import assert_same_outputs, core_outputs, sample_month

    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    shutil.copy(HOME / "dagster.yaml", home / "dagster.yaml")
    sources = sample_month("2026-10", data)
    readme = (HOME.parent / "README.md").read_text(encoding="utf-8")
    command = "dg launch --job bottleneck_monthly --partition 2026-10 --config in_process.yaml"
    assert command in readme
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTTLENECK_")}
    env |= {"DAGSTER_HOME": str(home), "BOTTLENECK_DATA_DIR": str(data)}
    dg_cli = Path(sys.executable).with_name("dg")
    done = subprocess.run(
        [str(dg_cli), *command.split()[1:]], cwd=HOME.parent, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert_same_outputs(core_outputs("2026-10", sources, tmp_path / "core"), data / "output" / "2026-10")
