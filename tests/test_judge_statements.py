"""Issue 23: the scoring page and a submit issue a fixed, small number of SQL statements.

The scoring page (GET) reads at most 4 statements (the account with its roles; the round, its
criteria, the entry, the judge's access and review; the entry's answers and attachments; the
contest's form fields), a blind round and a round with nominations alike; a first submit writes 5
(with or without feedback text): the account, the scoring query, the review inserted submitted
with its texts, its scores in one INSERT, its audit events in one INSERT.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Nomination
from tests import factories
from tests import scoring_helpers as sh


def _statements(count_queries, action):
    with count_queries() as counter:
        response = action()
    return response, counter


@pytest.mark.parametrize("blind", [False, True])
def test_scoring_page_reads_at_most_four_statements(app, client, login, freeze, count_queries, blind):
    freeze(sh.JUDGING)
    s = sh.scene(entries=1, blind=blind)
    nomination = Nomination(contest_id=s.contest.id, key="youth", title_en="Youth", title_ru="Молодёжь", position=0)
    db.session.add(nomination)
    db.session.flush()
    s.entry.nomination_id = nomination.id
    db.session.commit()
    login(s.judge)
    url = s.url()
    client.get(url)
    response, counter = _statements(count_queries, lambda: client.get(url))
    assert response.status_code == 200
    assert counter.count <= 4, "\n".join(counter.statements)


@pytest.mark.parametrize("feedback", ["", "Clear and well argued; the budget needs detail."])
def test_first_submit_writes_six_statements(app, client, login, freeze, count_queries, feedback):
    """Five for the review (account, the page's one read, review, scores, audit) and the webhook outbox's
    lookup: a delivery is written in the submit's own transaction so that no event is lost."""
    freeze(sh.JUDGING)
    s = sh.scene(entries=1)
    login(s.judge)
    url = s.url()
    client.get(url)
    data = sh.form(s.round, [5, 6], action="submit")
    data["feedback"] = feedback
    data["comment"] = "Overall fine." if feedback else ""
    response, counter = _statements(count_queries, lambda: client.post(url, data=data))
    assert response.status_code == 302
    assert counter.count == 6, "\n".join(counter.statements)
    assert "FROM webhook" in counter.statements[-1]


def test_scoring_page_with_a_draft_reads_at_most_four_statements(app, client, login, freeze, count_queries):
    freeze(sh.JUDGING)
    s = sh.scene(entries=1)
    login(s.judge)
    url = s.url()
    client.post(url, data=sh.form(s.round, [5, 6], action="save"))
    response, counter = _statements(count_queries, lambda: client.get(url))
    assert response.status_code == 200
    assert counter.count <= 4, "\n".join(counter.statements)


def test_feedback_written_with_the_first_submit_is_audited(app, client, login, freeze):
    import sqlalchemy as sa

    from app.models import AuditEvent, Review

    freeze(sh.JUDGING)
    s = sh.scene(entries=1)
    login(s.judge)
    data = sh.form(s.round, [5, 6], action="submit")
    data["feedback"] = "  Strong on method.  "
    assert client.post(s.url(), data=data).status_code == 302
    written = db.session.scalar(sa.select(Review))
    assert (written.status, written.feedback, written.comment) == ("submitted", "Strong on method.", "")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "review.feedback"))
    assert event.old == {"feedback": ""} and event.new == {"feedback": "Strong on method."}


def test_a_judge_of_a_blind_round_does_not_see_the_entrant_on_the_page_of_an_open_round(app, client, login, freeze):
    """The identity rule asks of every round of the judge's with the entry, not the page's round."""
    from app.services.platform import permissions

    freeze(sh.JUDGING)
    s = sh.scene(entries=1)
    blind = factories.round_(s.contest, key="blind", blind=True)
    sh.assign(blind, s.entry, s.judge)
    assert not permissions.can_see_entrant_identity(s.judge, s.entry)
    login(s.judge)
    page = client.get(s.url()).get_data(as_text=True)
    assert s.entry.entrant.name not in page
