"""The background job queue (RQ on Redis)."""

from __future__ import annotations

from flask import current_app


def get_queue():
    from redis import Redis
    from rq import Queue

    return Queue("formula-jury", connection=Redis.from_url(current_app.config["REDIS_URL"]))


def enqueue(function_path: str, *args) -> None:
    get_queue().enqueue(function_path, *args)
