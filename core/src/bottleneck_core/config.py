"""Where a month's files live, and the run settings shared by every step."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageProblem

MONTH_RE = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$", re.ASCII)  # ASCII digits only: not "２０２６-10"
DEFAULT_THRESHOLD = 2.0

# The kit's calendar, read by every wrapper's schedule (and the generated Kestra flow): change it here.
#: The pipeline's one name in every tool: Kestra's flow id, Airflow's DAG id, Dagster's job, Prefect's flow.
PIPELINE_NAME = "bottleneck_monthly"
TIMEZONE = "Europe/Paris"
MONTHLY_CRON = "0 9 15 * *"  # 09:00 on the 15th: the run processes the previous month
WAREHOUSE_CRON = "0 10 15 * *"  # an hour later, the warehouse loads that same month
FIRST_MONTH = "2026-05"  # the first sample month: Dagster's partitions and the backfills start here
THRESHOLD_RANGE = (0.0, 10.0)  # a z-score beyond 10 selects nothing on any real catalogue


def parse_month(month: str) -> str:
    """Validate a batch month written ``YYYY-MM`` and return it unchanged."""
    if not isinstance(month, str) or not MONTH_RE.fullmatch(month.strip()):
        raise UsageProblem(
            en=f"Invalid month {month!r}: expected YYYY-MM, e.g. 2026-03.",
            fr=f"Mois invalide {month!r} : format attendu AAAA-MM, par ex. 2026-03.",
        )
    return month.strip()


def previous_month(day: dt.date | dt.datetime) -> str:
    """The batch month a run scheduled on ``day`` processes: the last complete month."""
    first = dt.date(day.year, day.month, 1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def data_dir() -> Path:
    """The kit's data folder: ``BOTTLENECK_DATA_DIR``, else ``./data``."""
    return Path(os.environ.get("BOTTLENECK_DATA_DIR", "data"))


def threshold_from_env() -> float:
    """The premium z-score threshold: ``BOTTLENECK_PREMIUM_Z``, else 2."""
    value = os.environ.get("BOTTLENECK_PREMIUM_Z", str(DEFAULT_THRESHOLD))
    try:
        number = float(value)
    except ValueError:
        raise UsageProblem(
            en=f"BOTTLENECK_PREMIUM_Z={value!r} is not a number (expected e.g. 2 or 2.5).",
            fr=f"BOTTLENECK_PREMIUM_Z={value!r} n'est pas un nombre (attendu par ex. 2 ou 2,5).",
        ) from None
    return check_threshold(number, "BOTTLENECK_PREMIUM_Z")


def check_threshold(value: float, name: str = "--threshold") -> float:
    """Refuse a non-finite or absurd premium threshold (it would write NaN into the manifest)."""
    low, high = THRESHOLD_RANGE
    if not math.isfinite(value) or not low <= value <= high:
        raise UsageProblem(
            en=f"{name}={value!r}: expected a finite z-score between {low:g} and {high:g} (e.g. 2).",
            fr=f"{name}={value!r} : attendu un z-score fini entre {low:g} et {high:g} (par ex. 2).",
        )
    return float(value)


def _inside(a: Path, b: Path) -> bool:
    return a == b or b in a.parents


def check_separate(paths: Paths) -> None:
    """Refuse overlapping folders: sources, work and output may not be one inside another.

    (``--out data/sources`` would replace the sources by reports; ``--work data/sources`` would
    delete them at the next fresh start.)
    """
    named = {"sources": paths.sources, "work": paths.work, "output": paths.output}
    real = {k: Path(os.path.abspath(v)).resolve() for k, v in named.items()}
    keys = list(real)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if _inside(real[a], real[b]) or _inside(real[b], real[a]):
                raise UsageProblem(
                    en=f"The {a} folder ({named[a]}) and the {b} folder ({named[b]}) overlap: "
                    "sources, work and output must be three separate folders, none inside another.",
                    fr=f"Le dossier {_FR[a]} ({named[a]}) et le dossier {_FR[b]} ({named[b]}) se chevauchent : "
                    "sources, travail et sortie doivent être trois dossiers distincts, aucun dans un autre.",
                )


_FR = {"sources": "des sources", "work": "de travail", "output": "de sortie"}


@dataclass(frozen=True)
class Paths:
    """The three folders of one month: sources (read), work (Parquet), output (reports)."""

    month: str
    sources: Path
    work: Path
    output: Path

    @classmethod
    def for_month(
        cls,
        month: str,
        *,
        sources: str | Path | None = None,
        work_root: str | Path | None = None,
        output_root: str | Path | None = None,
    ) -> Paths:
        """Defaults: ``data/sources/<month>``, ``data/work/<month>``, ``data/output/<month>``.

        ``sources`` is the folder holding the three files; ``work_root`` and
        ``output_root`` are parents in which the month's folder is made.
        Environment variables ``BOTTLENECK_WORK_DIR`` and ``BOTTLENECK_OUTPUT_DIR``
        override the two roots.
        """
        month = parse_month(month)
        root = data_dir()
        work_root = work_root or os.environ.get("BOTTLENECK_WORK_DIR") or root / "work"
        output_root = output_root or os.environ.get("BOTTLENECK_OUTPUT_DIR") or root / "output"
        return cls(
            month=month,
            sources=Path(sources) if sources else root / "sources" / month,
            work=Path(work_root) / month,
            output=Path(output_root) / month,
        )

    def table(self, name: str) -> Path:
        return self.work / f"{name}.parquet"

    def checks_file(self, step: str) -> Path:
        return self.work / "checks" / f"{step}.json"

    def facts_file(self, step: str) -> Path:
        return self.work / "facts" / f"{step}.json"

    def stamp_file(self, step: str) -> Path:
        """The fingerprints of the tables a step's gates were run on (see runner.gate_results)."""
        return self.work / "stamps" / f"{step}.json"
