"""The deadline second is judged when the submit arrives, not when a busy server gets to it: the
request is stamped before its body is read, or behind a trusted proxy by the proxy's
X-Request-Start header; the grace is bounded by the request timeout (WEB_TIMEOUT).

These tests run on the real clock (no frozen NOW): the round closes at a real second around the test.
"""

from __future__ import annotations

import io
import math
import time
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Entry, Round
from tests import entries_helpers as h


class TrickledBody(io.BytesIO):
    """A request body that arrives slowly: nothing can be read before `until` (epoch seconds), as
    when an upload is still on its way."""

    def __init__(self, data: bytes, until: float):
        super().__init__(data)
        self.until = until

    def _wait(self) -> None:
        time.sleep(max(self.until - time.time(), 0))

    def read(self, size=-1):
        self._wait()
        return super().read(size)

    def readline(self, size=-1):
        self._wait()
        return super().readline(size)

    def readinto(self, buffer):
        self._wait()
        return super().readinto(buffer)


@pytest.fixture
def draft(app, client, make, login):
    """An entrant's complete draft (with its file) in a call open on the real clock."""
    real = datetime.now(UTC)
    contest = make.contest(organiser=make.user())
    round_ = make.round_(contest, intake=(real - timedelta(days=1), real + timedelta(days=1)))
    h.add_form(contest)
    entrant = login(make.user())
    body = h.answers(contest, action="save")
    body["a_presentation"] = h.upload(h.pdf_bytes(), "p.pdf")
    assert client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data").status_code == 302
    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    return contest, round_, entry


def _close_at(round_: Round, second: float) -> datetime:
    closes_at = datetime.fromtimestamp(int(second), UTC)
    db.session.execute(sa.update(Round).where(Round.id == round_.id).values(intake_closes_at=closes_at))
    db.session.commit()
    return closes_at


def _submit(client, contest, entry, **options):
    return client.post(f"/apply/entries/{entry.id}/edit", **options)


def _submit_form(contest) -> dict:
    return h.answers(contest, action="submit")


def _stored(entry) -> Entry:
    db.session.expire_all()
    return db.session.get(Entry, entry.id)


def _next_second_if_late(margin: float = 0.7) -> float:
    """The current second, early enough in it that the request starts before it ends."""
    if time.time() % 1 > margin:
        time.sleep(math.ceil(time.time()) - time.time() + 0.01)
    return time.time()


def test_submit_is_judged_when_it_arrived_not_when_its_body_was_read(draft, client):
    contest, round_, entry = draft
    closes_at = _close_at(round_, _next_second_if_late())  # this very second, the last one allowed
    body = urllib.parse.urlencode(_submit_form(contest)).encode()
    # The body takes until well into the next second to arrive.
    trickled = TrickledBody(body, until=closes_at.timestamp() + 1.3)
    response = _submit(client, contest, entry, input_stream=trickled, content_length=len(body),
                       content_type="application/x-www-form-urlencoded")
    assert time.time() >= closes_at.timestamp() + 1.3
    assert response.status_code == 302
    stored = _stored(entry)
    assert (stored.status, stored.submitted_at) == ("submitted", closes_at)


def test_a_body_still_arriving_after_the_request_timeout_is_refused(app, draft, client):
    contest, round_, entry = draft
    app.config["WEB_TIMEOUT"] = 1
    closes_at = _close_at(round_, _next_second_if_late())
    body = urllib.parse.urlencode(_submit_form(contest)).encode()
    # Started in the deadline second, but read 2.3 s later: beyond the 1 s the server waits.
    trickled = TrickledBody(body, until=closes_at.timestamp() + 2.3)
    _submit(client, contest, entry, input_stream=trickled, content_length=len(body),
            content_type="application/x-www-form-urlencoded")
    stored = _stored(entry)
    assert (stored.status, stored.submitted_at) == ("draft", None)


@pytest.mark.parametrize(("trusted", "started", "accepted"), [
    (1, 0.7, True),     # sent within the deadline second, reached the app 10 s later
    (1, 0.0, True),
    (1, 1.0, False),    # sent one second after
    (0, 0.7, False),    # no trusted proxy: the header is a client's, and ignored
])
def test_a_trusted_proxys_request_start_decides(app, draft, client, trusted, started, accepted):
    contest, round_, entry = draft
    app.config["TRUSTED_PROXIES"] = trusted
    closes_at = _close_at(round_, time.time() - 10)
    header = f"t={closes_at.timestamp() + started:.3f}"
    _submit(client, contest, entry, data=_submit_form(contest), headers={"X-Request-Start": header})
    stored = _stored(entry)
    if accepted:
        assert (stored.status, stored.submitted_at) == ("submitted", closes_at)
    else:
        assert (stored.status, stored.submitted_at) == ("draft", None)


@pytest.mark.parametrize("header", [
    "t={old:.3f}",       # older than the request timeout: the grace is bounded
    "t={future:.3f}",    # ahead of the app's clock: never later than the app's own stamp
    "{old_ms}",          # the same in milliseconds
    "t=soon",            # unreadable: the app's own stamp
])
def test_a_proxys_request_start_is_bounded(app, draft, client, header):
    contest, round_, entry = draft
    app.config.update(TRUSTED_PROXIES=1, WEB_TIMEOUT=120)
    closes_at = _close_at(round_, time.time() - 150)
    old = closes_at.timestamp() - 1
    value = header.format(old=old, old_ms=int(old * 1000), future=time.time() + 3600)
    _submit(client, contest, entry, data=_submit_form(contest), headers={"X-Request-Start": value})
    stored = _stored(entry)
    assert (stored.status, stored.submitted_at) == ("draft", None)
