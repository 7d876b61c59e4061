"""Helpers shared by the test suites of core and of the four wrappers (each in its own venv).

- :func:`sample_month`: copy a committed sample month into a temporary folder;
- :func:`core_outputs`: run ``bottleneck run`` in-process, the parity reference;
- :func:`assert_same_outputs`: byte-for-byte comparison through the manifests' sha256;
- :func:`break_prices`: a broken input that must fail at the ``clean_erp`` gate;
- :class:`WebhookReceiver`: a tiny HTTP server on 127.0.0.1 that records alert POSTs.
"""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .config import Paths
from .store import read_json

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "data" / "sources"
SAMPLE_MONTHS = tuple(sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())) if SAMPLES.is_dir() else ()


# The months every wrapper's suite runs and compares with core; scripts/parity.py fails when one of
# core, kestra, airflow, dagster, prefect has no manifest for one of them.
PARITY_MONTHS = ("2026-09", "2026-10")


def stack_smoke():
    """scripts/stack_smoke.py as a module: the trigger/wait/compare code the Docker workflow runs,
    which the native server tests run against their natively started servers."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bottleneck_stack_smoke", REPO / "scripts" / "stack_smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OVERRIDES = ("BOTTLENECK_WORK_DIR", "BOTTLENECK_OUTPUT_DIR", "BOTTLENECK_ALERT_WEBHOOK", "BOTTLENECK_PREMIUM_Z")


def use_data_dir(root: Path, monkeypatch) -> Path:
    """Make ``root`` the kit's data folder for one test (sources, work and output all under it),
    free of any override or alert webhook set in the developer's own environment."""
    root.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("BOTTLENECK_DATA_DIR", str(root))
    for name in OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    return root


def sample_month(month: str, dest: Path) -> Path:
    """A private copy of sample month ``month`` (with its reference.json) under ``dest``."""
    target = dest / "sources" / month
    shutil.copytree(SAMPLES / month, target)
    return target


def core_outputs(month: str, sources: Path, root: Path) -> Path:
    """Run the whole pipeline with core alone; return the month's output folder."""
    from .runner import run_pipeline

    paths = Paths.for_month(month, sources=sources, work_root=root / "work", output_root=root / "output")
    run_pipeline(paths)
    return paths.output


def assert_same_outputs(expected: Path, actual: Path) -> None:
    """Both output folders hold byte-identical reports and manifests.

    When ``BOTTLENECK_PARITY_DIR`` is set (``scripts/test.sh`` sets it), the manifests are also
    kept there, so that the manifests written in every orchestrator's virtualenv can be
    compared with each other at the end of the suite (``scripts/parity.py``).
    """
    a, b = read_json(expected / "manifest.json"), read_json(actual / "manifest.json")
    assert a["outputs"] == b["outputs"], f"report files differ:\n{a['outputs']}\n{b['outputs']}"
    assert (expected / "manifest.json").read_bytes() == (actual / "manifest.json").read_bytes(), "manifests differ"
    _keep_for_parity(actual / "manifest.json", a["month"])


def _keep_for_parity(manifest: Path, month: str) -> None:
    import os
    import sys
    import uuid

    folder = os.environ.get("BOTTLENECK_PARITY_DIR")
    if folder:
        venv = Path(sys.prefix).name  # core, kestra, airflow, dagster or prefect
        target = Path(folder) / month
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(manifest, target / f"{venv}-{uuid.uuid4().hex[:8]}.json")


def break_prices(sources: Path) -> None:
    """Blank every ERP price: the ``erp_prices_present`` gate after ``clean_erp`` must stop the run."""
    from openpyxl import load_workbook

    path = sources / "erp.xlsx"
    book = load_workbook(path)
    sheet = book.worksheets[0]
    column = [c.value for c in sheet[1]].index("price") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column).value = None
    book.save(path)


class WebhookReceiver:
    """``with WebhookReceiver() as hook:`` … ``hook.url`` … ``hook.wait(1)`` → list of JSON bodies."""

    def __init__(self):
        received = self.received = []
        arrived = self._arrived = threading.Condition()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with arrived:
                    received.append(json.loads(body or b"null"))
                    arrived.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/alert"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def wait(self, count: int = 1, timeout: float = 30) -> list:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return list(self.received)


def postgres_database(name: str) -> str:
    """A fresh, empty database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth).

    The database is named ``<name>_<pid>`` so that two test suites on one server never drop
    each other's database; it is dropped again when the test process ends. Returns its URL
    ``postgresql://postgres@127.0.0.1:5432/<name>_<pid>``. Skips the calling test with a clear
    reason when no server is reachable, except when ``CI`` is set to any non-empty value other
    than ``0``/``false``, where it fails: CI must run every test that needs PostgreSQL.
    """
    import os
    import socket
    import subprocess

    import pytest

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        reason = "PostgreSQL is not reachable on 127.0.0.1:5432"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{reason}: CI must run this test")
        pytest.skip(reason)
    import atexit

    name = f"{name}_{os.getpid()}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run([*psql, "-c", drop, "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True)
    atexit.register(subprocess.run, [*psql, "-c", drop], capture_output=True)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"
