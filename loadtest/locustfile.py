"""The load: entrants drafting, uploading and submitting around the deadline, judges scoring.

Run by loadtest/run.py (which seeds the database and sets the environment below); every write
the server acknowledges is appended to acks.jsonl so run.py can check it is really stored.

    LOADTEST_SEED   seed.json written by loadtest/seed.py
    LOADTEST_OUT    folder for acks.jsonl and responses.json
    LOADTEST_DEADLINE, LOADTEST_START, LOADTEST_END   epoch seconds
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import time
import uuid
from collections import Counter
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser
from urllib3 import encode_multipart_formdata

SEED = json.loads(Path(os.environ["LOADTEST_SEED"]).read_text())
OUT = Path(os.environ["LOADTEST_OUT"])
DEADLINE = float(os.environ["LOADTEST_DEADLINE"])
START = float(os.environ["LOADTEST_START"])
END = float(os.environ["LOADTEST_END"])
MIN_FILE = int(os.environ.get("LOADTEST_MIN_FILE", 1024 * 1024))
MAX_FILE = int(os.environ.get("LOADTEST_MAX_FILE", 5 * 1024 * 1024))
# Share of entrants who try to submit after the deadline (they must all be refused).
LATE_SHARE = float(os.environ.get("LOADTEST_LATE_SHARE", "0.15"))
# Seconds before the deadline over which the others submit; seconds over which people arrive;
# a person's pause between two actions.
SUBMIT_SPREAD = float(os.environ.get("LOADTEST_SUBMIT_SPREAD", "25"))
ARRIVAL_SPREAD = float(os.environ.get("LOADTEST_ARRIVAL_SPREAD", "15"))
THINK = (float(os.environ.get("LOADTEST_THINK_MIN", "2")), float(os.environ.get("LOADTEST_THINK_MAX", "6")))

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
_entrant_numbers = itertools.count()
_judge_numbers = itertools.count()
_acks = (OUT / "acks.jsonl").open("a", buffering=1)

# Every response by request name and status, and each 5xx or connection error with its time.
statuses: Counter = Counter()
failures: list[dict] = []


def record(**fields) -> None:
    _acks.write(json.dumps(fields) + "\n")


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, response=None, exception=None,
                start_time=None, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    statuses[f"{name}|{status}"] += 1
    if status >= 500 or status == 0:
        failures.append({"name": name, "status": status, "t": start_time, "error": repr(exception)[:200],
                         "request_id": (getattr(response, "headers", None) or {}).get("X-Request-ID")})


@events.quitting.add_listener
def _on_quit(environment, **_kwargs):
    (OUT / "responses.json").write_text(json.dumps({"statuses": statuses, "failures": failures}))
    _acks.flush()


def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        gevent.sleep(delay)


def _think(low: float = 0.5, high: float = 2.0) -> None:
    gevent.sleep(random.uniform(low, high))


class Person(FastHttpUser):
    abstract = True
    network_timeout = 120.0
    connection_timeout = 30.0

    def request(self, method: str, path: str, name: str, **kwargs):
        headers = kwargs.pop("headers", {})
        headers["X-Request-ID"] = f"lt-{uuid.uuid4().hex[:20]}"
        return self.client.request(method, path, name=name, headers=headers, allow_redirects=False,
                                   catch_response=True, **kwargs)

    def closed(self, response) -> bool:
        """The server's answer once the call is closed: back to the entry (or contest) page."""
        location = response.headers.get("Location", "") if response.headers else ""
        return response.status_code == 302 and bool(
            re.search(r"/apply/entries/\d+/$", location) or location.rstrip("/").endswith(f"/c/{SEED['call']['slug']}"))

    def csrf_from(self, path: str, name: str) -> str | None:
        with self.request("GET", path, name) as response:
            if self.closed(response):
                response.success()  # the application form is closed: the deadline has passed
                return None
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            match = CSRF.search(response.text or "")
            if not match:
                response.failure("no CSRF token on the page")
                return None
            response.success()
            return match.group(1)

    def get(self, path: str, name: str) -> None:
        with self.request("GET", path, name) as response:
            if response.status_code == 200:
                response.success()
            elif response.status_code != 0:
                response.failure(str(response.status_code))

    def log_in(self, email: str) -> None:
        while time.time() < END:
            token = self.csrf_from("/auth/login", "login page")
            if token:
                with self.request("POST", "/auth/login", "log in", data={
                        "csrf_token": token, "email": email, "password": SEED["password"]}) as response:
                    if response.status_code == 302:
                        response.success()
                        return
                    response.failure(f"log in: status {response.status_code}")
            _think(1, 2)
        raise StopUser()


class Entrant(Person):
    """Logs in, starts an application, uploads a file of 1–5 MB, saves drafts, then submits at a
    moment before the deadline (some, on purpose, just after it) and looks at their applications."""

    fixed_count = len(SEED["entrants"])

    def on_start(self):
        self.number = next(_entrant_numbers)
        self.email = SEED["entrants"][self.number]
        self.entry_id: int | None = None
        self.summary = ""
        late = random.random() < LATE_SHARE
        self.submit_at = DEADLINE + random.uniform(1.2, 8) if late else DEADLINE - random.uniform(0.5, SUBMIT_SPREAD)
        _sleep_until(START + random.uniform(0, ARRIVAL_SPREAD))  # people arrive over a while
        self.log_in(self.email)

    def application(self, token: str, action: str) -> dict:
        call = SEED["call"]
        return {"csrf_token": token, "title": f"Project of {self.email}",
                "nomination": str(random.choice(call["nomination_ids"])),
                f"a_{call['text_field']}": self.summary, "action": action}

    def save_draft(self, path: str, name: str) -> str:
        token = self.csrf_from(path, "application form")
        if not token:
            return "closed" if time.time() >= DEADLINE else "error"
        self.summary = f"Summary {uuid.uuid4().hex} " + "text " * random.randint(20, 150)
        record(kind="draft_attempt", email=self.email, entry=self.entry_id, summary=self.summary)
        with self.request("POST", path, name, data=self.application(token, "save")) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            match = re.search(r"/apply/entries/(\d+)/edit", location)
            if response.status_code == 302 and match:
                self.entry_id = int(match.group(1))
                record(kind="draft", email=self.email, entry=self.entry_id, summary=self.summary)
                response.success()
                return "saved"
            if self.closed(response):
                response.success()  # refused: the call closed between the form and the save
                return "closed"
            if response.status_code != 0:
                response.failure(f"draft: status {response.status_code} {location}")
            return "error"

    def upload(self) -> str:
        path = f"/apply/entries/{self.entry_id}/edit"
        token = self.csrf_from(path, "application form")
        if not token:
            return "closed" if time.time() >= DEADLINE else "error"
        size = random.randint(MIN_FILE, MAX_FILE)
        content = b"%PDF-1.4\n%" + uuid.uuid4().hex.encode() + b"\n" + os.urandom(size - 60) + b"\n%%EOF\n"
        filename = f"deck-{uuid.uuid4().hex[:8]}.pdf"
        fields = list(self.application(token, "save").items())
        fields.append((f"a_{SEED['call']['file_field']}", (filename, content, "application/pdf")))
        body, content_type = encode_multipart_formdata(fields)
        with self.request("POST", path, "upload 1–5 MB", data=body,
                          headers={"Content-Type": content_type}) as response:
            if response.status_code == 302 and (response.headers.get("Location") or "").endswith("/edit"):
                record(kind="upload", email=self.email, entry=self.entry_id, filename=filename,
                       size=len(content), sha256=hashlib.sha256(content).hexdigest(), summary=self.summary)
                response.success()
                return "saved"
            if self.closed(response):
                response.success()
                return "closed"
            if response.status_code != 0:
                response.failure(f"upload: status {response.status_code}")
            return "error"

    def submit(self) -> str:
        path = f"/apply/entries/{self.entry_id}/edit"
        sent = time.time()
        token = self.csrf_from(path, "application form")
        if token is None:
            outcome = "refused" if time.time() >= DEADLINE else "error"
            record(kind="submit", email=self.email, entry=self.entry_id, sent=sent, outcome=outcome)
            return outcome
        sent = time.time()
        with self.request("POST", path, "submit", data=self.application(token, "submit")) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code == 302 and location.rstrip("/").endswith("/submitted"):
                outcome = "accepted"
                response.success()
            elif self.closed(response):
                outcome = "refused"
                response.success()
            elif response.status_code == 0:
                outcome = "error"  # the connection broke (a worker was killed): not acknowledged
            else:
                outcome = "invalid"
                response.failure(f"submit: status {response.status_code} {location}")
        record(kind="submit", email=self.email, entry=self.entry_id, sent=sent, answered=time.time(),
               outcome=outcome, summary=self.summary)
        if outcome == "accepted":
            self.get(location, "submitted page")
        return outcome

    @task
    def journey(self):
        self.get(f"/c/{SEED['call']['slug']}/", "contest page")
        _think(*THINK)
        # As a person would after an error page, each step is tried again until the call closes.
        while self.entry_id is None and time.time() < DEADLINE:
            if self.save_draft(f"/apply/{SEED['call']['slug']}/new", "start application") != "saved":
                _think(*THINK)
        uploaded = False
        while self.entry_id is not None and not uploaded and time.time() < DEADLINE:
            _think(*THINK)
            uploaded = self.upload() == "saved"
        for _ in range(random.randint(0, 2)):
            if time.time() > self.submit_at - 10:
                break
            _think(*THINK)
            self.save_draft(f"/apply/entries/{self.entry_id}/edit", "save draft")
        if uploaded:  # without its required file an application cannot be submitted
            _sleep_until(self.submit_at)
            if self.submit() == "error":
                _think(0.5, 1.5)
                self.submit()
        while time.time() < END:
            _think(10, 20)
            self.get("/apply/", "my applications")
        gevent.sleep(max(END - time.time(), 0) + 60)


class Judge(Person):
    """Logs in and scores the assigned entries one after another: opens the entry, autosaves,
    saves a draft, submits; then revises submitted reviews until the run ends."""

    fixed_count = len(SEED["judges"])

    def on_start(self):
        self.number = next(_judge_numbers)
        judge = SEED["judges"][self.number]
        self.email, self.entry_ids = judge["email"], list(judge["entry_ids"])
        self.round_id = SEED["judging"]["round_id"]
        self.criteria = SEED["judging"]["criteria"]
        self.submitted: set[int] = set()
        _sleep_until(START + random.uniform(0, ARRIVAL_SPREAD))
        self.log_in(self.email)

    def scores(self) -> dict:
        return {c["id"]: random.randint(c["min"], c["max"]) for c in self.criteria}

    def form(self, token: str, scores: dict, action: str) -> dict:
        data = {"csrf_token": token, "action": action, "comment": "Overall fine.", "feedback": "Keep going."}
        for criterion_id, value in scores.items():
            data[f"score_{criterion_id}"] = str(value)
            data[f"comment_{criterion_id}"] = f"Because {value}."
        return data

    def score_entry(self, entry_id: int) -> None:
        path = f"/jury/rounds/{self.round_id}/entries/{entry_id}"
        token = self.csrf_from(path, "judge: entry page")
        if not token:
            return
        _think(*THINK)
        scores = self.scores()
        if entry_id not in self.submitted:
            partial = dict(list(scores.items())[:3])
            with self.request("POST", f"{path}/autosave", "judge: autosave",
                              data=self.form(token, partial, "save")) as response:
                status = (response.json() or {}).get("status") if response.status_code == 200 else None
                if status in ("saved", "submitted"):
                    response.success()
                elif response.status_code != 0:
                    response.failure(f"autosave: {response.status_code} {status}")
            _think(*THINK)
            with self.request("POST", path, "judge: save draft", data=self.form(token, scores, "save")) as response:
                if response.status_code == 302:
                    response.success()
                elif response.status_code != 0:
                    response.failure(str(response.status_code))
            _think(*THINK)
        record(kind="review_attempt", email=self.email, round=self.round_id, entry=entry_id, scores=scores)
        with self.request("POST", path, "judge: submit", data=self.form(token, scores, "submit")) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code == 302 and location.rstrip("/").endswith("/jury"):
                response.success()
                self.submitted.add(entry_id)
                record(kind="review", email=self.email, round=self.round_id, entry=entry_id, scores=scores)
            elif response.status_code != 0:
                response.failure(f"submit: {response.status_code} {location}")

    @task
    def work(self):
        self.get("/jury/", "judge: dashboard")
        for entry_id in itertools.cycle(self.entry_ids):
            if time.time() >= END:
                break
            _think(*THINK)
            self.score_entry(entry_id)
            self.get("/jury/", "judge: dashboard")
        gevent.sleep(max(END - time.time(), 0) + 60)
