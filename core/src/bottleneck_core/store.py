"""The month's work folder: Parquet tables and small JSON files, each written atomically."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .errors import PipelineError


def _replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)  # atomic on one filesystem: readers see the old file or the new one


def write_table(table, path: Path) -> None:
    """Write an Arrow table (an extract step's raw table; the SQL steps' tables are written by DuckDB)."""
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    _replace(tmp, path)


def read_table(path: Path):
    """A work table as a pandas frame (see :func:`to_frame`)."""
    return to_frame(read_arrow(path))


def to_frame(table):
    """A pandas frame whose every column keeps its Arrow type (decimals stay decimals)."""
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)


def read_arrow(path: Path):
    """A work table as an Arrow table; a missing one names the step to run first."""
    if not path.exists():
        from .graph import PRODUCERS

        step = PRODUCERS.get(path.stem, "?")
        raise PipelineError(
            en=f"Work table {path} not found: run step '{step}' for this month first.",
            fr=f"Table de travail {path} introuvable : lancez d'abord l'étape « {step} » pour ce mois.",
        )
    import pyarrow.parquet as pq

    return pq.read_table(path)


def row_count(path: Path) -> int:
    from .duck import row_count

    return row_count(path)


def write_json(data, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _replace(tmp, path)


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
