"""Helpers shared by the test suites of core, of the four wrappers and of the exercises' checkers.

A package of its own (core/testkit), installed in every virtualenv of the kit by scripts/venv.sh
and never in the images: the pipeline package ships no test code.

- :func:`sample_month`: copy a committed sample month into a temporary folder;
- :func:`core_outputs`: run ``bottleneck run`` in-process, the parity reference;
- :func:`assert_same_outputs`: byte-for-byte comparison through the manifests' sha256;
- :func:`break_prices`: a broken input that must fail at the ``clean_erp`` gate;
- :class:`WebhookReceiver`: a tiny HTTP server on 127.0.0.1 that records alert POSTs;
- :class:`SmtpReceiver`: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps the e-mails it receives.
"""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bottleneck_core.config import Paths
from bottleneck_core.store import read_json

REPO = Path(__file__).resolve().parents[4]  # core/testkit/src/bottleneck_testkit/__init__.py
SAMPLES = REPO / "data" / "sources"
SAMPLE_MONTHS = tuple(sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())) if SAMPLES.is_dir() else ()


# The months every wrapper's suite runs and compares with core; scripts/parity.py fails when one of
# core, kestra, airflow, dagster, prefect has no manifest for one of them.
PARITY_MONTHS = ("2026-09", "2026-10")


def month_options(paths: Paths) -> list[str]:
    """The command-line options that name a month's folders, as every `bottleneck` command takes
    them: the month, its sources folder, and the roots of the work and output folders."""
    return [
        "--month",
        paths.month,
        "--sources",
        str(paths.sources),
        "--work",
        str(paths.work.parent),
        "--out",
        str(paths.output.parent),
    ]


def script(name: str):
    """``scripts/<name>.py`` as a module (the scripts folder is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bottleneck_{name}", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stack_smoke():
    """scripts/stack_smoke.py as a module: the trigger/wait/compare code the Docker workflow runs,
    which the native server tests run against their natively started servers."""
    return script("stack_smoke")


OVERRIDES = (
    "BOTTLENECK_WORK_DIR",
    "BOTTLENECK_OUTPUT_DIR",
    "BOTTLENECK_ALERT_WEBHOOK",
    "BOTTLENECK_PREMIUM_Z",
    "BOTTLENECK_SMTP_HOST",
    "BOTTLENECK_SMTP_PORT",
    "BOTTLENECK_ALERT_EMAIL_TO",
    "BOTTLENECK_ALERT_EMAIL_FROM",
)


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
    from bottleneck_core.runner import run_pipeline

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


class SmtpReceiver:
    """``with SmtpReceiver() as inbox:`` … ``inbox.env`` … ``inbox.wait(1)`` → list of received e-mails.

    A real SMTP server (aiosmtpd) on 127.0.0.1, on a free port. Each e-mail is a dict: ``from``,
    ``to`` (the envelope recipients), ``subject`` and ``text`` (the decoded plain-text body).
    ``inbox.env`` holds the kit's SMTP settings pointing at it. Any login is accepted, without
    TLS, as a development inbox such as Mailpit does.
    """

    def __init__(self):
        self.received: list[dict] = []
        self._arrived = threading.Condition()
        self.port = _free_port()
        self.env = {"BOTTLENECK_SMTP_HOST": "127.0.0.1", "BOTTLENECK_SMTP_PORT": str(self.port)}

    def __enter__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver._keep(envelope)
                return "250 OK"

        def accept_any_login(server, session, envelope, mechanism, auth_data):
            return AuthResult(success=True)

        self._controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, authenticator=accept_any_login, auth_require_tls=False
        )
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()

    def _keep(self, envelope) -> None:
        from email import message_from_bytes, policy

        mail = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = mail.get_body(preferencelist=("plain", "html"))
        item = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(mail["Subject"]),
            "text": body.get_content() if body is not None else "",
            "headers": dict(mail.items()),
        }
        with self._arrived:
            self.received.append(item)
            self._arrived.notify_all()

    def wait(self, count: int = 1, timeout: float = 30) -> list:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout)
        return list(self.received)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_database(name: str) -> str:
    """A fresh, empty database on the local PostgreSQL (127.0.0.1:5432, user postgres, trust auth).

    The database is named ``<name>_<pid>`` so that two test suites on one server never drop
    each other's database; those of test processes that have ended are dropped here. Returns its URL
    ``postgresql://postgres@127.0.0.1:5432/<name>_<pid>``. Skips the calling test with a clear
    reason when no server is reachable, except when ``CI`` is set to any non-empty value other
    than ``0``/``false``, where it fails: CI must run every test that needs PostgreSQL.
    """
    import os
    import socket

    import pytest

    from bottleneck_core.reports import pid_alive

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        reason = "PostgreSQL is not reachable on 127.0.0.1:5432"
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{reason}: CI must run this test")
        pytest.skip(reason)
    import psycopg  # core's own PostgreSQL driver: no psql binary needed

    # Databases left by earlier test processes that have ended are dropped; a live suite's are kept.
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as server:
        for (old,) in server.execute("SELECT datname FROM pg_database").fetchall():
            prefix, _, pid = old.rpartition("_")
            if prefix == name and pid.isdigit() and not pid_alive(int(pid)):
                server.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
        name = f"{name}_{os.getpid()}"
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def s3_server():
    """``with s3_server() as url:`` a real S3-compatible HTTP server (moto) on a free 127.0.0.1 port.

    It runs as a process from ``.venvs/core`` (moto's botocore cannot share the orchestrators'
    virtualenvs), so every wrapper's tests talk to S3 over HTTP, as they would to MinIO.
    """
    import contextlib
    import socket
    import subprocess
    import time

    @contextlib.contextmanager
    def server():
        moto = REPO / ".venvs" / "core" / "bin" / "moto_server"
        assert moto.exists(), f"{moto} missing: run `bash scripts/venv.sh core` (it installs core[s3server])"
        port = _free_port()
        process = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)

    return server()


def use_warehouse(monkeypatch, s3_url: str, database: str, bucket: str = "bottleneck") -> str:
    """Point the warehouse module at ``s3_url`` and a fresh local PostgreSQL database; return its URL."""
    url = postgres_database(database)
    for name, value in {
        "BOTTLENECK_S3_ENDPOINT": s3_url,
        "BOTTLENECK_S3_BUCKET": bucket,
        "BOTTLENECK_WAREHOUSE_URL": url,
    }.items():
        monkeypatch.setenv(name, value)
    return url


def reference_warehouse(months, output_root: Path, s3_url: str, database: str) -> str:
    """The canonical-dump sha256 of a warehouse loaded by core alone, month after month (the reference
    each orchestrator's warehouse must equal). Kept for the cross-venv parity check too."""
    from bottleneck_core.warehouse import db, runner
    from bottleneck_core.warehouse.settings import Settings

    settings = Settings(
        s3_url,
        f"reference-{database.replace('_', '-')}",
        "test",
        "test-secret",
        "us-east-1",
        postgres_database(database),
    )
    for month in months:
        runner.run_all(f"{month}-01", settings, output_root / month)
    with db.connect(settings.database_url) as conn:
        return db.dump_sha256(conn)


def keep_warehouse_for_parity(digest: str, months) -> None:
    """Record a warehouse dump's sha256 for ``scripts/parity.py`` (when ``BOTTLENECK_PARITY_DIR`` is set)."""
    import os
    import sys
    import uuid

    folder = os.environ.get("BOTTLENECK_PARITY_DIR")
    if folder:
        target = Path(folder) / ("warehouse-" + "+".join(months))
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{Path(sys.prefix).name}-{uuid.uuid4().hex[:8]}.sha256").write_text(digest + "\n")
