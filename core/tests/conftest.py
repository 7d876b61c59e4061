from __future__ import annotations

import os
from pathlib import Path

import pytest

import bottleneck_core
from bottleneck_core.config import Paths
from bottleneck_core.runner import run_pipeline
from bottleneck_testkit import SAMPLE_MONTHS, sample_month

LAST = SAMPLE_MONTHS[-1]


@pytest.fixture(autouse=True)
def _own_environment():
    """Each test starts from the same BOTTLENECK_* variables: ``main(["--lang", "fr", ...])`` sets
    BOTTLENECK_LANG in this process, as the command line does, and must not change later tests."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("BOTTLENECK_")}
    yield
    for key in [k for k in os.environ if k.startswith("BOTTLENECK_")]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)


@pytest.fixture(scope="session", autouse=True)
def _commands_run_the_code_under_test():
    """A command a test starts (``bottleneck run`` in a subprocess) imports the bottleneck_core
    this process imported. They are the same package, except under ``make mutation``: mutmut puts
    its mutated copy first on this process's path only, so without this a subprocess would test
    the original code and a mutant only a command can notice would "survive"."""
    with pytest.MonkeyPatch.context() as patch:
        if "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", ""):  # not while mutmut maps tests
            patch.setenv("PYTHONPATH", str(Path(bottleneck_core.__file__).resolve().parents[1]), prepend=os.pathsep)
        yield


@pytest.fixture
def sources(tmp_path):
    """A private copy of the last sample month."""
    return sample_month(LAST, tmp_path)


@pytest.fixture
def paths(tmp_path, sources):
    return Paths.for_month(LAST, sources=sources, work_root=tmp_path / "work", output_root=tmp_path / "output")


@pytest.fixture(scope="session")
def finished(tmp_path_factory):
    """One complete run of the last sample month, shared by read-only tests."""
    root = tmp_path_factory.mktemp("finished")
    paths = Paths.for_month(
        LAST, sources=sample_month(LAST, root), work_root=root / "work", output_root=root / "output"
    )
    run_pipeline(paths)
    return paths
