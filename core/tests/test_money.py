"""money_text and the summary's verdict: what students read in the four UIs."""

from decimal import Decimal

import pytest

from bottleneck_core.summary import money_text, summary_markdown, verdict


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        ("87428.7", "en", "87,428.70\u00a0€"),
        ("87428.7", "fr", "87\u202f428,70\u00a0€"),
        (Decimal("0.005"), "en", "0.01\u00a0€"),  # half up, from the exact decimal
        (70568.6, "en", "70,568.60\u00a0€"),  # a float goes through its shortest text, not its binary value
        ("-12", "fr", "-12,00\u00a0€"),
    ],
    ids=["en", "fr", "half up", "float", "negative"],  # ASCII ids: mutmut hands them back to pytest
)
def test_money_text_has_two_decimals_and_the_euro_sign(value, lang, text):
    assert money_text(value, lang) == text


def check(name, step, level="error", status="passed"):
    return {
        "name": name,
        "step": step,
        "level": level,
        "status": status,
        "message_en": f"{name} says no",
        "message_fr": f"{name} dit non",
    }


def test_a_failed_run_leads_with_the_gate_that_stopped_it(monkeypatch):
    monkeypatch.setenv("BOTTLENECK_LANG", "en")
    checks = [check("erp_rows", "extract_erp"), check("erp_prices_present", "clean_erp", status="failed")]
    summary = {"month": "2026-10", "rows": {"erp_raw": 3}, "checks": checks}
    assert verdict(summary) == "❌ stopped at check_clean_erp: erp_prices_present — erp_prices_present says no"
    text = summary_markdown(summary)
    assert text.index("❌ stopped at check_clean_erp") < text.index("| table | rows |")
    assert text.index("| erp_prices_present |") < text.index("| erp_rows |")  # failed checks first
    monkeypatch.setenv("BOTTLENECK_LANG", "fr")
    assert verdict(summary).startswith(
        "❌ arrêtée au contrôle check_clean_erp : erp_prices_present — erp_prices_present dit non"
    )


def test_a_good_run_says_so_and_shows_money_as_text(monkeypatch):
    monkeypatch.setenv("BOTTLENECK_LANG", "en")
    checks = [check("a", "merge"), check("b", "revenue", level="warning", status="failed")]
    summary = {"month": "2026-10", "rows": {}, "checks": checks, "revenue_total": "87428.7"}
    assert verdict(summary) == "⚠️ finished with 1 warning(s): b"
    assert "87,428.70\u00a0€" in summary_markdown(summary)
    summary["checks"] = checks[:1]
    assert verdict(summary) == "✅ all 1 checks passed"
