"""The app served by a real server process on 127.0.0.1, on a fresh database: SQLite, or a new
PostgreSQL database beside TEST_DATABASE_URL's when the suite runs on PostgreSQL.

The process reads "now" from CLOCK_FILE and writes every e-mail as JSON into MAIL_OUTBOX_DIR,
so the suite moves time by writing a file and reads confirmation links from a folder.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT

ADMIN_EMAIL = "admin@example.org"
ADMIN_NAME = "Alexandra Adamova"
PASSWORD = "e2e-password-1"

# Variables of the developer's or CI's shell that must not leak into the served app.
_SCRUBBED = ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "FLASK_DEBUG",
             "FLASK_APP", "SERVER_NAME", "STORAGE_BACKEND", "FJ_ENV", "SECRET_KEY", "PUBLIC_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FreshDatabase:
    """An empty database for one served app, on the engine the rest of the suite runs on."""

    def __init__(self, workdir: Path):
        base = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
        self.server_url = make_url(base) if base.startswith("postgresql") else None
        if self.server_url is None:
            self.url = f"sqlite:///{workdir / 'e2e.sqlite'}"
        else:
            self.name = f"{self.server_url.database}_e2e_{os.getpid()}_{free_port()}"
            self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def create(self) -> None:
        if self.server_url is not None:
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.server_url is not None:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class LiveServer:
    def __init__(self, workdir: Path, log_path: Path):
        self.workdir = workdir
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.clock_file = workdir / "clock"
        self.mail_dir = workdir / "mail"
        self.env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED}
        self.database = FreshDatabase(workdir)
        self.env.update({
            "DATABASE_URL": self.database.url,
            "MAIL_OUTBOX_DIR": str(self.mail_dir),
            "CLOCK_FILE": str(self.clock_file),
            "STORAGE_DIR": str(workdir / "uploads"),
            "INSTANCE_PATH": str(workdir / "instance"),
            "RATELIMIT_ENABLED": "0",
            "PYTHONUNBUFFERED": "1",
            "PUBLIC_URL": self.base_url,  # the links in its e-mails
        })
        self.process: subprocess.Popen | None = None
        self._log = None
        self._log_offset = 0

    # -- life cycle ---------------------------------------------------------------------------

    def _flask(self, *args: str) -> None:
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=self.env, capture_output=True,
                                text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"`flask {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> LiveServer:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.database.create()
        self._flask("db", "upgrade")
        self._flask("create-admin", "--email", ADMIN_EMAIL, "--name", ADMIN_NAME,
                    "--password", PASSWORD)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command(), cwd=PROJECT_ROOT, env=self.env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"the server did not answer in 30 s:\n{self.log_path.read_text()}")

    def command(self) -> list[str]:
        """gunicorn (one process, threads: fast static files, one SQLite writer), else `flask run`."""
        try:
            import gunicorn
        except ImportError:
            return [sys.executable, "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1",
                    "--port", str(self.port), "--no-reload", "--no-debugger", "--with-threads"]
        config = self.workdir / "gunicorn_e2e.conf.py"  # empty: not the production settings file
        config.write_text("")
        command = [sys.executable, "-m", "gunicorn", "--config", str(config),
                   "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "8",
                   "--worker-class", "gthread", "--graceful-timeout", "2", "app:create_app()"]
        if gunicorn.version_info >= (27,):
            command.append("--no-control-socket")  # several suites may run side by side
        return command

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.database.drop()

    # -- helpers for the journey ----------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def set_clock(self, moment: datetime) -> None:
        """Move the app's "now" (an aware datetime); takes effect on the next request."""
        if moment.tzinfo is None:
            raise ValueError("give the clock a time zone")
        self.clock_file.write_text(moment.isoformat())

    def mails(self, to: str | None = None) -> list[dict]:
        messages = []
        for path in sorted(self.mail_dir.glob("*.json")):
            message = json.loads(path.read_text(encoding="utf-8"))
            if to is None or message["to"].lower() == to.lower():
                messages.append(message)
        return messages

    def link_in_mail(self, to: str, path_part: str, timeout: float = 5.0) -> str:
        """The newest link containing path_part in a message to `to` (waits for it a little)."""
        pattern = re.compile(r"https?://\S*" + re.escape(path_part) + r"\S*")
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.mails(to)):
                match = pattern.search(message["body"])
                if match:
                    return match.group(0)
            if time.monotonic() > deadline:
                subjects = [m["subject"] for m in self.mails(to)]
                raise AssertionError(f"no mail to {to} with a link to {path_part}; got {subjects}")
            time.sleep(0.1)

    def new_log_errors(self) -> list[str]:
        """Tracebacks and 5xx lines the server logged since the last call."""
        if self._log is not None:
            self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        fresh, self._log_offset = text[self._log_offset:], len(text)
        errors = []
        for block in re.split(r"\n(?=\S)", fresh):
            if "Traceback (most recent call last)" in block or re.search(r'" 5\d\d -|[A-Z]+ \S+ 5\d\d \d', block):
                errors.append(block.strip()[-3000:])
        return errors
