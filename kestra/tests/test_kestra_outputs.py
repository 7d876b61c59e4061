"""core's kestra_outputs.emit: the facts of `bottleneck step` / `check` become Kestra outputs and metrics."""

from __future__ import annotations

import builtins
import json
import subprocess
import sys

from bottleneck_core import kestra_outputs


def test_step_facts_become_outputs_and_metrics(capsys, fh, real_kestra_library):
    kestra_outputs.emit({"step": "premium", "rows": {"premium": 12, "ordinary": 700}, "threshold": 2.0})
    outputs, metrics = fh.read_kestra_lines(capsys.readouterr().out)
    assert outputs == {
        "step": "premium",
        "rows": {"premium": 12, "ordinary": 700},
        "premium_count": 12,
        "ordinary_count": 700,
    }
    assert {(m["name"], m["type"], m["value"]) for m in metrics} == {
        ("rows", "counter", 12),
        ("rows", "counter", 700),
        ("premium_count", "counter", 12),
    }


def test_revenue_total_is_an_output_and_a_gauge(capsys, fh, real_kestra_library):
    kestra_outputs.emit({"step": "revenue", "rows": {"revenue": 3}, "revenue_total": "10.50"})
    outputs, metrics = fh.read_kestra_lines(capsys.readouterr().out)
    assert outputs["revenue_total"] == "10.50"
    assert {"name": "revenue_total", "type": "gauge", "value": 10.5, "tags": {"step": "revenue"}} in metrics


def test_check_results_become_outputs_and_counters(capsys, fh, real_kestra_library):
    checks = [{"name": "a", "status": "passed"}, {"name": "b", "status": "failed"}, {"name": "c", "status": "skipped"}]
    kestra_outputs.emit({"step": "clean_erp", "checks": checks})
    outputs, metrics = fh.read_kestra_lines(capsys.readouterr().out)
    assert outputs == {
        "step": "clean_erp",
        "checks": {"a": "passed", "b": "failed", "c": "skipped"},
        "checks_passed": 1,
        "checks_failed": 1,
    }
    assert {(m["name"], m["value"]) for m in metrics} == {("checks_passed", 1), ("checks_failed", 1)}


def test_without_the_kestra_library_core_still_works(capsys, monkeypatch, caplog, real_kestra_library):
    real_import = builtins.__import__

    def no_kestra(name, *args, **kwargs):
        if name == "kestra":
            raise ImportError("no kestra here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_kestra)
    kestra_outputs.emit({"step": "merge", "rows": {"merged": 1}})
    assert capsys.readouterr().out == ""
    assert "not installed" in caplog.text


def test_core_imports_no_kestra_unless_asked(tmp_path):
    code = "import sys, bottleneck_core.cli, bottleneck_core.runner; print('kestra' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().lower()) is False
