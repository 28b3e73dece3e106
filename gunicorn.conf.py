"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every value comes from app/config.py (the only reader of the environment): BIND, WEB_CONCURRENCY,
WEB_THREADS, WEB_TIMEOUT, WEB_KEEPALIVE, LOG_FORMAT, LOG_LEVEL. Sessions live in signed cookies and files in
the storage backend, so any worker can serve any request and a worker may die at any time.
"""

from app.config import Config

wsgi_app = "app:create_app()"
bind = Config.BIND.split(",")
workers = Config.WEB_CONCURRENCY
# Threads let a worker wait on the database, storage or a slow client without blocking the
# others; one thread means gunicorn's plain synchronous worker.
threads = Config.WEB_THREADS
worker_class = "gthread" if Config.WEB_THREADS > 1 else "sync"
timeout = Config.WEB_TIMEOUT
graceful_timeout = 30
# Seconds an idle client connection is kept open (longer when a proxy in front reuses them).
keepalive = Config.WEB_KEEPALIVE
# Each worker builds its own app (and database pool) after the fork: no connection is shared.
preload_app = False
# A worker that leaks is replaced now and then; the jitter keeps them from restarting at once.
max_requests = 5000
max_requests_jitter = 500
# The app writes one structured line per request (app/web.py); gunicorn's own access log is off.
accesslog = None
loglevel = Config.LOG_LEVEL.lower()
forwarded_allow_ips = "*" if Config.TRUSTED_PROXIES else "127.0.0.1"
proc_name = "formula-jury"
# gunicorn's runtime control socket (gunicornc) is not used; several instances may share a host.
control_socket_disable = True

if Config.LOG_FORMAT == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "app.web.JsonFormatter"}},
        "handlers": {
            "stderr": {"()": "app.web.log_handler", "formatter": "json"},
        },
        "root": {"handlers": ["stderr"], "level": Config.LOG_LEVEL.upper()},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": Config.LOG_LEVEL.upper(), "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
