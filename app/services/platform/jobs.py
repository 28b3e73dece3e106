"""Background jobs: RQ on Redis when REDIS_URL is set, otherwise run in the request.

Three pieces:

- `enqueue` puts a call on the queue now; `enqueue_after_commit` waits until the current
  request's transaction commits (e-mail about a submission is never sent for a submission that
  was rolled back), and drops the call if it rolls back.
- `perform` is what the worker runs: the app code inside an app context, committed once, like a
  request. Start the worker with `rq worker --worker-class app.services.platform.jobs.AppWorker`, which
  builds the app once before it forks a work horse per job.
- File jobs (`start_file_job`): a long export runs outside the request and leaves its file in the
  storage backend under `jobs/<id>/`, with a small status document beside it, so any web worker
  can report its progress and serve the file when it is ready. What can be built that way is
  `app.services.exports`; this module knows functions only by their dotted paths.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

log = logging.getLogger("formula_jury.jobs")

_PENDING = "fj_jobs_after_commit"
_LOCAL = "fj_jobs_local_after_commit"
_JOB_ID = re.compile(r"[0-9a-f]{32}")


# --- the queue -------------------------------------------------------------------------------


def queue_enabled(config=None) -> bool:
    config = config if config is not None else current_app.config
    return bool(config.get("REDIS_URL"))


def get_redis(config=None):
    from redis import Redis

    config = config if config is not None else current_app.config
    return Redis.from_url(config["REDIS_URL"], socket_connect_timeout=5, socket_timeout=30)


def get_queue(config=None):
    from rq import Queue

    config = config if config is not None else current_app.config
    return Queue(config.get("JOB_QUEUE", "formula-jury"), connection=get_redis(config))


def enqueue(function_path: str, *args, job_id: str | None = None, config=None, **kwargs) -> str:
    """Queues `perform(function_path, *args, **kwargs)` now; returns the RQ job id."""
    config = config if config is not None else current_app.config
    job = get_queue(config).enqueue_call(
        perform, args=(function_path, *args), kwargs=kwargs, job_id=job_id,
        result_ttl=config.get("JOB_RESULT_TTL", 86400), failure_ttl=config.get("JOB_RESULT_TTL", 86400),
        timeout=config.get("JOB_TIMEOUT", 1800), description=function_path,
    )
    return job.id


def enqueue_after_commit(function_path: str, *args, **kwargs) -> None:
    """Queues the call once the request's transaction commits; forgets it on rollback.

    A request that never commits (a page that only sends a link, say) queues it when the response
    is ready. Outside a request (CLI, worker) the call is queued at once.
    """
    config = current_app.config
    if not has_request_context():
        enqueue(function_path, *args, config=config, **kwargs)
        return
    from app.extensions import db

    db.session.info.setdefault(_PENDING, []).append((config, function_path, args, kwargs))


def perform_after_commit(function_path: str, *args) -> None:
    """A job that must not slow the request down when there is a queue, and must still run when there
    is none (a webhook delivery): with Redis, `enqueue_after_commit`; without it, `perform` in this
    process once the transaction commits, in a transaction of its own (dropped on rollback)."""
    if queue_enabled():
        enqueue_after_commit(function_path, *args)
        return
    from app.extensions import db

    db.session.info.setdefault(_LOCAL, []).append((function_path, args))


def _perform_local(session: Session) -> None:
    for function_path, args in session.info.pop(_LOCAL, []):
        try:
            perform(function_path, *args)
        except Exception:  # noqa: BLE001 - the request's data is committed; the job records its own failure
            log.exception("job %s failed in the process", function_path)


def _send_pending(session: Session) -> None:
    for config, function_path, args, kwargs in session.info.pop(_PENDING, []):
        try:
            enqueue(function_path, *args, config=config, **kwargs)
        except Exception:  # noqa: BLE001 - the data is committed; run the job here instead
            log.exception("could not queue %s; running it in the request", function_path)
            try:
                import_string(function_path)(*args, **kwargs)
            except Exception:  # noqa: BLE001
                log.exception("job %s failed in the request", function_path)


@sa.event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        _send_pending(session)
    if session.info.get(_LOCAL):
        _perform_local(session)


@sa.event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Only the outermost transaction counts: a savepoint rolled back inside it (a retried insert,
    # say) fires after_rollback too, yet the request goes on and may still commit. When the
    # outermost one ends, after_commit has already sent the calls; any left were rolled back.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_LOCAL, None)


def init_app(app: Flask) -> None:
    """Queues what a request left pending without committing; drops it if the request failed."""
    from app.extensions import db

    @app.after_request
    def _flush_pending(response):
        if response.status_code < 500 and db.session.info.get(_PENDING):
            _send_pending(db.session())
        return response

    @app.teardown_request
    def _drop_pending(_error):
        db.session.info.pop(_PENDING, None)


# --- the worker side -------------------------------------------------------------------------

_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The app jobs run in: the current one (tests, sync runs) or one built once per process."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app


def perform(function_path: str, *args, **kwargs) -> Any:
    """Runs app code for the queue, inside an app context; commits once at the end."""
    from app.extensions import db

    app = worker_app()
    with app.app_context():
        try:
            result = import_string(function_path)(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    return result


try:
    from rq import Worker as _RQWorker
except ImportError:  # pragma: no cover - rq is a dependency
    _RQWorker = object


class AppWorker(_RQWorker):
    """An RQ worker that builds the Flask app before forking, so each job starts warm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        app = worker_app()
        # The parent never talks to the database; each work horse opens its own connections.
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()


# --- file jobs (exports) ---------------------------------------------------------------------


@dataclass(frozen=True)
class JobFile:
    filename: str
    content_type: str
    data: bytes = b""
    # A file on disk to store instead of `data` (a big file built without holding it in memory);
    # it is streamed to storage and deleted.
    path: str | None = None


class JobNotFound(LookupError):
    pass


def _status_key(job_id: str) -> str:
    return f"jobs/{job_id}/status.json"


def _result_key(job_id: str, filename: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)[:150] or "export"
    return f"jobs/{job_id}/{safe}"


def _now_iso() -> str:
    from app.services.platform.clock import now

    return now().isoformat()


def _write_status(status: dict) -> None:
    from app.services.platform.storage import get_storage

    body = json.dumps(status, ensure_ascii=False).encode()
    get_storage().save(_status_key(status["id"]), BytesIO(body), content_type="application/json")


def get_job(job_id: str) -> dict:
    """The status document of a file job: id, label, status (queued, running, done, failed), …"""
    from app.services.platform.storage import get_storage

    if not _JOB_ID.fullmatch(job_id or ""):
        raise JobNotFound(job_id)
    storage = get_storage()
    key = _status_key(job_id)
    try:
        if not storage.exists(key):
            raise JobNotFound(job_id)
        status = json.loads(b"".join(storage.iter_chunks(key)))
    except JobNotFound:
        raise
    except Exception as error:  # noqa: BLE001
        raise JobNotFound(job_id) from error
    if status["status"] in ("queued", "running") and status.get("queued"):
        status = _reconcile_with_queue(status)
    return status


def _reconcile_with_queue(status: dict) -> dict:
    """A job whose worker died never writes "failed" itself; RQ knows."""
    try:
        from rq.job import Job

        job = Job.fetch(status["id"], connection=get_redis())
        state = job.get_status()
    except Exception:  # noqa: BLE001 - expired or Redis unreachable: report what we have
        return status
    if state in ("failed", "stopped", "canceled"):
        status = {**status, "status": "failed", "error": "the job stopped"}
    return status


def start_file_job(*, function_path: str, kwargs: dict, label: str, owner_id: int | None,
                   contest_id: int | None = None) -> str:
    """Starts a job whose function returns a JobFile; returns the job id.

    With the queue the function runs in the worker; without it, right here.
    """
    job_id = uuid.uuid4().hex
    queued = queue_enabled()
    status = {
        "id": job_id, "function": function_path, "kwargs": kwargs, "label": str(label),
        "owner_id": owner_id, "contest_id": contest_id, "status": "queued", "queued": queued,
        "created_at": _now_iso(), "finished_at": None, "filename": None, "content_type": None,
        "key": None, "size": None, "sha256": None, "error": None,
    }
    _write_status(status)
    if queued:
        enqueue("app.services.platform.jobs.run_file_job", job_id, job_id=job_id)
    else:
        try:
            run_file_job(job_id)
        except Exception:  # noqa: BLE001 - recorded in the status document
            log.exception("file job %s failed", job_id)
    return job_id


def run_file_job(job_id: str) -> dict:
    """Runs a file job's function and stores its file; the status document follows each step."""
    from app.services.platform.storage import get_storage

    status = get_job(job_id)
    status.update(status="running", started_at=_now_iso())
    _write_status(status)
    try:
        _current_job["status"] = status
        try:
            result: JobFile = import_string(status["function"])(**status["kwargs"])
        finally:
            _current_job.pop("status", None)
        key = _result_key(job_id, result.filename)
        if result.path:
            import os

            try:
                with open(result.path, "rb") as stream:
                    stored = get_storage().save(key, stream, content_type=result.content_type)
            finally:
                os.unlink(result.path)
        else:
            stored = get_storage().save(key, BytesIO(result.data), content_type=result.content_type)
    except Exception as error:
        status.update(status="failed", finished_at=_now_iso(), error=type(error).__name__)
        _write_status(status)
        raise
    status.update(status="done", finished_at=_now_iso(), filename=result.filename,
                  content_type=result.content_type, key=stored.key, size=stored.size,
                  sha256=stored.sha256)
    _write_status(status)
    return status


# The status document of the file job running in this process (one at a time per work horse).
_current_job: dict = {}


def report_progress(done: int, total: int) -> None:
    """Called by a file job's function as it goes; the job page shows "done of total". Outside a
    file job it does nothing."""
    status = _current_job.get("status")
    if status is None:
        return
    status.update(progress_done=done, progress_total=total)
    _write_status(status)


def job_file_chunks(status: dict) -> Iterator[bytes]:
    from app.services.platform.storage import get_storage

    if status.get("status") != "done" or not status.get("key"):
        raise JobNotFound(status.get("id"))
    return get_storage().iter_chunks(status["key"])
