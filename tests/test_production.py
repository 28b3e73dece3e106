"""Production settings: the secret key, security headers, /healthz, request ids and logs, the
gunicorn configuration, and e-mail through the job queue (real Redis, real RQ worker)."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from flask import Response

from app import create_app
from app.config import PROJECT_ROOT, TestConfig
from app.extensions import db
from app.services.platform import jobs, mail
from app.web import JsonFormatter

REDIS_DB_URL = "redis://127.0.0.1:6379/15"


def _env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "FJ_ENV", "DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "BIND", "PUBLIC_URL")}
    env["PUBLIC_URL"] = "https://jury.example.org"  # required in production, like SECRET_KEY
    env.update({k: v for k, v in changes.items() if v is not None})
    return env


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=_env(**env),
                          capture_output=True, text=True, timeout=60)


# --- the secret key ------------------------------------------------------------------------------


def test_create_app_without_secret_key_in_production_refuses():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": None})


def test_create_app_without_secret_key_in_development_uses_dev_key():
    from app.config import DEV_SECRET_KEY

    app = create_app({"ENV_NAME": "development", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "TESTING": True})
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY


def test_process_started_in_production_without_secret_key_exits(tmp_path):
    code = "from app import create_app; create_app(); print('started')"
    refused = _python(code, FJ_ENV="production", INSTANCE_PATH=str(tmp_path))
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    started = _python(code, FJ_ENV="production", SECRET_KEY="s3cret-for-this-test", INSTANCE_PATH=str(tmp_path))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "started"


def test_gunicorn_conf_reads_settings_from_config():
    code = ("import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['workers'], c['threads'], c['worker_class'], c['bind'], c['wsgi_app'])")
    result = _python(code, WEB_CONCURRENCY="3", WEB_THREADS="2", BIND="127.0.0.1:8123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "2", "gthread", "['127.0.0.1:8123']", "app:create_app()"]


# --- security headers ----------------------------------------------------------------------------


def _plain_get_paths(app) -> list[str]:
    """Every GET route without URL parameters."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments})


def _assert_security_headers(response, *, ancestors="'none'") -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert f"frame-ancestors {ancestors}" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("X-Frame-Options") == ("DENY" if ancestors == "'none'" else "SAMEORIGIN")
    assert response.headers.get("X-Request-ID")


def test_security_headers_on_every_page_anonymous(client, app):
    paths = _plain_get_paths(app)
    assert "/" in paths and "/healthz" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code < 500, path
        _assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers, path


def test_security_headers_on_every_page_logged_in(client, app, make, login):
    admin = make.user(is_admin=True)
    login(admin)
    for path in _plain_get_paths(app):
        if path.startswith("/auth/logout"):
            continue
        response = client.get(path)
        assert response.status_code < 500, path
        _assert_security_headers(response)


def test_security_headers_on_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    _assert_security_headers(response)


def test_hsts_only_on_https(client):
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_forwarded_proto_trusted_only_behind_configured_proxy(tmp_path):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    plain = create_app({**_test_settings(tmp_path), "TRUSTED_PROXIES": 0})
    assert "Strict-Transport-Security" not in plain.test_client().get("/healthz", headers=headers).headers
    proxied = create_app({**_test_settings(tmp_path), "TRUSTED_PROXIES": 1})
    assert "Strict-Transport-Security" in proxied.test_client().get("/healthz", headers=headers).headers


def _test_settings(tmp_path) -> dict:
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI="sqlite://", STORAGE_DIR=str(tmp_path / "uploads"))
    return settings


def test_inline_file_may_be_framed_by_own_pages_only(app, client):
    # An attachment shown inline (the judges' PDF viewer) may sit in our own iframe; nothing else.
    @app.route("/_test/inline.pdf")
    def _inline():
        response = Response(b"%PDF-1.4\n", mimetype="application/pdf")
        response.headers.set("Content-Disposition", "inline", filename="a.pdf")
        return response

    @app.route("/_test/download.pdf")
    def _download():
        response = Response(b"%PDF-1.4\n", mimetype="application/pdf")
        response.headers.set("Content-Disposition", "attachment", filename="a.pdf")
        return response

    _assert_security_headers(client.get("/_test/inline.pdf"), ancestors="'self'")
    _assert_security_headers(client.get("/_test/download.pdf"))


def test_view_with_own_policy_gets_frame_ancestors(app, client):
    @app.route("/_test/sandboxed.pdf")
    def _sandboxed():
        response = Response(b"%PDF-1.4\n", mimetype="application/pdf")
        response.headers.set("Content-Disposition", "inline", filename="a.pdf")
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    policy = client.get("/_test/sandboxed.pdf").headers["Content-Security-Policy"]
    assert policy == "default-src 'none'; sandbox; frame-ancestors 'self'"


def test_attachment_shown_inline_may_be_framed_by_own_pages(app, client, make, login, freeze):
    """The judges' PDF viewer: the entrants' inline attachment route, framed by our pages only."""
    from werkzeug.datastructures import FileStorage

    from app.services.intake import application_form, entries
    from tests.factories import NOW

    freeze(NOW)
    entrant = make.user()
    contest = make.contest()
    make.round_(contest)
    field = application_form.add_field(contest, key="deck", type="file", label_en="Deck", accept=["pdf"])
    entry = entries.start_entry(contest, entrant)
    with app.test_request_context("/"):
        upload = FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="deck.pdf", content_type="application/pdf")
        attachment = entries.add_attachment(entry, field, upload, actor=entrant)
        db.session.commit()
    login(entrant)
    with client.get(f"/apply/files/{attachment.id}?inline=1") as inline:
        assert inline.status_code == 200
        assert "frame-ancestors 'self'" in inline.headers["Content-Security-Policy"]
        assert inline.headers["X-Frame-Options"] == "SAMEORIGIN"
    with client.get(f"/apply/files/{attachment.id}") as download:
        assert download.status_code == 200
        assert "frame-ancestors 'none'" in download.headers["Content-Security-Policy"]
        assert download.headers["X-Frame-Options"] == "DENY"


# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_ok_when_database_and_storage_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True
    assert response.headers["Cache-Control"] == "no-store"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_503_when_storage_unreachable(app, client):
    app.config.update(STORAGE_BACKEND="s3", S3_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
                      S3_ACCESS_KEY_ID="x", S3_SECRET_ACCESS_KEY="x")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_healthz_ok_with_s3_storage(app, client):
    from moto.server import ThreadedMotoServer

    from app.services.platform.storage import S3Storage

    port = _closed_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        settings = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                    "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test", "S3_BUCKET": "health"}
        app.config.update(settings)
        assert client.get("/healthz").status_code == 503  # no bucket yet
        S3Storage(bucket="health", endpoint_url=settings["S3_ENDPOINT_URL"], region="us-east-1",
                  access_key_id="test", secret_access_key="test").create_bucket()
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.get_json()["checks"]["storage"]["ok"] is True
    finally:
        server.stop()


def test_healthz_degraded_but_serving_when_redis_down(app, client):
    # Without Redis e-mail goes out in the request and rate limits count in memory: still serving.
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"]["ok"] is False


# --- request ids and request logs ----------------------------------------------------------------


def test_request_id_from_caller_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123.def"})
    assert response.headers["X-Request-ID"] == "abc-123.def"


def test_request_id_generated_when_missing_or_unsafe(client):
    generated = client.get("/").headers["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    unsafe = client.get("/", headers={"X-Request-ID": "bad id; with spaces"}).headers["X-Request-ID"]
    assert len(unsafe) == 32 and " " not in unsafe
    assert client.get("/").headers["X-Request-ID"] != generated


def test_request_log_is_one_json_line_with_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="formula_jury.request"):
        client.get("/healthz", headers={"X-Request-ID": "req-42"})
    records = [r for r in caplog.records if r.name == "formula_jury.request"]
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == "req-42"
    assert entry["method"] == "GET" and entry["path"] == "/healthz" and entry["status"] == 200
    assert entry["level"] == "INFO" and entry["duration_ms"] >= 0


def _failing_flush_view():
    """A view whose flush fails (a duplicate e-mail): the transaction can only be rolled back."""
    from app.models import User
    from app.services.platform.clock import now

    for _ in range(2):
        db.session.add(User(email="twice@example.org", name="Twice", created_at=now()))
    db.session.flush()


def test_failed_transaction_still_gives_error_page_with_headers_and_log(app, client, make, login, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/_test/broken", "broken", _failing_flush_view)
    login(make.user())
    with caplog.at_level(logging.INFO, logger="formula_jury.request"):
        response = client.get("/_test/broken", headers={"X-Request-ID": "broken-1"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    _assert_security_headers(response)
    assert response.headers["X-Request-ID"] == "broken-1"
    lines = [r for r in caplog.records if r.name == "formula_jury.request"]
    assert [(r.status, r.request_id, r.levelname) for r in lines] == [(500, "broken-1", "ERROR")]


def test_request_logged_even_when_error_page_fails(app, client, caplog):
    def broken_error_page(_error):
        raise RuntimeError("the error page itself fails")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/_test/broken", "broken", _failing_flush_view)
    app.register_error_handler(500, broken_error_page)
    with caplog.at_level(logging.INFO, logger="formula_jury.request"), \
            pytest.raises(RuntimeError, match="error page itself"):
        client.get("/_test/broken", headers={"X-Request-ID": "broken-2"})
    lines = [r for r in caplog.records if r.name == "formula_jury.request"]
    assert [(r.status, r.request_id) for r in lines] == [(500, "broken-2")]


def test_production_process_logs_json_lines(tmp_path):
    code = ("from app import create_app; app = create_app(); "
            "app.test_client().get('/healthz', headers={'X-Request-ID': 'from-test'})")
    result = _python(code, FJ_ENV="production", SECRET_KEY="k" * 32, INSTANCE_PATH=str(tmp_path),
                     DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}", STORAGE_DIR=str(tmp_path / "up"))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["logger"] == "formula_jury.request"]
    assert request_lines and request_lines[0]["request_id"] == "from-test"
    assert request_lines[0]["status"] == 200


# --- e-mail through the job queue ----------------------------------------------------------------


def queue_on_local_redis(app):
    """The app wired to the real local Redis (db 15) with a queue of its own; every key it leaves
    (jobs, results, registries) is removed afterwards. Used as `yield from` in fixtures."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    connection = Redis.from_url(REDIS_DB_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    app.config.update(REDIS_URL=REDIS_DB_URL, JOB_QUEUE=f"fj-test-{uuid.uuid4().hex[:12]}")
    queue = jobs.get_queue()
    yield queue
    _remove_queue(queue)
    app.config["REDIS_URL"] = None


@pytest.fixture
def redis_queue(app):
    yield from queue_on_local_redis(app)


def _remove_queue(queue) -> None:
    from rq import registry

    registries = [cls(queue=queue) for cls in (
        registry.FinishedJobRegistry, registry.FailedJobRegistry, registry.StartedJobRegistry,
        registry.DeferredJobRegistry, registry.ScheduledJobRegistry, registry.CanceledJobRegistry)]
    job_ids = set(queue.job_ids)
    for each in registries:
        job_ids.update(each.get_job_ids())
    connection = queue.connection
    for job_id in job_ids:
        connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}", f"rq:job:{job_id}:dependents")
    connection.delete(*[each.key for each in registries])
    queue.delete(delete_jobs=True)


def work(queue) -> None:
    """Runs every queued job in this process, as the job worker would."""
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)


_work = work


def _register(client, email: str):
    return client.post("/auth/register", data={
        "email": email, "name": "Queued", "password": "longenough", "password2": "longenough"})


def test_mail_sent_synchronously_without_redis(client, outbox):
    assert _register(client, "sync@example.org").status_code == 302
    assert [m["to"] for m in outbox] == ["sync@example.org"]


def test_mail_goes_through_queue_with_redis(client, outbox, redis_queue):
    assert _register(client, "queued@example.org").status_code == 302
    assert outbox == []
    assert redis_queue.count == 1
    _work(redis_queue)
    assert [m["to"] for m in outbox] == ["queued@example.org"]
    assert "/auth/confirm/" in outbox[0]["body"]
    assert redis_queue.count == 0


def test_mail_queued_only_after_commit(app, redis_queue):
    from app.services.platform.accounts import create_user

    with app.test_request_context("/"):
        create_user(email="later@example.org", name="Later")
        mail.send_mail(to="later@example.org", subject="s", body="b")
        assert redis_queue.count == 0
        db.session.commit()
        assert redis_queue.count == 1


def test_mail_dropped_when_request_rolls_back(app, redis_queue, outbox):
    from app.services.platform.accounts import create_user

    with app.test_request_context("/"):
        create_user(email="never@example.org", name="Never")
        mail.send_mail(to="never@example.org", subject="s", body="b")
        db.session.rollback()
        db.session.commit()
    assert redis_queue.count == 0
    _work(redis_queue)
    assert outbox == []


def test_mail_kept_when_only_a_savepoint_rolls_back(app, redis_queue):
    from sqlalchemy.exc import IntegrityError

    from app.services.platform.accounts import create_user

    with app.test_request_context("/"):
        create_user(email="kept@example.org", name="Kept")
        mail.send_mail(to="kept@example.org", subject="s", body="b")
        with pytest.raises(IntegrityError), db.session.begin_nested():
            create_user(email="kept@example.org", name="Duplicate")
        db.session.commit()
    assert redis_queue.count == 1


def test_mail_sent_in_request_when_redis_is_down(app, client, outbox):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    assert _register(client, "fallback@example.org").status_code == 302
    assert [m["to"] for m in outbox] == ["fallback@example.org"]


def test_mail_queued_at_response_when_view_does_not_commit(client, make, outbox, redis_queue):
    user = make.user(email="forgot@example.org")
    response = client.post("/auth/forgot", data={"email": user.email})
    assert response.status_code == 302
    assert redis_queue.count == 1
    _work(redis_queue)
    assert [m["to"] for m in outbox] == ["forgot@example.org"]


def test_rq_worker_process_delivers_queued_mail(app, redis_queue, tmp_path):
    """The real `rq worker` command with the app's worker class, as production runs it."""
    outbox_dir = tmp_path / "outbox"
    with app.test_request_context("/"):
        mail.send_mail(to="worker@example.org", subject="From the worker", body="Hello")
        db.session.commit()
    assert redis_queue.count == 1
    result = subprocess.run(
        [str(Path(sys.executable).with_name("rq")),  # installed beside this interpreter
         "worker", "--burst", "--url", REDIS_DB_URL, "--worker-class", "app.services.platform.jobs.AppWorker",
         redis_queue.name],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env=_env(FJ_ENV="production", SECRET_KEY="k" * 32, INSTANCE_PATH=str(tmp_path),
                 DATABASE_URL=f"sqlite:///{tmp_path / 'worker.sqlite'}", MAIL_OUTBOX_DIR=str(outbox_dir)),
    )
    assert result.returncode == 0, result.stderr
    delivered = [json.loads(p.read_text()) for p in outbox_dir.glob("*.json")]
    assert [(m["to"], m["subject"]) for m in delivered] == [("worker@example.org", "From the worker")]
