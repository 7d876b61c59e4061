"""Landing: the month's published reports go to S3, and come back from it checked against the manifest."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from ..errors import PipelineError
from .settings import Settings, export_key

MANIFEST = "manifest.json"


def client(settings: Settings):
    """An S3 client (MinIO's Python SDK: any S3-compatible server, MinIO in the stacks)."""
    from urllib.parse import urlparse

    from minio import Minio

    url = urlparse(settings.s3_endpoint)
    return Minio(
        url.netloc,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=url.scheme == "https",
        region=settings.s3_region,
    )


def _ensure_bucket(s3, bucket: str) -> None:
    if not s3.bucket_exists(bucket):
        s3.make_bucket(bucket)


def land(settings: Settings, month: str, output: Path) -> dict:
    """Upload ``output`` (a published month) to ``exports/<month>/``; the manifest goes last.

    The published files are first checked against their manifest, so only a whole, good month
    lands. Same month, same bytes, same keys: landing twice changes nothing.
    """
    from ..reports import verify_outputs

    problems = verify_outputs(output)
    if problems:
        raise PipelineError(
            en=f"Month {month} is not published whole in {output}: {'; '.join(problems)}. Run `bottleneck run --month {month}` first.",
            fr=f"Le mois {month} n'est pas publié en entier dans {output} : {'; '.join(problems)}. Lancez d'abord `bottleneck run --month {month}`.",
        )
    manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    s3 = client(settings)
    _ensure_bucket(s3, settings.s3_bucket)
    keys = []
    for name in [*manifest["outputs"], MANIFEST]:
        body = (output / name).read_bytes()
        key = export_key(month, name)
        s3.put_object(
            settings.s3_bucket, key, io.BytesIO(body), len(body), metadata={"sha256": hashlib.sha256(body).hexdigest()}
        )
        keys.append(key)
    return {"month": month, "bucket": settings.s3_bucket, "keys": keys}


def fetch(settings: Settings, month: str) -> tuple[dict, dict[str, bytes]]:
    """The landed manifest and files of ``month``, each file checked against the manifest's sha256."""
    from minio.error import S3Error

    s3 = client(settings)

    def get(name: str) -> bytes:
        key = export_key(month, name)
        try:
            response = s3.get_object(settings.s3_bucket, key)
        except S3Error as exc:
            raise PipelineError(
                en=f"s3://{settings.s3_bucket}/{key} cannot be read ({exc.code}): land month {month} first.",
                fr=f"s3://{settings.s3_bucket}/{key} illisible ({exc.code}) : déposez d'abord le mois {month}.",
            ) from None
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    raw_manifest = get(MANIFEST)
    manifest = json.loads(raw_manifest)
    files = {}
    for name, digest in manifest["outputs"].items():
        body = get(name)
        if hashlib.sha256(body).hexdigest() != digest:
            raise PipelineError(
                en=f"s3://{settings.s3_bucket}/{export_key(month, name)} differs from its manifest sha256: land month {month} again.",
                fr=f"s3://{settings.s3_bucket}/{export_key(month, name)} ne correspond pas au sha256 du manifeste : redéposez le mois {month}.",
            )
        files[name] = body
    files[MANIFEST] = raw_manifest
    return manifest, files
