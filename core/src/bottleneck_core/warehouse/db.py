"""The warehouse database: apply the versioned SQL, call the procedures, run the gates, dump for parity."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

from ..errors import PipelineError


def connect(url: str):
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as exc:
        raise PipelineError(
            en=f"Cannot connect to the warehouse database {url}: {exc}".strip(),
            fr=f"Connexion impossible à la base de l'entrepôt {url} : {exc}".strip(),
        ) from None


def sql_files() -> list:
    """The schema and procedure files, in the order they are applied."""
    folder = resources.files(__package__) / "sql"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)


def init(conn) -> list[str]:
    """Create the schemas, tables and procedures (every statement is safe to re-run)."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('bottleneck warehouse init'))")  # one at a time
        for file in sql_files():
            conn.execute(file.read_text(encoding="utf-8"))
            applied.append(file.name)
    return applied


def seed_dims(conn, month: str) -> None:
    conn.execute("CALL dw.sp_seed_dim_category()")
    conn.execute("CALL dw.sp_seed_dim_month(%s, %s)", (f"{month}-01", f"{month}-01"))


def load_dw(conn, month: str) -> None:
    import psycopg

    try:
        conn.execute("CALL dw.sp_load_staging_to_dw(%s)", (f"{month}-01",))
    except psycopg.errors.RaiseException as exc:  # the procedure's own bilingual refusal: "en / fr"
        en, _, fr = exc.diag.message_primary.partition(" / ")
        raise PipelineError(en=f"dw.sp_load_staging_to_dw: {en}", fr=f"dw.sp_load_staging_to_dw : {fr or en}") from None


# --- gates: each a query returning the rows that break the rule (none = passed) ------------------


@dataclass(frozen=True)
class Gate:
    name: str
    step: str
    sql: str  # %(batch)s is the batch month's first day
    en: str  # filled from the first offending row
    fr: str


GATES = (
    Gate(
        "staging_rows_match_manifest",
        "load_staging",
        """SELECT b.product_count AS expected, count(s.product_id) AS staged
            FROM staging.batch b LEFT JOIN staging.monthly_sales s USING (batch_month)
            WHERE b.batch_month = %(batch)s GROUP BY b.product_count HAVING count(s.product_id) <> b.product_count""",
        "staging holds {staged} product(s) for the batch, the manifest says {expected}",
        "le staging contient {staged} produit(s) pour le lot, le manifeste en annonce {expected}",
    ),
    Gate(
        "dims_seeded",
        "seed_dims",
        """SELECT 'category' AS dimension FROM (SELECT count(*) AS n FROM dw.dim_category) c WHERE n <> 2
            UNION ALL SELECT 'month' FROM (VALUES (1)) v(x)
            WHERE NOT EXISTS (SELECT 1 FROM dw.dim_month WHERE month_date = %(batch)s)""",
        "dimension {dimension} is not seeded for the batch",
        "la dimension {dimension} n'est pas alimentée pour le lot",
    ),
    Gate(
        "dw_rows_match_staging",
        "load_dw",
        """SELECT coalesce(f.product_id, s.product_id) AS product_id,
                   CASE WHEN f.product_id IS NULL THEN 'missing from the facts' ELSE 'not in staging' END AS problem
            FROM (SELECT product_id FROM dw.fact_monthly_sales WHERE month_date = %(batch)s) f
            FULL JOIN (SELECT product_id FROM staging.monthly_sales WHERE batch_month = %(batch)s) s USING (product_id)
            WHERE f.product_id IS NULL OR s.product_id IS NULL ORDER BY 1""",
        "fact rows and staging rows differ for the batch (first: product {product_id}, {problem})",
        "les faits et le staging diffèrent pour le lot (premier : produit {product_id}, {problem})",
    ),
    Gate(
        "dw_revenue_matches_manifest",
        "load_dw",
        """SELECT b.revenue_total AS expected, coalesce(sum(f.revenue), 0) AS loaded
            FROM staging.batch b LEFT JOIN dw.fact_monthly_sales f ON f.month_date = b.batch_month
            WHERE b.batch_month = %(batch)s GROUP BY b.revenue_total HAVING coalesce(sum(f.revenue), 0) <> b.revenue_total""",
        "warehouse revenue for the batch is {loaded} €, the manifest says {expected} €",
        "le chiffre d'affaires du lot dans l'entrepôt est {loaded} €, le manifeste dit {expected} €",
    ),
    Gate(
        "dw_premium_count_matches",
        "load_dw",
        """SELECT b.premium_count AS expected, count(f.product_id) AS loaded
            FROM staging.batch b LEFT JOIN dw.fact_monthly_sales f
                 ON f.month_date = b.batch_month AND f.category_code = 'premium'
            WHERE b.batch_month = %(batch)s GROUP BY b.premium_count HAVING count(f.product_id) <> b.premium_count""",
        "{loaded} premium fact(s) for the batch, the manifest says {expected}",
        "{loaded} fait(s) premium pour le lot, le manifeste en annonce {expected}",
    ),
)


def run_gates(conn, step: str, month: str) -> list[dict]:
    """Run ``step``'s gates; raise :class:`GateFailed` when one finds offending rows."""
    from ..checks import CheckResult
    from ..errors import GateFailed

    results = []
    for gate in (g for g in GATES if g.step == step):
        cur = conn.execute(gate.sql, {"batch": f"{month}-01"})
        columns = [c.name for c in cur.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
        if rows:
            first = {k: str(v) for k, v in rows[0].items()}
            en, fr = gate.en.format(**first), gate.fr.format(**first)
            status = "failed"
        else:
            en, fr, status = "passed", "réussi", "passed"
        evidence = {"offending_rows": len(rows), "first": [{k: str(v) for k, v in r.items()} for r in rows[:5]]}
        results.append(CheckResult(gate.name, step, "error", status, f"{month}: {en}", f"{month} : {fr}", evidence))
    failures = [r for r in results if r.blocking]
    if failures:
        raise GateFailed(step, failures)
    return results


# --- parity: a canonical dump of the warehouse ---------------------------------------------------

DUMP_QUERIES = (
    "SELECT category_code, label_en, label_fr FROM dw.dim_category ORDER BY 1",
    "SELECT month_date, year, quarter, month, label FROM dw.dim_month ORDER BY 1",
    "SELECT product_id, sku, name, first_month, last_month FROM dw.dim_product ORDER BY 1",
    "SELECT month_date, product_id, category_code, price, total_sales, revenue FROM dw.fact_monthly_sales ORDER BY 1, 2",
)


def canonical_dump(conn) -> str:
    """Every warehouse row as tab-separated text in a fixed order (identical warehouses, identical text)."""
    lines = []
    for query in DUMP_QUERIES:
        lines.append(f"-- {query}")
        lines += ["\t".join("" if v is None else str(v) for v in row) for row in conn.execute(query)]
    return "\n".join(lines) + "\n"


def dump_sha256(conn) -> str:
    import psycopg

    try:
        return hashlib.sha256(canonical_dump(conn).encode()).hexdigest()
    except psycopg.errors.UndefinedTable:
        raise PipelineError(
            en="The warehouse has no tables yet: run `bottleneck warehouse init` (or a warehouse run) first.",
            fr="L'entrepôt n'a pas encore de tables : lancez d'abord `bottleneck warehouse init` (ou une exécution).",
        ) from None
