import json

from click.testing import CliRunner

from bottleneck_core import graph
from bottleneck_core.cli import main
from bottleneck_testkit import month_options

from .conftest import LAST


def invoke(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_run_prints_a_summary_and_where_the_reports_are(paths):
    result = invoke("run", *month_options(paths))
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((paths.output / "manifest.json").read_text())
    assert f"Revenue total: {manifest['revenue_total']} €" in result.stdout
    assert str(paths.output / "revenue_report.xlsx") in result.stdout
    assert "✓ extract_erp" in result.stderr


def test_run_in_french(paths):
    result = invoke("--lang", "fr", "run", *month_options(paths))
    assert (
        result.exit_code == 0
        and "Chiffre d'affaires total" in result.stdout
        and "Rapports écrits dans" in result.stdout
    )


def test_run_json_is_the_manifest(paths):
    result = invoke("run", *month_options(paths), "--json")
    data = json.loads(result.stdout)
    assert data["output"] == str(paths.output) and data["month"] == LAST and data["outputs"]


def test_french_error_comes_first_with_lang_fr(paths):
    (paths.sources / "erp.xlsx").unlink()
    result = invoke("run", *month_options(paths), env={"BOTTLENECK_LANG": "fr"})
    assert result.exit_code == 2
    assert result.stderr.index("Fichier source manquant") < result.stderr.index("Missing source file")


def test_step_and_check_json(paths):
    result = invoke("step", "extract_erp", *month_options(paths), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["rows"]["erp_raw"] > 0
    result = invoke("check", "extract_erp", *month_options(paths), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["name"] == "erp_raw_has_rows"


def test_check_exits_1_when_a_gate_fails(paths):
    from bottleneck_testkit import break_prices

    break_prices(paths.sources)
    invoke("step", "extract_erp", *month_options(paths))
    invoke("step", "clean_erp", *month_options(paths))
    result = invoke("check", "clean_erp", *month_options(paths))
    assert result.exit_code == 1 and "erp_prices_present" in result.stderr


def test_invalid_month_and_unknown_step():
    result = invoke("run", "--month", "2026-13")
    assert result.exit_code == 5 and "expected YYYY-MM" in result.stderr and "AAAA-MM" in result.stderr
    assert invoke("step", "transmogrify", "--month", LAST).exit_code == 5


def test_steps_prints_the_graph():
    data = json.loads(invoke("steps").stdout)
    assert [s["name"] for s in data["steps"]] == [s.name for s in graph.STEPS]
    assert data["steps"][9]["upstream"] == ["dedup_erp", "dedup_link", "dedup_web"]


def test_lineage_prints_mermaid_and_writes_drawio(tmp_path):
    result = invoke("lineage", "--drawio", tmp_path / "l.drawio")
    assert result.stdout.startswith("flowchart LR") and (tmp_path / "l.drawio").read_text().startswith("<mxfile")


def test_generate_data_writes_months_with_reference_values(tmp_path):
    result = invoke("generate-data", "--out", tmp_path, "--months", 2, "--first", "2025-12")
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025-12", "2026-01"]
    assert sorted(p.name for p in (tmp_path / "2026-01").iterdir()) == [
        "erp.xlsx",
        "liaison.xlsx",
        "reference.json",
        "web.xlsx",
    ]


def test_a_bad_threshold_in_the_environment_is_explained(paths):
    result = invoke("run", *month_options(paths), env={"BOTTLENECK_PREMIUM_Z": "deux"})
    assert result.exit_code == 5 and "BOTTLENECK_PREMIUM_Z='deux' is not a number" in result.stderr
