"""A 100 MB upload to a real server process: its peak memory grows by less than 20 MB.

The server is Werkzeug's, in a separate process on 127.0.0.1 (a free port), serving the app with
a SQLite file; the upload is streamed from a generator, and the child's VmHWM (peak resident
memory) is read from /proc before and after.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

MB = 1024 * 1024
UPLOAD_BYTES = 100 * MB
PASSWORD = "password123"

SERVER = textwrap.dedent('''
    import sys
    from datetime import timedelta

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.services.platform import accounts
    from app.services.intake import application_form
    from app.services.setup import contests
    from app.services.platform.clock import now

    folder = sys.argv[1]

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/app.sqlite"
        STORAGE_BACKEND = "local"
        STORAGE_DIR = f"{folder}/uploads"
        STASH_DIR = f"{folder}/stash"
        MAX_CONTENT_LENGTH = 120 * 1024 * 1024
        ENTRY_MAX_BYTES = 150 * 1024 * 1024

    app = create_app(Config)
    with app.app_context():
        db.create_all()
        contest = contests.create_contest(slug="memory", title_ru="Память", title_en="Memory")
        contests.add_nomination(contest, key="main", title_ru="Основная", title_en="Main")
        contests.add_round(contest, key="r1", title_ru="Тур", title_en="Round",
                           intake_opens_at=now() - timedelta(days=1), intake_closes_at=now() + timedelta(days=1))
        application_form.add_field(contest, key="video", type="file", label_en="Material",
                                   accept=["pdf"], max_size=110 * 1024 * 1024)
        accounts.create_user(email="entrant@example.org", name="Entrant", password="password123",
                             confirmed=True)
        db.session.commit()

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=False)
    print(server.port, flush=True)
    server.serve_forever()
''')


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _multipart(boundary: str, fields: dict, file_field: str, filename: str, size: int):
    """(content length, generator of the body): the file's bytes are made chunk by chunk."""
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ) + (f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
         "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    digest = hashlib.sha256()

    def body():
        yield head
        sent = 0
        chunk = b"%" + b"x" * (MB - 2) + b"\n"
        while sent < size:
            piece = b"%PDF-1.4\n" + chunk[9:] if sent == 0 else chunk
            piece = piece[: size - sent]
            digest.update(piece)
            sent += len(piece)
            yield piece
        yield tail

    return len(head) + size + len(tail), body(), digest


class Browser:
    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body=None, headers=None, length: int | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is None or isinstance(body, bytes):
            connection.request(method, path, body=body, headers=headers)
        else:
            connection.putrequest(method, path)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(length))
            connection.endheaders()
            for piece in body:
                connection.send(piece)
        response = connection.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response.status, response.getheader("Location"), data

    def upload(self, path: str, size: int, name: str):
        boundary = "----fjmemorytest"
        length, body, digest = _multipart(boundary, {"title": "Memory", "action": "save"}, "a_video", name, size)
        status, location, _data = self.request(
            "POST", path, body=body, length=length,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, location, digest.hexdigest()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_hundred_megabyte_upload_keeps_server_memory_flat(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("TEST_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    child = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path)], cwd=PROJECT_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(child.stdout.readline().strip())
        browser = Browser(port)
        status, _location, _data = browser.request(
            "POST", "/auth/login", body=urllib.parse.urlencode(
                {"email": "entrant@example.org", "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302

        # Warm up every code path with a small upload first, so imports do not count.
        status, location, _digest = browser.upload("/apply/memory/new", 200 * 1024, "small.pdf")
        assert status == 302, "the warm-up upload failed"
        edit_path = urllib.parse.urlsplit(location).path
        browser.request("GET", edit_path)
        before = _peak_kb(child.pid)

        started = time.monotonic()
        status, location, digest = browser.upload(edit_path, UPLOAD_BYTES, "big.pdf")
        elapsed = time.monotonic() - started
        after = _peak_kb(child.pid)
        assert status == 302
    finally:
        child.terminate()
        child.wait(timeout=10)
        child.stdout.close()

    growth_mb = (after - before) / 1024
    print(f"\npeak memory before {before / 1024:.1f} MB, after {after / 1024:.1f} MB, "
          f"growth {growth_mb:.1f} MB; 100 MB upload took {elapsed:.1f} s")
    assert growth_mb < 20

    with sqlite3.connect(tmp_path / "app.sqlite") as connection:
        size, sha256, key = connection.execute(
            "SELECT size, sha256, storage_key FROM attachment WHERE filename = 'big.pdf'").fetchone()
    assert size == UPLOAD_BYTES
    assert sha256 == digest
    assert (tmp_path / "uploads" / key).stat().st_size == UPLOAD_BYTES
