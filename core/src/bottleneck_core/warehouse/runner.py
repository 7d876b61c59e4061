"""Run the warehouse steps for one batch: one at a time (orchestrators) or all in order."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import Paths
from . import STEPS, db, s3, staging
from .settings import Settings, batch_month

BY_NAME = {step.name: step for step in STEPS}


def run_step(name: str, batch_date: str, settings: Settings | None = None, output: Path | None = None) -> dict:
    """Run one warehouse step for the month containing ``batch_date``, then its gates.

    ``output`` is the published month folder that ``land`` uploads (default: the kit's
    ``data/output/<month>``). Returns the step's facts and gate results.
    """
    if name not in BY_NAME:
        from ..errors import PipelineError

        raise PipelineError(
            en=f"Unknown warehouse step {name!r}. Steps: {', '.join(BY_NAME)}.",
            fr=f"Étape d'entrepôt inconnue {name!r}. Étapes : {', '.join(BY_NAME)}.",
        )
    month = batch_month(batch_date)
    settings = settings or Settings.from_env()
    if name == "land":
        facts = s3.land(settings, month, output or Paths.for_month(month).output)
        manifest, _ = s3.fetch(settings, month)  # what landed reads back whole and checked
        return {"step": name, "month": month, **facts, "checks": [_landed(month, manifest, facts)]}
    with db.connect(settings.database_url) as conn:
        if name == "load_staging":
            manifest, files = s3.fetch(settings, month)
            rows = staging.staged_rows(month, files)
            digest = hashlib.sha256(files[s3.MANIFEST]).hexdigest()
            facts = {"rows": staging.load(conn, month, manifest, digest, rows)}
        elif name == "seed_dims":
            db.seed_dims(conn, month)
            facts = {}
        else:
            db.load_dw(conn, month)
            facts = {}
        results = db.run_gates(conn, name, month)
    return {"step": name, "month": month, **facts, "checks": [r.to_dict() for r in results]}


def run_checks(name: str, batch_date: str, settings: Settings | None = None) -> list[dict]:
    """The gates of one database step on their own (for tools that run the step's SQL themselves)."""
    settings = settings or Settings.from_env()
    with db.connect(settings.database_url) as conn:
        return [r.to_dict() for r in db.run_gates(conn, name, batch_month(batch_date))]


def init(settings: Settings | None = None) -> list[str]:
    """Create or update the warehouse schemas, tables and procedures (idempotent)."""
    with db.connect((settings or Settings.from_env()).database_url) as conn:
        return db.init(conn)


def _landed(month: str, manifest: dict, facts: dict) -> dict:
    from ..checks import CheckResult

    n = len(facts["keys"])
    return CheckResult(
        "landed_matches_manifest",
        "land",
        "error",
        "passed",
        f"{month}: {n} object(s) landed, each read back equal to its manifest sha256",
        f"{month} : {n} objet(s) déposé(s), chacun relu identique au sha256 du manifeste",
        {"objects": n},
    ).to_dict()


def run_all(batch_date: str, settings: Settings | None = None, output: Path | None = None, on_step=None) -> dict:
    """init (idempotent), then every step in order with its gates; returns the facts of each step."""
    settings = settings or Settings.from_env()
    init(settings)
    done = {}
    for step in STEPS:
        done[step.name] = run_step(step.name, batch_date, settings, output)
        if on_step:
            on_step(step.name, done[step.name])
    return done
