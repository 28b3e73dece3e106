"""Is this instance able to serve? The database and the storage must answer.

Redis, when set, is checked too but is not required: without it e-mail is sent in the request and
rate limits are counted in memory, so the instance serves, degraded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from app.extensions import db


def check_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _s3_probe_client():
    """A client with short time-outs and no retries: a health check must answer quickly."""
    config = current_app.config
    signature = (config.get("S3_ENDPOINT_URL"), config.get("S3_REGION"), config.get("S3_ACCESS_KEY_ID"))
    cached = current_app.extensions.get("fj_health_s3")
    if cached is None or cached[0] != signature:
        import boto3
        from botocore.config import Config as BotoConfig

        client = boto3.client(
            "s3", endpoint_url=config.get("S3_ENDPOINT_URL"), region_name=config.get("S3_REGION"),
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            config=BotoConfig(connect_timeout=2, read_timeout=3, retries={"max_attempts": 1},
                              s3={"addressing_style": "path"}),
        )
        cached = (signature, client)
        current_app.extensions["fj_health_s3"] = cached
    return cached[1]


def check_storage() -> None:
    config = current_app.config
    if config.get("STORAGE_BACKEND") == "s3":
        _s3_probe_client().head_bucket(Bucket=config["S3_BUCKET"])
        return
    folder = config["STORAGE_DIR"]
    os.makedirs(folder, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"storage folder is not writable: {folder}")


def check_redis() -> None:
    from redis import Redis

    Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2).ping()


REQUIRED = ("database", "storage")


def health_report() -> tuple[str, dict]:
    """("ok" | "degraded" | "unavailable", {check: {"ok": bool, "ms": float, "error": class name}})."""
    checks: dict[str, Callable[[], None]] = {"database": check_database, "storage": check_storage}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = check_redis
    results = {}
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
            result = {"ok": True}
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            current_app.logger.warning("health check %s failed: %r", name, error)
            result = {"ok": False, "error": type(error).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    if not all(results[name]["ok"] for name in REQUIRED):
        return "unavailable", results
    return ("ok" if all(r["ok"] for r in results.values()) else "degraded"), results
