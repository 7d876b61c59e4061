"""Quality gates, in the spirit of dbt tests: a named query that returns the offending rows.

Most gates are one file each, ``sql/gates/<gate>.sql``::

    -- level: warning
    -- en: erp_clean: {count} negative price(s): {rows}
    -- fr: erp_clean : {count} prix négatif(s) : {rows}
    SELECT product_id, price FROM 'erp_clean.parquet' WHERE price < 0 ORDER BY product_id;

No row means the gate passes. The message shows the first offending rows (``{rows}``; ``{keys}``
is their first column; ``{count}`` how many there are). An optional second statement returns
one row of facts for the message (``{raw}``, ``{clean}``...). Optional ``-- hint_en:`` /
``-- hint_fr:`` lines are appended to the message when the gate fails.

A gate that needs Python is one function decorated with :func:`gate` below; it returns
``(verdict, evidence)`` (verdict None means skipped). Either way, attach the gate's name to its
step in ``graph.py``. A check never decides what a failure does: the runner stops on a failed
``error`` gate and only logs a failed ``warning``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib import resources

from .config import Paths
from .errors import PipelineError

ERROR, WARNING = "error", "warning"
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
SHOW = 10  # how many offending rows a message lists

#: Default largest share of products without a partner at the merge (each side), see
#: gate merged_unmatched_share; BOTTLENECK_MAX_UNMATCHED or ``--max-unmatched`` change it.
DEFAULT_MAX_UNMATCHED = 0.05


def max_unmatched_from_env() -> float:
    """``BOTTLENECK_MAX_UNMATCHED`` (a share between 0 and 1, e.g. 0.05, or a percentage '5%')."""
    value = os.environ.get("BOTTLENECK_MAX_UNMATCHED", "").strip()
    if not value:
        return DEFAULT_MAX_UNMATCHED
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        share = math.nan
    if not 0 <= share <= 1:  # also refuses nan
        raise PipelineError(
            en=f"BOTTLENECK_MAX_UNMATCHED={value!r}: expected a share between 0 and 1 (e.g. 0.05) or a percentage (e.g. 5%).",
            fr=f"BOTTLENECK_MAX_UNMATCHED={value!r} : une part entre 0 et 1 (par ex. 0.05) ou un pourcentage (par ex. 5%) est attendu.",
        )
    return share


class Tables:
    """A month's work tables: a DuckDB connection for the SQL gates, Arrow tables for the rest."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self._cache: dict = {}
        self._con = None

    def __getitem__(self, name: str):
        if name not in self._cache:
            from .store import read_arrow

            self._cache[name] = read_arrow(self.paths.table(name))
        return self._cache[name]

    def facts(self, step: str) -> dict:
        from .store import read_json

        return read_json(self.paths.facts_file(step))

    def variables(self) -> dict:
        """The SQL variables the gates may read: the premium threshold, the unmatched limit."""
        values = {"max_unmatched": max_unmatched_from_env()}
        if self.paths.facts_file("premium").exists():
            values["threshold"] = float(self.facts("premium")["threshold"])
        return values

    @property
    def con(self):
        if self._con is None:
            from . import duck

            self._con = duck.connect(self.paths.work, self.variables())
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    en: str  # message template, filled from the evidence
    fr: str
    test: Callable[[Tables], tuple[bool | None, dict]] | None = None  # a Python gate
    sql: str | None = None  # an SQL gate: offending rows [; one row of facts]
    hint_en: str = ""  # appended to the message on failure
    hint_fr: str = ""


@dataclass
class CheckResult:
    name: str
    step: str
    level: str
    status: str
    message_en: str
    message_fr: str
    evidence: dict = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.level == ERROR and self.status == FAILED

    def to_dict(self) -> dict:
        return asdict(self)


def recorded_results(paths: Paths, step: str) -> list[CheckResult] | None:
    """The gate results last recorded for ``step`` of this month, or None if it has none."""
    from .store import read_json

    path = paths.checks_file(step)
    return [CheckResult(**r) for r in read_json(path)] if path.exists() else None


# --- evaluating a gate --------------------------------------------------------------


def _plain(value):
    """A JSON-safe value, the same text in every venv (Decimal as text, floats as repr)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _text(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return str(value)


def _row_text(row: dict) -> str:
    """``4954 (price -20.00, stock_quantity 3)``: the first column, then the others."""
    values = list(row.items())
    head = _text(values[0][1])
    rest = ", ".join(f"{k} {_text(v)}" for k, v in values[1:])
    return f"{head} ({rest})" if rest else head


def _shown(items: list[str], count: int) -> str:
    if not items:
        return "-"
    return "; ".join(items) + (f" (+{count - len(items)})" if count > len(items) else "")


def _split_sql(text: str) -> tuple[dict, list[str]]:
    """Header fields (``-- key: value``) and the statements of a gate file."""
    header, body = {}, []
    for line in text.splitlines():
        key, sep, value = line[3:].partition(":") if line.startswith("-- ") else ("", "", "")
        if sep and key in ("level", "en", "fr", "hint_en", "hint_fr") and not body:
            header[key] = value.strip()
        else:
            body.append(line)
    code = "\n".join(line for line in body if not line.strip().startswith("--"))  # comments may hold ';'
    return header, [s.strip() for s in code.split(";") if s.strip()]


def _sql_test(check: Check, t: Tables) -> tuple[bool, dict]:
    from . import duck

    where = duck.sql_path("gates", check.name)
    statements = _split_sql(check.sql)[1]
    first, count = duck.first_rows(t.con, statements[0], where, SHOW)
    evidence = {"count": count, "rows": _plain(first)}
    if len(statements) > 1:
        facts = duck.first_rows(t.con, statements[1], where, 1)[0]
        clash = set(facts[0] if facts else ()) & {"count", "rows", "keys"}
        if clash:
            raise ValueError(f"{where}: facts may not be named {', '.join(sorted(clash))}")
        evidence.update(_plain(facts[0]) if facts else {})
    return count == 0, evidence


def evaluate(check: Check, step: str, tables: Tables) -> CheckResult:
    if check.sql is not None:
        verdict, evidence = _sql_test(check, tables)
        rows = evidence["rows"]
        shown = {
            **{k: _text(v) for k, v in evidence.items()},
            "rows": _shown([_row_text(r) for r in rows], evidence["count"]),
            "keys": _shown([_text(next(iter(r.values()))) for r in rows], evidence["count"]),
        }
    else:
        verdict, evidence = check.test(tables)
        shown = {key: _show(value) for key, value in evidence.items()}
    status = SKIPPED if verdict is None else PASSED if verdict else FAILED
    en, fr = check.en.format(**shown), check.fr.format(**shown)
    if status == FAILED and check.hint_en:
        en, fr = f"{en}. {check.hint_en}", f"{fr}. {check.hint_fr}"
    return CheckResult(check.name, step, check.level, status, en, fr, evidence)


def _show(value):
    if isinstance(value, (list, tuple)):
        head = ", ".join(str(v) for v in value[:SHOW])
        return head + (f" (+{len(value) - SHOW})" if len(value) > SHOW else "") if value else "-"
    return value


# --- the registry: every SQL file of sql/gates, plus the Python gates below ----------

REGISTRY: dict[str, Check] = {}


def _load_sql_gates() -> None:  # pragma: no mutate block (runs at import: see docs/testing.md)
    folder = resources.files("bottleneck_core") / "sql" / "gates"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".sql"):
            continue
        name = entry.name[: -len(".sql")]
        REGISTRY[name] = sql_gate(name, entry.read_text(encoding="utf-8"))


def sql_gate(name: str, text: str) -> Check:  # pragma: no mutate block (runs at import)
    """The gate a ``sql/gates/<name>.sql`` file defines: its header lines, then its SQL."""
    header = _split_sql(text)[0]
    return Check(
        name,
        header["level"],
        header["en"],
        header["fr"],
        sql=text,
        hint_en=header.get("hint_en", ""),
        hint_fr=header.get("hint_fr", ""),
    )


def gate(name: str, level: str, en: str, fr: str):  # pragma: no mutate block (runs at import)
    """Register a Python gate: ``@gate(name, level, en, fr)`` over ``def test(t) -> (verdict, evidence)``."""

    def register(test: Callable[[Tables], tuple[bool | None, dict]]):
        if name in REGISTRY:
            raise ValueError(f"gate {name!r} defined twice")
        REGISTRY[name] = Check(name, level, en, fr, test=test)
        return test

    return register


_load_sql_gates()


def _z_scores(t: Tables) -> list[float]:
    rows = t.con.sql("SELECT z_score FROM 'premium.parquet' UNION ALL SELECT z_score FROM 'ordinary.parquet'")
    return [z for (z,) in rows.fetchall()]


def _price_spread(t: Tables) -> tuple[int, float, float, str]:
    """Count, mean, std of the merged prices (exact sums), and the one price if all are equal."""
    from .transforms import price_sums, stats_from_sums

    n, total, squares = price_sums(t.paths.work)
    mean, std = stats_from_sums(n, total, squares)
    (low, high) = t.con.execute("SELECT min(price), max(price) FROM 'merged.parquet'").fetchone()
    return n, mean, std, str(low) if low == high else ""


@gate("zscore_standardised", ERROR, "z-scores: {status}", "z-scores : {status_fr}")
def _zscore_standardised(t: Tables):
    n, _, std, single = _price_spread(t)
    if n < 2 or not std > 0:
        what = f"only {n} product" if n < 2 else f"all {n} prices are equal ({single} €)"
        what_fr = f"{n} seul produit" if n < 2 else f"les {n} prix sont tous égaux ({single} €)"
        return False, {
            "status": f"z-score undefined: {what}, so the standard deviation is 0 and no wine can be premium",
            "status_fr": f"z-score indéfini : {what_fr}, l'écart-type est donc nul et aucun vin ne peut être premium",
            "products": n,
        }
    z = _z_scores(t)
    mean = math.fsum(z) / len(z)  # fsum: correctly rounded, whatever the order of the rows
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in z) / len(z))
    ok = abs(mean) < 1e-9 and abs(std - 1) < 1e-9
    shown_mean, shown_std = f"{round(mean, 9) + 0.0:.9f}", f"{round(std, 9) + 0.0:.9f}"
    return ok, {
        "status": f"mean {shown_mean} and standard deviation {shown_std} (expected 0 and 1)",
        "status_fr": f"moyenne {shown_mean} et écart-type {shown_std} (0 et 1 attendus)",
        "mean": shown_mean,
        "std": shown_std,
    }


@gate("premium_matches_scipy", ERROR, "scipy.stats: {status}", "scipy.stats : {status_fr}")
def _premium_matches_scipy(t: Tables):
    """Cross-check the split against scipy.stats.zscore, and describe the price distribution."""
    n, _, std, _ = _price_spread(t)
    if n < 2 or not std > 0:
        return None, {
            "status": "skipped: z-score undefined (see zscore_standardised)",
            "status_fr": "ignoré : z-score indéfini (voir zscore_standardised)",
        }
    import numpy as np
    from scipy import stats  # imported here: only this gate pays for scipy

    threshold = float(t.facts("premium")["threshold"])
    columns = t.con.sql(
        "SELECT m.product_id, CAST(m.price AS DOUBLE) AS price, coalesce(s.z_score, 'NaN'::DOUBLE) AS z_score, "
        "coalesce(s.side, '') AS side FROM 'merged.parquet' AS m "
        "LEFT JOIN (SELECT product_id, z_score, 'premium' AS side FROM 'premium.parquet' UNION ALL "
        "SELECT product_id, z_score, 'ordinary' FROM 'ordinary.parquet') AS s ON s.product_id = m.product_id "
        "ORDER BY m.product_id, s.side"
    ).fetchnumpy()  # whole columns: a million products stay fast
    ids, prices, z = columns["product_id"], columns["price"], columns["z_score"]
    expected = stats.zscore(prices, ddof=0)
    differ = sorted(str(i) for i in ids[np.isnan(z) | (np.abs(z - expected) > 1e-9)])
    sides = np.where(expected > threshold, "premium", "ordinary")
    wrong_side = sorted(str(i) for i in ids[(np.abs(expected - threshold) > 1e-9) & (columns["side"] != sides)])
    premium = int(np.sum(expected > threshold))
    skew = float(stats.skew(prices))
    below = float(stats.percentileofscore(expected, threshold, kind="weak"))
    normal = float(stats.norm.cdf(threshold)) * 100
    figures = (
        f"skewness of the prices {skew:.2f}; z = {threshold:g} is their {below:.1f}th percentile "
        f"(the {normal:.1f}th for a normal distribution)"
    )
    figures_fr = (
        f"asymétrie des prix {skew:.2f} ; z = {threshold:g} en est le {below:.1f}e centile "
        f"(le {normal:.1f}e pour une loi normale)"
    )
    ok = not differ and not wrong_side
    if ok:
        status = (
            f"zscore agrees on all {n} z-scores and on the split {premium} premium / {n - premium} ordinary; {figures}"
        )
        status_fr = f"zscore donne les mêmes {n} z-scores et la même répartition {premium} premium / {n - premium} ordinaires ; {figures_fr}"
    else:
        status = (
            f"zscore disagrees: {len(differ)} z-score(s) differ ({_show(differ)}), "
            f"{len(wrong_side)} product(s) on the other side ({_show(wrong_side)}); {figures}"
        )
        status_fr = (
            f"zscore diverge : {len(differ)} z-score(s) différent(s) ({_show(differ)}), "
            f"{len(wrong_side)} produit(s) de l'autre côté ({_show(wrong_side)}) ; {figures_fr}"
        )
    return ok, {
        "status": status,
        "status_fr": status_fr,
        "premium": premium,
        "ordinary": n - premium,
        "differ": differ[:SHOW],
        "wrong_side": wrong_side[:SHOW],
        "skewness": f"{skew:.2f}",
        "threshold_percentile": f"{below:.1f}",
        "normal_percentile": f"{normal:.1f}",
    }


@gate("reference_values", ERROR, "reference values: {status}", "valeurs de référence : {status_fr}")
def _reference_values(t: Tables):
    from .reference import compare

    return compare(t)


@gate(
    "outputs_match_manifest",
    ERROR,
    "output/{folder}: files match manifest.json; problems: {problems}",
    "output/{folder} : fichiers conformes à manifest.json ; problèmes : {problems}",
)
def _outputs_match_manifest(t: Tables):
    from .reports import verify_outputs

    problems = verify_outputs(t.paths.output)
    return not problems, {"folder": str(t.paths.output.name), "problems": problems}
