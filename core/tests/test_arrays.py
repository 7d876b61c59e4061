"""Arrow arrays built from buffers equal what ``pyarrow.array`` builds, and import no pandas."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pyarrow as pa
import pytest

import bottleneck_testkit as testing
from bottleneck_core import sources
from bottleneck_core.arrays import build

CASES = {  # ASCII ids: mutmut passes them back to pytest, which cannot find an escaped one ("\\xe2")
    "texts": (pa.string(), ["a", None, "Château", "", "x" * 300]),
    "texts all empty": (pa.string(), [None, None]),
    "integers": (pa.int64(), [1, None, -(2**62), 0, 2**62]),
    "flags": (pa.bool_(), [True, False, None, True, True, False, False, False, True]),
    "money": (pa.decimal128(18, 2), [Decimal("24.20"), None, Decimal("-8.00"), Decimal("999999.99"), Decimal("0.01")]),
    "no value": (pa.int64(), []),
}


@pytest.mark.parametrize(("kind", "values"), CASES.values(), ids=CASES.keys())
def test_build_equals_pyarrow_array(kind, values):
    built = build(values, kind)
    built.validate(full=True)
    assert built.equals(pa.array(values, kind)) and built.to_pylist() == values


@pytest.mark.parametrize(("kind", "values"), CASES.values(), ids=CASES.keys())
def test_build_never_calls_pyarrow_array_for_the_sources_types(monkeypatch, kind, values):
    """pyarrow.array would import pandas: the four types are laid out from their buffers."""
    expected = pa.array(values, kind)

    def refused(*args, **kwargs):
        raise AssertionError("pyarrow.array called")

    monkeypatch.setattr(pa, "array", refused)
    assert build(values * 100, kind).to_pylist() == expected.to_pylist() * 100  # past a few kilobytes of text


def test_other_types_go_through_pyarrow_array():
    assert build([1.5, None], pa.float64()).equals(pa.array([1.5, None], pa.float64()))


def test_money_is_exact_decimals_with_cents():
    assert sources.arrow_type("money") == pa.decimal128(18, 2)


def test_reading_a_source_imports_no_pandas():
    code = (
        "import sys; from pathlib import Path; from bottleneck_core import sources, store; import bottleneck_testkit as testing\n"
        "table, _ = sources.extract(testing.SAMPLES / testing.SAMPLE_MONTHS[-1], 'web')\n"
        "assert table.num_rows > 1000\n"
        "print('pandas' in sys.modules, 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_steps_command_imports_no_heavy_library():
    code = (
        "import sys\nfrom bottleneck_core.cli import main\n"
        "try:\n    main(['steps'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'rich', 'numpy') if m in sys.modules), file=sys.stderr)"
    )
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    assert err.strip() == "[]"


def test_sql_step_and_gate_processes_import_no_arrow_pandas_nor_rich(tmp_path):
    """A process-per-task run starts 26 processes: a SQL step or gate runs in DuckDB alone."""
    from bottleneck_core.config import Paths
    from bottleneck_core.runner import run_step

    paths = Paths.for_month(
        testing.SAMPLE_MONTHS[-1],
        sources=testing.SAMPLES / testing.SAMPLE_MONTHS[-1],
        work_root=tmp_path / "work",
        output_root=tmp_path / "out",
    )
    run_step("extract_erp", paths)
    options = testing.month_options(paths)
    for command in (["step", "clean_erp"], ["check", "clean_erp"], ["step", "dedup_erp"], ["check", "dedup_erp"]):
        code = (
            "import sys\nfrom bottleneck_core.cli import main\n"
            f"try:\n    main({command + options!r})\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'rich') if m in sys.modules), file=sys.stderr)"
        )
        err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
        assert err.strip().splitlines()[-1] == "[]", (command, err)
