"""The failure e-mail (written by core, from the recorded gate results), its sending over SMTP,
and the run statistics block."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import bottleneck_testkit as testing
from bottleneck_core import alerts, summary
from bottleneck_core.cli import main
from bottleneck_core.errors import GateFailed, PipelineError
from bottleneck_core.runner import run_pipeline


@pytest.fixture
def broken(paths, monkeypatch):
    """The last sample month with blank ERP prices: the run stops at clean_erp's gate."""
    for name in testing.OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    testing.break_prices(paths.sources)
    with pytest.raises(GateFailed):
        run_pipeline(paths)
    return paths


def test_failure_email_names_month_step_gate_message_and_link(broken):
    mail = alerts.failure_email("airflow", broken, "run-42", "http://localhost:8082/dags/x/runs/run-42", lang="en")
    assert mail["subject"] == f"🔴 BottleNeck {broken.month} FAILED at clean_erp / erp_prices_present (airflow)"
    assert (mail["step"], mail["gate"], mail["month"]) == ("clean_erp", "erp_prices_present", broken.month)
    text = mail["text"]
    assert "erp_prices_present" in text and "clean_erp" in text and "run-42" in text
    assert "http://localhost:8082/dags/x/runs/run-42" in text
    assert "price" in text.split("erp_prices_present", 1)[1], "the gate's own message follows its name"
    assert mail["to"] == alerts.DEFAULT_TO and mail["from"] == alerts.DEFAULT_FROM


def test_failure_email_in_french(broken, monkeypatch):
    monkeypatch.setenv("BOTTLENECK_LANG", "fr")
    mail = alerts.failure_email("dagster", broken, "abc")
    assert mail["subject"].startswith(f"🔴 BottleNeck {broken.month} ÉCHEC à clean_erp / erp_prices_present")
    assert "Étape en échec :" in mail["text"] and "interface de dagster" in mail["text"]


def test_a_step_that_failed_before_its_gates_is_named(paths):
    """A missing source: no gate ran, the first step without a result is named."""
    (paths.sources / "erp.xlsx").unlink()
    with pytest.raises(PipelineError):
        run_pipeline(paths)
    mail = alerts.failure_email("prefect", paths, "r1", lang="en")
    assert mail["step"].startswith("extract_") and mail["gate"] == "no gate result"


def test_send_email_delivers_to_a_real_smtp_server(broken, monkeypatch):
    with testing.SmtpReceiver() as inbox:
        for key, value in inbox.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("BOTTLENECK_ALERT_EMAIL_TO", "ops@bottleneck.test")
        mail = alerts.failure_email("prefect", broken, "r1", lang="en")
        assert alerts.send_email(mail) is True
        (got,) = inbox.wait(1, timeout=10)
    assert got["to"] == ["ops@bottleneck.test"] and got["from"] == alerts.DEFAULT_FROM
    assert got["subject"] == mail["subject"] and "erp_prices_present" in got["text"]


def test_no_email_without_an_smtp_host(broken, monkeypatch):
    monkeypatch.delenv("BOTTLENECK_SMTP_HOST", raising=False)
    assert alerts.send_email(alerts.failure_email("kestra", broken, "r1")) is False
    monkeypatch.setenv("BOTTLENECK_SMTP_HOST", "")
    assert alerts.send_email(alerts.failure_email("kestra", broken, "r1")) is False


def test_cli_alert_email_prints_the_json(broken):
    result = CliRunner().invoke(
        main,
        [
            "alert-email",
            "--tool",
            "kestra",
            "--run-id",
            "e1",
            "--run-url",
            "http://x/e1",
            *testing.month_options(broken),
        ],
    )
    assert result.exit_code == 0, result.output
    mail = json.loads(result.output)
    assert (
        mail["subject"].endswith("FAILED at clean_erp / erp_prices_present (kestra)") and "http://x/e1" in mail["text"]
    )


def test_run_statistics_block(finished):
    manifest = json.loads((finished.output / "manifest.json").read_text(encoding="utf-8"))
    text = summary.run_statistics(finished, started="2026-11-01T09:00:00+00:00", duration=12.5, lang="en")
    assert "Month:" in text and finished.month in text
    assert "Started:" in text and "2026-11-01 09:00:00 UTC" in text and "12.5 s" in text
    total = f"{float(manifest['revenue_total']):,.2f}\u00a0€"
    assert total in text
    assert f"{manifest['rows']['merged']:,}" in text.split("Rows merged:")[1].splitlines()[0]
    assert "revenue_report.xlsx" in text and "manifest.json" in text
    passed = sum(c["status"] == "passed" for c in manifest["checks"])
    warned = sum(c["status"] == "failed" and c["level"] == "warning" for c in manifest["checks"]) + 0
    export_gate = 1  # the manifest holds every gate before export's own, recorded in the work folder
    assert f"{passed + export_gate} passed, {warned} warned" in text


def test_run_statistics_in_french_and_derived_times(finished, monkeypatch):
    monkeypatch.setenv("BOTTLENECK_LANG", "fr")
    text = summary.run_statistics(finished)
    manifest = json.loads((finished.output / "manifest.json").read_text(encoding="utf-8"))
    euros, cents = f"{float(manifest['revenue_total']):.2f}".split(".")
    assert "Chiffre d'affaires total :" in text and f",{cents}\u00a0€" in text
    assert "inconnu" not in text, "start and duration come from the work folder when not given"


def test_cli_stats(finished):
    result = CliRunner().invoke(
        main,
        [
            "stats",
            *testing.month_options(finished),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("── BottleNeck run statistics ──") and "Revenue total:" in result.output


def test_stats_of_an_unfinished_month_is_a_clear_error(broken):
    result = CliRunner().invoke(
        main,
        [
            "stats",
            *testing.month_options(broken),
        ],
    )
    assert result.exit_code == 3 and "manifest.json" in result.output
