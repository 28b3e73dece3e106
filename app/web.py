"""Running behind a web server: request ids, structured logs, security headers, proxies, and the
moment each request arrived."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, got_request_exception, has_request_context, request, session

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it is short and plain, so it is safe in logs and headers.
_REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_log = logging.getLogger("formula_jury.request")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-src 'self'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
)


def init_app(app: Flask) -> None:
    register_logging(app)
    register_request_id(app)
    register_proxy_fix(app)  # outside the request id layer, so the log sees the real client
    register_security_headers(app)
    register_arrival(app)  # the outermost layer: it runs first, before anything reads the body

    from app.services.platform import jobs

    jobs.init_app(app)


# --- proxies ---------------------------------------------------------------------------------


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto only from as many proxies as TRUSTED_PROXIES says."""
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Never X-Forwarded-Host: the client could send it, and no link is built from the host anyway
        # (links use PUBLIC_URL, services/platform/links.py).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)


# --- arrival ---------------------------------------------------------------------------------

ARRIVAL_KEY = "fj.arrived"
REQUEST_START_HEADER = "HTTP_X_REQUEST_START"
# "t=1745963999.123" (nginx's $msec), or whole milliseconds or microseconds since the epoch.
_REQUEST_START_PATTERN = re.compile(r"\s*(?:t=)?(\d{1,17}(?:\.\d{1,6})?)\s*")


def request_start_header(value: str) -> float | None:
    """The epoch seconds in a proxy's X-Request-Start header, or None when it does not parse."""
    match = _REQUEST_START_PATTERN.fullmatch(value or "")
    if match is None:
        return None
    number = float(match.group(1))
    if "." not in match.group(1):
        if number >= 1e14:
            number /= 1e6  # microseconds (Apache's %t)
        elif number >= 1e11:
            number /= 1e3  # milliseconds
    return number


class ArrivalMiddleware:
    """Stamps each request with the moment it arrived, before the app reads its body: a submit that
    left before the deadline is judged by that moment (services.platform.clock.now), not by when a
    busy server got round to it, nor by how long its upload took.

    Behind TRUSTED_PROXIES proxies, the first of them has seen the request earlier: its
    X-Request-Start header (README, "The reverse proxy") is taken instead, never later than the
    app's own stamp. Without a trusted proxy the header is a client's, and ignored.
    """

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        arrived = time.time()
        header = environ.get(REQUEST_START_HEADER)
        if header and self.config.get("TRUSTED_PROXIES"):
            started = request_start_header(header)
            if started is not None:
                arrived = min(started, arrived)
        environ[ARRIVAL_KEY] = arrived
        return self.wsgi_app(environ, start_response)


def register_arrival(app: Flask) -> None:
    app.wsgi_app = ArrivalMiddleware(app.wsgi_app, app.config)


# --- logging ---------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record written while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


# Attributes every LogRecord has; anything else was passed with extra= and goes into the JSON.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def log_handler() -> logging.Handler:
    """The handler of our log lines (to stderr); gunicorn.conf.py installs the same one."""
    handler = logging.StreamHandler()
    handler._formula_jury = True
    handler.addFilter(RequestIdFilter())
    return handler


def register_logging(app: Flask) -> None:
    """Outside tests, logs go to stderr, as JSON lines (LOG_FORMAT=json) or plain text."""
    if app.testing:
        return
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_formula_jury", False)), None)
    if handler is None:
        handler = log_handler()
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_FORMAT") == "json" else TextFormatter())
    root.setLevel(app.config.get("LOG_LEVEL", "INFO").upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, per boot


# --- request ids and request logs ----------------------------------------------------------------


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """The outermost layer of the app: gives the request its id and, should the app itself fail
    (so that no response of ours exists), still writes the request's log line."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        environ["fj.request_id"] = incoming if _REQUEST_ID_PATTERN.fullmatch(incoming) else new_request_id()
        environ["fj.started"] = time.perf_counter()
        try:
            return self.wsgi_app(environ, start_response)
        except Exception:
            if not environ.get("fj.logged"):
                duration_ms = round((time.perf_counter() - environ["fj.started"]) * 1000, 1)
                request_log.error(
                    "%s %s 500 %sms id=%s (unhandled)", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"),
                    duration_ms, environ["fj.request_id"],
                    extra={"request_id": environ["fj.request_id"], "method": environ.get("REQUEST_METHOD"),
                           "path": environ.get("PATH_INFO"), "status": 500, "duration_ms": duration_ms,
                           "remote_addr": environ.get("REMOTE_ADDR")},
                )
            raise


def register_request_id(app: Flask) -> None:
    """Every request gets an id (the caller's X-Request-ID when sane), echoed in the response
    and written, with method, path, status and duration, as one log line."""
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)

    @app.before_request
    def _start():
        g.request_id = request.environ.get("fj.request_id") or new_request_id()

    @got_request_exception.connect_via(app, weak=False)
    def _rollback(_sender, **_extra):
        # A failed statement leaves the transaction unusable; the error page (which reads the
        # navigation from the database) must not fail on it too.
        from app.extensions import db

        db.session.rollback()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id") or request.environ.get("fj.request_id") or new_request_id()
        response.headers[REQUEST_ID_HEADER] = request_id
        started = request.environ.get("fj.started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        # The id Flask-Login keeps in the session: asking current_user would read the account
        # again after a commit has expired it, one query per request for a log line.
        user_id = (session.get("_user_id") or "").partition(":")[0] or None  # "<id>:<version>"
        request_log.log(
            logging.ERROR if response.status_code >= 500 else logging.INFO,
            "%s %s %s %sms id=%s", request.method, request.path, response.status_code, duration_ms, request_id,
            extra={
                "request_id": request_id, "method": request.method, "path": request.path,
                "status": response.status_code, "duration_ms": duration_ms,
                "bytes": response.calculate_content_length(), "remote_addr": request.remote_addr,
                "user_id": user_id, "endpoint": request.endpoint,
            },
        )
        request.environ["fj.logged"] = True
        return response


# --- security headers --------------------------------------------------------------------------


def allow_same_origin_framing(response: Response) -> Response:
    """Lets our own pages show this response in an <iframe> (a PDF attachment viewed inline)."""
    response.frame_same_origin = True
    return response


def _framable(response: Response) -> bool:
    if getattr(response, "frame_same_origin", False):
        return True
    # A file served for viewing in the browser (not as a download) may sit in our own iframe.
    disposition = response.headers.get("Content-Disposition", "")
    return disposition.lower().startswith("inline")


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        framable = _framable(response)
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "SAMEORIGIN" if framable else "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        ancestors = "'self'" if framable else "'none'"
        own_policy = headers.get("Content-Security-Policy")
        if own_policy is None:
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(ancestors=ancestors)
        elif "frame-ancestors" not in own_policy:
            # A view with a stricter policy of its own (a sandboxed file) still says who may frame it.
            headers["Content-Security-Policy"] = f"{own_policy.rstrip('; ')}; frame-ancestors {ancestors}"
        if request.is_secure and app.config.get("HSTS_SECONDS"):
            headers.setdefault("Strict-Transport-Security",
                               f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains")
        return response
