"""Fixtures of the Kestra wrapper's tests. The harness module is loaded by path: kestra/ is not a
package (and must not be: `kestra` is also the name of Kestra's Python library)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _load(name: str, filename: str):
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / filename)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


flow_harness = _load("bottleneck_kestra_flow_harness", "flow_harness.py")
# The same name as test_flows_structure.py gives it when the exercises load that file alone.
kestra_validator = _load("bottleneck_kestra_validator", "kestra_validator.py")


@pytest.fixture(scope="session")
def fh():
    """The flow harness module (a stand-in for a Kestra 1.3 executor)."""
    return flow_harness


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private data folder: sources, work and output all live under it."""
    from bottleneck_testkit import use_data_dir

    return use_data_dir(tmp_path / "data", monkeypatch)


@pytest.fixture
def real_kestra_library(monkeypatch):
    """The real `kestra` library in this process.

    pytest's importlib mode registers this folder's parents as modules named `kestra` and
    `kestra.tests`, which shadows Kestra's Python library (a module also called `kestra`).
    The flows run `bottleneck` in subprocesses and never see this; in-process tests do.
    """
    for name in [n for n in sys.modules if n == "kestra" or n.startswith("kestra.")]:
        monkeypatch.delitem(sys.modules, name)
    import kestra

    assert kestra.__file__ and kestra.__file__.endswith("kestra.py"), kestra
    return kestra
