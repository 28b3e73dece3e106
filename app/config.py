"""Settings. This module is the only place that reads the environment."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))

# Used only in development and tests; production refuses to start without SECRET_KEY.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    ENV_NAME = os.environ.get("FJ_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # The site's public address: every link in an e-mail, in CLI output or built by a job starts
    # with it (never with the request's host). Required in production (create_app refuses to start).
    PUBLIC_URL = os.environ.get("PUBLIC_URL") or (
        "http://127.0.0.1:5000" if ENV_NAME == "development" else None)

    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'formula_jury.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Mail: without MAIL_SERVER messages are written to the log (and to MAIL_OUTBOX_DIR if set).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 587)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Formula Jury <noreply@formula-jury.example>")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR")

    # Redis: rate-limit storage and the job queue. Empty means in-process.
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "fj")
    # Should Redis fail, count in memory (per worker) rather than refuse every limited request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True

    # Attachments: "local" (a folder in instance/) or "s3".
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(INSTANCE_DIR / "uploads"))
    S3_BUCKET = os.environ.get("S3_BUCKET", "formula-jury")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY")
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_BYTES", 120 * 1024 * 1024)
    # All attachments of one entry together (DESIGN §7: 50 MB); per-file limits are per form field.
    ENTRY_MAX_BYTES = _int("ENTRY_MAX_BYTES", 50 * 1024 * 1024)
    # How many files one file field, and one entry over all its fields, may hold.
    FIELD_MAX_FILES = _int("FIELD_MAX_FILES", 20)
    ENTRY_MAX_FILES = _int("ENTRY_MAX_FILES", 50)
    # Where a form typed by someone whose session expired waits until they log in again.
    STASH_DIR = os.environ.get("STASH_DIR", str(INSTANCE_DIR / "stash"))

    # A file whose content is an ISO datetime that the app takes as "now" (end-to-end tests move
    # the clock this way instead of sleeping). Unset in production.
    CLOCK_FILE = os.environ.get("CLOCK_FILE")

    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Europe/Moscow"
    LANGUAGES = ("ru", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    SERVER_NAME = os.environ.get("SERVER_NAME")

    # Production web server (gunicorn.conf.py reads these) and operations (app/web.py).
    BIND = os.environ.get("BIND", "127.0.0.1:8000")
    WEB_CONCURRENCY = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
    WEB_THREADS = _int("WEB_THREADS", 4)
    WEB_TIMEOUT = _int("WEB_TIMEOUT", 120)
    WEB_KEEPALIVE = _int("WEB_KEEPALIVE", 5)
    # How many reverse proxies in front set X-Forwarded-For/-Proto (0: none, trust nothing).
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # "json": one JSON object per log line (request logs carry the request id); "text": plain.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if ENV_NAME == "development" else "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    HSTS_SECONDS = _int("HSTS_SECONDS", 365 * 24 * 3600)
    # The RQ queue of e-mail and export jobs (on REDIS_URL), and how long finished jobs are kept.
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "formula-jury")
    JOB_RESULT_TTL = _int("JOB_RESULT_TTL", 24 * 3600)

    # Password reset and confirmation links stay valid this long (seconds).
    TOKEN_MAX_AGE = _int("TOKEN_MAX_AGE", 24 * 3600)
    PASSWORD_HASH_METHOD: str | None = None  # Werkzeug's default (scrypt)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    TESTING = False


class TestConfig(Config):
    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "sqlite://"
    )
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # cheap, tests only
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = None
    REDIS_URL = None
    SERVER_NAME = "localhost"
    PUBLIC_URL = "http://localhost"
