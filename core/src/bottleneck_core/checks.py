"""Quality gates: every check returns its verdict and its evidence.

A check never decides what a failure does. The runner stops on a failed ``error``
check and only logs a failed ``warning``; each orchestrator shows both in its own way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Callable

import pandas as pd

from .config import Paths
from .tables import as_list

ERROR, WARNING = "error", "warning"
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
SHOW = 10  # how many offending keys a message lists


class Tables:
    """Read-only access to a month's work tables (Parquet), loaded once each."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            from .store import read_table

            self._cache[name] = read_table(self.paths.table(name))
        return self._cache[name]

    def facts(self, step: str) -> dict:
        from .store import read_json

        return read_json(self.paths.facts_file(step))


@dataclass(frozen=True)
class Check:
    name: str
    level: str
    en: str  # message template, filled from the evidence
    fr: str
    test: Callable[[Tables], tuple[bool | None, dict]]  # None means skipped


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


def _show(value):
    if isinstance(value, (list, tuple)):
        head = ", ".join(str(v) for v in value[:SHOW])
        return head + (f" (+{len(value) - SHOW})" if len(value) > SHOW else "") if value else "-"
    return value


def evaluate(check: Check, step: str, tables: Tables) -> CheckResult:
    verdict, evidence = check.test(tables)
    status = SKIPPED if verdict is None else PASSED if verdict else FAILED
    shown = {key: _show(value) for key, value in evidence.items()}
    return CheckResult(
        check.name, step, check.level, status, check.en.format(**shown), check.fr.format(**shown), evidence
    )


def _keys(frame: pd.DataFrame, column: str, mask) -> list[str]:
    return sorted(v for v in set(as_list(frame.loc[mask.fillna(False), column])) if v is not None)


# --- per-source checks --------------------------------------------------------------


def raw_has_rows(src: str) -> Check:
    def test(t: Tables):
        raw = t[f"{src}_raw"]
        rows = int((~raw["is_blank"]).sum())
        return rows > 0, {"table": f"{src}_raw", "rows": rows}

    return Check(
        f"{src}_raw_has_rows", ERROR,
        "{table}: {rows} non-empty row(s) read (expected at least 1)",
        "{table} : {rows} ligne(s) non vide(s) lue(s) (au moins 1 attendue)",
        test,
    )  # fmt: skip


def keys_present(src: str, key: str) -> Check:
    def test(t: Tables):
        missing = int(t[f"{src}_clean"][key].isna().sum())
        return missing == 0, {"table": f"{src}_clean", "key": key, "missing": missing}

    return Check(
        f"{src}_keys_present", ERROR,
        "{table}: {missing} row(s) without {key} (expected 0)",
        "{table} : {missing} ligne(s) sans {key} (0 attendue)",
        test,
    )  # fmt: skip


def rows_accounted(src: str, key: str) -> Check:
    def test(t: Tables):
        raw, clean = t[f"{src}_raw"], t[f"{src}_clean"]
        blank = raw["is_blank"]
        keyless = ~blank & raw[key].isna()
        expected = set(as_list(raw.loc[~blank & ~keyless, "source_row"]))
        evidence = {
            "table": f"{src}_clean", "key": key, "raw": len(raw), "clean": len(clean),
            "dropped_blank": int(blank.sum()), "dropped_missing_key": int(keyless.sum()),
        }  # fmt: skip
        return set(as_list(clean["source_row"])) == expected and len(clean) == len(expected), evidence

    return Check(
        f"{src}_rows_accounted", ERROR,
        "{table}: {raw} raw row(s) = {clean} kept + {dropped_blank} empty + {dropped_missing_key} without {key}",
        "{table} : {raw} ligne(s) brute(s) = {clean} gardée(s) + {dropped_blank} vide(s) + {dropped_missing_key} sans {key}",
        test,
    )  # fmt: skip


def dropped_rows_with_data(src: str, key: str) -> Check:
    def test(t: Tables):
        raw = t[f"{src}_raw"]
        rows = as_list(raw.loc[~raw["is_blank"] & raw[key].isna(), "source_row"])
        return not rows, {"source": src, "key": key, "count": len(rows), "rows": rows}

    return Check(
        f"{src}_dropped_rows_with_data", WARNING,
        "{source}: {count} row(s) with data but no {key} were dropped (rows {rows})",
        "{source} : {count} ligne(s) avec des données mais sans {key} écartée(s) (lignes {rows})",
        test,
    )  # fmt: skip


def keys_unique(src: str, key: str) -> Check:
    def test(t: Tables):
        table = t[f"{src}_dedup"]
        repeated = table[key].duplicated(keep=False)
        keys = _keys(table, key, repeated)
        rows = as_list(table.loc[repeated, "source_row"])
        return not keys, {"table": f"{src}_dedup", "key": key, "count": len(keys), "keys": keys, "rows": rows}

    return Check(
        f"{src}_keys_unique", ERROR,
        "{table}: {count} {key} value(s) repeated with conflicting data (expected each once): {keys} (rows {rows})",
        "{table} : {count} valeur(s) de {key} répétée(s) avec des données contradictoires (une seule fois attendue) : {keys} (lignes {rows})",
        test,
    )  # fmt: skip


# --- source-specific checks ---------------------------------------------------------


def _erp_prices_present(t: Tables):
    erp = t["erp_clean"]
    keys = _keys(erp, "product_id", erp["price"].isna())
    return not keys, {"count": len(keys), "keys": keys}


def _erp_price_not_negative(t: Tables):
    erp = t["erp_clean"]
    keys = _keys(erp, "product_id", erp["price"] < 0)
    return not keys, {"count": len(keys), "keys": keys}


def _erp_stock_not_negative(t: Tables):
    erp = t["erp_clean"]
    keys = _keys(erp, "product_id", erp["stock_quantity"] < 0)
    return not keys, {"count": len(keys), "keys": keys}


def _erp_stock_status_coherent(t: Tables):
    erp = t["erp_clean"]
    status, quantity = erp["stock_status"], erp["stock_quantity"]
    wrong = ((status == "instock") & (quantity <= 0)) | ((status == "outofstock") & (quantity > 0))
    keys = _keys(erp, "product_id", wrong)
    return not keys, {"count": len(keys), "keys": keys}


def _link_id_web_unique(t: Tables):
    link = t["link_dedup"]
    repeated = link["id_web"].notna() & link["id_web"].duplicated(keep=False)
    keys = _keys(link, "id_web", repeated)
    return not keys, {"count": len(keys), "keys": keys}


def _web_pairs_agree(t: Tables):
    web = t["web_clean"]
    sales = web.groupby("sku", dropna=True)["total_sales"].nunique(dropna=False)
    keys = sorted(sales[sales > 1].index.astype(object).tolist())
    return not keys, {"count": len(keys), "keys": keys}


# --- merge, revenue, premium --------------------------------------------------------


def _merged_one_to_one(t: Tables):
    merged = t["merged"]
    evidence = {
        "rows": len(merged),
        "product_ids": int(merged["product_id"].nunique()),
        "skus": int(merged["sku"].nunique()),
        "erp": len(t["erp_dedup"]),
        "web": len(t["web_dedup"]),
    }
    ok = evidence["rows"] == evidence["product_ids"] == evidence["skus"]
    return ok and evidence["rows"] <= min(evidence["erp"], evidence["web"]), evidence


def _merged_rows_accounted(t: Tables):
    """Recompute, with a left join instead of inner joins, why each ERP row is kept or lost."""
    erp, link, web, merged = t["erp_dedup"], t["link_dedup"], t["web_dedup"], t["merged"]
    erp = erp[["product_id", "onsale_web"]].merge(
        link[["product_id", "id_web"]], on="product_id", how="left", indicator=True
    )
    no_link = erp["_merge"] == "left_only"
    no_id_web = ~no_link & erp["id_web"].isna()
    not_in_web = ~no_link & ~no_id_web & ~erp["id_web"].isin(web["sku"])
    lost = no_link | no_id_web | not_in_web
    expected = erp.loc[~lost, ["product_id", "id_web"]]
    web_lost = sorted(set(as_list(web["sku"])) - set(as_list(expected["id_web"])))
    same = sorted(zip(as_list(expected["product_id"]), as_list(expected["id_web"]))) == sorted(
        zip(as_list(merged["product_id"]), as_list(merged["sku"]))
    )
    evidence = {
        "merged": len(merged),
        "erp_lost": int(lost.sum()),
        "erp_no_link": int(no_link.sum()),
        "erp_no_id_web": int(no_id_web.sum()),
        "erp_not_in_web": int(not_in_web.sum()),
        "erp_lost_offline": int((lost & (erp["onsale_web"] == 0)).sum()),
        "web_lost": len(web_lost),
        "web_lost_skus": web_lost,
    }
    return same and len(merged) == len(expected), evidence


def _merged_not_empty(t: Tables):
    return len(t["merged"]) > 0, {"rows": len(t["merged"])}


def _revenue_rows_match(t: Tables):
    revenue, merged = t["revenue"], t["merged"]
    same = sorted(as_list(revenue["product_id"])) == sorted(as_list(merged["product_id"]))
    return same and len(revenue) == len(merged), {"revenue": len(revenue), "merged": len(merged)}


def _revenue_total_coherent(t: Tables):
    total = t["revenue"]["revenue"].sum()
    merged = t["merged"]
    recomputed = sum(
        (p * q for p, q in zip(as_list(merged["price"]), as_list(merged["total_sales"]))),
        Decimal("0.00"),
    )
    return Decimal(total) == recomputed, {"total": str(Decimal(total)), "recomputed": str(recomputed)}


def _revenue_sorted(t: Tables):
    values = t["revenue"]["revenue"]
    return bool(values.is_monotonic_decreasing), {"rows": len(values)}


def _premium_partition(t: Tables):
    premium, ordinary, merged = t["premium"], t["ordinary"], t["merged"]
    ids_p, ids_o = set(as_list(premium["product_id"])), set(as_list(ordinary["product_id"]))
    ok = not (ids_p & ids_o) and (ids_p | ids_o) == set(as_list(merged["product_id"]))
    evidence = {"premium": len(premium), "ordinary": len(ordinary), "merged": len(merged)}
    return ok and len(premium) + len(ordinary) == len(merged), evidence


def _premium_threshold_respected(t: Tables):
    threshold = t.facts("premium")["threshold"]
    premium, ordinary = t["premium"]["z_score"], t["ordinary"]["z_score"]
    wrong = int((premium <= threshold).sum() + (ordinary > threshold).sum())
    return wrong == 0, {"threshold": threshold, "wrong": wrong}


def _zscore_standardised(t: Tables):
    z = pd.concat([t["premium"]["z_score"], t["ordinary"]["z_score"]]).astype("float64").to_numpy()
    mean, std = float(z.mean()), float(z.std(ddof=0))
    ok = abs(mean) < 1e-9 and abs(std - 1) < 1e-9
    # Rounded evidence: the last bits of a float sum may differ between numpy builds, and the
    # manifest that records this evidence must be the same bytes in every orchestrator's venv.
    return ok, {"mean": f"{round(mean, 9) + 0.0:.9f}", "std": f"{round(std, 9) + 0.0:.9f}"}


def _reference_values(t: Tables):
    from .reference import compare

    return compare(t)


def _outputs_match_manifest(t: Tables):
    from .reports import verify_outputs

    problems = verify_outputs(t.paths.output)
    return not problems, {"folder": str(t.paths.output.name), "problems": problems}


REGISTRY: dict[str, Check] = {}


def _register(*checks: Check) -> None:
    for check in checks:
        REGISTRY[check.name] = check


for _src, _key in (("erp", "product_id"), ("link", "product_id"), ("web", "sku")):
    _register(
        raw_has_rows(_src), keys_present(_src, _key), rows_accounted(_src, _key),
        dropped_rows_with_data(_src, _key), keys_unique(_src, _key),
    )  # fmt: skip

_register(
    Check("erp_prices_present", ERROR,
          "erp_clean: {count} product(s) without a price (expected 0): product_id {keys}",
          "erp_clean : {count} produit(s) sans prix (0 attendu) : product_id {keys}", _erp_prices_present),
    Check("erp_price_not_negative", WARNING,
          "erp_clean: {count} negative price(s): product_id {keys}",
          "erp_clean : {count} prix négatif(s) : product_id {keys}", _erp_price_not_negative),
    Check("erp_stock_not_negative", WARNING,
          "erp_clean: {count} negative stock quantit(ies): product_id {keys}",
          "erp_clean : {count} quantité(s) en stock négative(s) : product_id {keys}", _erp_stock_not_negative),
    Check("erp_stock_status_coherent", WARNING,
          "erp_clean: {count} stock_status value(s) contradict stock_quantity: product_id {keys}",
          "erp_clean : {count} stock_status en contradiction avec stock_quantity : product_id {keys}",
          _erp_stock_status_coherent),
    Check("link_id_web_unique", ERROR,
          "link_dedup: {count} id_web value(s) linked to several product_id, which would multiply rows in the join: {keys}",
          "link_dedup : {count} id_web lié(s) à plusieurs product_id, ce qui multiplierait les lignes de la jointure : {keys}",
          _link_id_web_unique),
    Check("web_pairs_agree", WARNING,
          "web_clean: {count} sku(s) whose product and attachment rows disagree on total_sales (the product row is kept): {keys}",
          "web_clean : {count} sku dont les lignes product et attachment divergent sur total_sales (la ligne product est gardée) : {keys}",
          _web_pairs_agree),
    Check("merged_one_to_one", ERROR,
          "merged: {rows} row(s), {product_ids} distinct product_id, {skus} distinct sku (all equal expected, at most erp {erp} and web {web})",
          "merged : {rows} ligne(s), {product_ids} product_id distincts, {skus} sku distincts (tous égaux attendus, au plus erp {erp} et web {web})",
          _merged_one_to_one),
    Check("merged_rows_accounted", ERROR,
          "merged: {merged} row(s); ERP lost {erp_lost} ({erp_no_link} without link row, {erp_no_id_web} whose link has no id_web, "
          "{erp_not_in_web} whose id_web is not in the web shop; {erp_lost_offline} of them not sold online); web lost {web_lost} (sku not linked)",
          "merged : {merged} ligne(s) ; l'ERP perd {erp_lost} ({erp_no_link} sans ligne de liaison, {erp_no_id_web} dont la liaison n'a pas d'id_web, "
          "{erp_not_in_web} dont l'id_web est absent de la boutique ; {erp_lost_offline} d'entre eux non vendus en ligne) ; le web perd {web_lost} (sku non lié)",
          _merged_rows_accounted),
    Check("merged_not_empty", ERROR,
          "merged: {rows} row(s) (expected at least 1)",
          "merged : {rows} ligne(s) (au moins 1 attendue)", _merged_not_empty),
    Check("revenue_rows_match", ERROR,
          "revenue: {revenue} row(s) for {merged} merged product(s) (expected the same products)",
          "revenue : {revenue} ligne(s) pour {merged} produit(s) fusionné(s) (mêmes produits attendus)", _revenue_rows_match),
    Check("revenue_total_coherent", ERROR,
          "revenue: sum of per-product revenue {total} € vs recomputed price × total_sales {recomputed} € (expected equal)",
          "revenue : somme des CA par produit {total} € contre prix × total_sales recalculé {recomputed} € (égalité attendue)",
          _revenue_total_coherent),
    Check("revenue_sorted", ERROR,
          "revenue: {rows} row(s) sorted by revenue, highest first",
          "revenue : {rows} ligne(s) triée(s) par chiffre d'affaires décroissant", _revenue_sorted),
    Check("premium_partition", ERROR,
          "premium {premium} + ordinary {ordinary} = merged {merged}, with no product in both (expected)",
          "premium {premium} + ordinary {ordinary} = merged {merged}, sans produit dans les deux (attendu)", _premium_partition),
    Check("premium_threshold_respected", ERROR,
          "{wrong} product(s) on the wrong side of z = {threshold} (expected 0)",
          "{wrong} produit(s) du mauvais côté de z = {threshold} (0 attendu)", _premium_threshold_respected),
    Check("zscore_standardised", ERROR,
          "z-scores: mean {mean} and standard deviation {std} (expected 0 and 1)",
          "z-scores : moyenne {mean} et écart-type {std} (0 et 1 attendus)", _zscore_standardised),
    Check("reference_values", ERROR,
          "reference values: {status}", "valeurs de référence : {status_fr}", _reference_values),
    Check("outputs_match_manifest", ERROR,
          "output/{folder}: files match manifest.json; problems: {problems}",
          "output/{folder} : fichiers conformes à manifest.json ; problèmes : {problems}", _outputs_match_manifest),
)  # fmt: skip
