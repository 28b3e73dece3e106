"""Races on one review: two submits at once, and an autosave racing a submit.

The thread tests need two real database connections in two transactions; they run on
PostgreSQL. Both requests are held at their first write until both have read the review, so
the race really happens every time.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent, Review
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh


def _needs_postgres():
    if db.engine.dialect.name == "sqlite":
        pytest.skip("in-memory SQLite shares one connection, so two concurrent transactions cannot be "
                    "run; this race is tested on PostgreSQL (TEST_DATABASE_URL)")


class FirstWriteBarrier:
    """Holds each worker thread at its first flush until every worker has got there."""

    def __init__(self, parties: int):
        self.barrier = threading.Barrier(parties, timeout=5)
        self.local = threading.local()

    def __call__(self, session, flush_context, instances):
        if threading.current_thread() is threading.main_thread() or getattr(self.local, "done", False):
            return
        self.local.done = True
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            pass


def _race(app, login_as, calls: list[tuple[str, dict]]) -> list:
    """Runs the POSTs at once, each from its own logged-in client in its own thread."""
    clients = []
    for _ in calls:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": login_as.email, "password": factories.PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    db.session.remove()  # the main thread holds no transaction while the workers race
    barrier = FirstWriteBarrier(len(calls))
    results: list = [None] * len(calls)

    def work(index: int) -> None:
        path, data = calls[index]
        try:
            with app.app_context():  # the test client tidies the session of the calling context
                response = clients[index].post(path, data=data)
            results[index] = (response.status_code, response.get_json(silent=True))
        except Exception as error:  # noqa: BLE001 - reported in the assertion below
            results[index] = error

    sa.event.listen(Session, "before_flush", barrier)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        sa.event.remove(Session, "before_flush", barrier)
    return results


def _reviews():
    return list(db.session.scalars(sa.select(Review).execution_options(populate_existing=True)))


def test_two_first_submits_at_once_give_one_review(app, freeze):
    _needs_postgres()
    s = sh.scene()
    freeze(sh.JUDGING)
    data = sh.form(s.round, [7, 4], action="submit")
    results = _race(app, s.judge, [(s.url(), data), (s.url(), data)])
    assert [result[0] for result in results] == [302, 302], results
    [review] = _reviews()
    assert (review.status, review.total) == ("submitted", Decimal("18"))
    creates = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.create"))
    submits = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.submit"))
    assert (creates, submits) == (1, 1)


def test_two_submits_of_a_draft_at_once_give_one_submission(app, freeze):
    _needs_postgres()
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge,
                       data=scoring.ReviewInput(scores={s.round.criteria[0].id: 1}))
    db.session.commit()
    data = sh.form(s.round, [7, 4], action="submit")
    results = _race(app, s.judge, [(s.url(), data), (s.url(), data)])
    assert [result[0] for result in results] == [302, 302], results
    [review] = _reviews()
    assert (review.status, review.total) == ("submitted", Decimal("18"))
    submits = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.submit"))
    assert submits == 1


def test_autosave_racing_submit_never_reverts_to_draft(app, freeze):
    _needs_postgres()
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge,
                       data=scoring.ReviewInput(scores={s.round.criteria[0].id: 1}))
    db.session.commit()
    results = _race(app, s.judge, [
        (s.url(suffix="/autosave"), sh.form(s.round, [2, 2])),
        (s.url(), sh.form(s.round, [7, 4], action="submit")),
    ])
    autosave, submit = results
    assert submit[0] == 302, results
    assert autosave[0] == 200 and autosave[1]["status"] in ("saved", "submitted"), results
    [review] = _reviews()
    assert (review.status, review.total) == ("submitted", Decimal("18"))
    assert sorted(score.value for score in review.scores) == [4, 7]
