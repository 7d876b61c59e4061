"""Where the warehouse module finds S3 and PostgreSQL: environment variables with local defaults."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from ..errors import PipelineError

BATCH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?:-(\d{2}))?$", re.ASCII)


def batch_month(batch_date: str) -> str:
    """The month a ``batch_date`` belongs to: ``2026-10-15`` and ``2026-10`` both give ``2026-10``."""
    text = str(batch_date).strip()
    match = BATCH_RE.match(text)
    try:
        if not match:
            raise ValueError
        if match.group(3):
            dt.date.fromisoformat(text)  # a real day of that month
    except ValueError:
        raise PipelineError(
            en=f"Invalid batch_date {batch_date!r}: expected YYYY-MM-DD (or YYYY-MM), e.g. 2026-10-01.",
            fr=f"batch_date invalide {batch_date!r} : format attendu AAAA-MM-JJ (ou AAAA-MM), par ex. 2026-10-01.",
        ) from None
    return f"{match.group(1)}-{match.group(2)}"


@dataclass(frozen=True)
class Settings:
    s3_endpoint: str
    s3_bucket: str
    s3_access_key: str
    s3_secret_key: str
    s3_region: str
    database_url: str

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(
            s3_endpoint=env("BOTTLENECK_S3_ENDPOINT", "http://127.0.0.1:9000"),
            s3_bucket=env("BOTTLENECK_S3_BUCKET", "bottleneck"),
            s3_access_key=env("BOTTLENECK_S3_ACCESS_KEY", "bottleneck"),
            s3_secret_key=env("BOTTLENECK_S3_SECRET_KEY", "bottleneck-dev-only"),
            s3_region=env("BOTTLENECK_S3_REGION", "us-east-1"),
            database_url=env("BOTTLENECK_WAREHOUSE_URL", "postgresql://postgres@127.0.0.1:5432/bottleneck_warehouse"),
        )


def export_key(month: str, name: str = "") -> str:
    """The S3 key of one landed file: ``exports/<month>/<name>``."""
    return f"exports/{month}/{name}"
