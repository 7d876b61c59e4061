"""Shared fixtures: a private data folder per test, the project's Definitions."""

import pytest

import bottleneck_testkit as testing


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """tmp_path as BOTTLENECK_DATA_DIR: sources, work and output of the Dagster run all live there."""
    return testing.use_data_dir(tmp_path / "dagster", monkeypatch)


@pytest.fixture
def month():
    """A sample month in the middle of the partition set."""
    assert "2026-07" in testing.SAMPLE_MONTHS
    return "2026-07"


@pytest.fixture(scope="session")
def defs():
    from bottleneck_dagster.definitions import defs as lazy_defs

    return lazy_defs()
