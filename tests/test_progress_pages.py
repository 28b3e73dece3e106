"""The organiser's judging pages: progress, reminders, disagreements, reopening a review."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Review
from app.services.scoring import progress
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh


def _submit(s, entry, judge, values, comment="ok"):
    scoring.submit_review(round_=s.round, entry=entry, judge=judge, data=scoring.ReviewInput(
        scores={c.id: v for c, v in zip(s.round.criteria, values, strict=True)},
        comments={c.id: comment for c in s.round.criteria}))
    db.session.commit()


def _draft(s, entry, judge, value):
    scoring.save_draft(round_=s.round, entry=entry, judge=judge,
                       data=scoring.ReviewInput(scores={s.round.criteria[0].id: value}))
    db.session.commit()


def _two_judges(entries=3, **options):
    s = sh.scene(entries=entries, **options)
    second = sh.judge(s.round, name="Zed Second", locale="ru")
    for entry in s.entries:
        sh.assign(s.round, entry, second)
    return s, second


def test_progress_counts_per_judge_and_per_entry(app, freeze):
    s, second = _two_judges()
    freeze(sh.JUDGING)
    _submit(s, s.entries[0], s.judge, [5, 5])
    _submit(s, s.entries[1], s.judge, [5, 5])
    _draft(s, s.entries[2], s.judge, 3)
    _submit(s, s.entries[0], second, [9, 9])
    sh.conflict(s.entries[2], second)  # a conflict takes the assignment out of the counts
    judges = {row.judge.id: (row.due, row.submitted, row.drafts, row.left) for row in progress.judge_progress(s.round)}
    assert judges == {s.judge.id: (3, 2, 1, 1), second.id: (2, 1, 0, 1)}
    entries = [(row.entry.id, row.due, row.submitted, row.drafts) for row in progress.entry_progress(s.round)]
    assert entries == [(s.entries[0].id, 2, 2, 0), (s.entries[1].id, 2, 1, 0), (s.entries[2].id, 1, 0, 1)]


def test_progress_page_shows_round_with_data_by_default(client, login, freeze):
    s, _second = _two_judges(entries=2)
    empty_first = factories.round_(s.contest, key="aaa")
    empty_first.position = -1
    db.session.commit()
    freeze(sh.JUDGING)
    _submit(s, s.entries[0], s.judge, [5, 5])
    login(s.organiser)
    page = client.get(f"/manage/{s.contest.slug}/progress").get_data(as_text=True)
    assert f'<option value="{s.round.id}" selected>' in page
    assert re.search(r'data-testid="reviews-done">\s*1 / 4', page)
    assert "Judge One" in page and "Zed Second" in page
    other = client.get(f"/manage/{s.contest.slug}/progress?round={empty_first.id}").get_data(as_text=True)
    assert f'<option value="{empty_first.id}" selected>' in other


def test_progress_page_round_of_other_contest_is_404(client, login):
    s = sh.scene()
    foreign = factories.round_(factories.contest())
    login(s.organiser)
    assert client.get(f"/manage/{s.contest.slug}/progress?round={foreign.id}").status_code == 404
    assert client.get(f"/manage/{s.contest.slug}/progress/{foreign.id}/disagreements").status_code == 404


def test_progress_pages_refuse_judges_entrants_and_anonymous(client, login):
    s = sh.scene()
    urls = [f"/manage/{s.contest.slug}/progress", f"/manage/{s.contest.slug}/progress/{s.round.id}/disagreements",
            f"/manage/{s.contest.slug}/progress/{s.round.id}/entries/{s.entry.id}"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    for person in (s.judge, s.entry.entrant, factories.user()):
        login(person)
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(f"/manage/{s.contest.slug}/progress/{s.round.id}/remind").status_code == 403


def test_organiser_of_another_contest_is_refused(client, login):
    s = sh.scene()
    stranger = factories.user()
    factories.contest(organiser=stranger)
    login(stranger)
    assert client.get(f"/manage/{s.contest.slug}/progress").status_code == 403


def test_reminders_one_mail_per_judge_with_work_left_in_their_language(client, login, freeze, outbox):
    s, second = _two_judges(entries=2)
    done = sh.judge(s.round, name="Done Judge")
    sh.assign(s.round, s.entries[0], done)
    freeze(sh.JUDGING)
    _submit(s, s.entries[0], done, [5, 5])
    _submit(s, s.entries[0], s.judge, [5, 5])
    login(s.organiser)
    outbox.clear()
    response = client.post(f"/manage/{s.contest.slug}/progress/{s.round.id}/remind")
    assert response.status_code == 302
    assert sorted(mail["to"] for mail in outbox) == sorted([s.judge.email, second.email])
    english = next(mail for mail in outbox if mail["to"] == s.judge.email)
    russian = next(mail for mail in outbox if mail["to"] == second.email)
    assert "May 20, 2026" in english["body"] and "1 of 2" in english["body"]
    assert "20 мая 2026" in russian["body"] and "2" in russian["body"]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "jury.remind")).all()
    assert sorted(event.object_id for event in events) == sorted([s.judge.id, second.id])


def test_reminder_to_one_judge(client, login, freeze, outbox):
    s, second = _two_judges(entries=1)
    freeze(sh.JUDGING)
    login(s.organiser)
    outbox.clear()
    client.post(f"/manage/{s.contest.slug}/progress/{s.round.id}/remind", data={"judge_id": second.id})
    assert [mail["to"] for mail in outbox] == [second.email]


def test_disagreements_page_shows_flagged_reviews_side_by_side(client, login, freeze):
    s, second = _two_judges(entries=2, disagreement_threshold=Decimal("10"))
    freeze(sh.JUDGING)
    _submit(s, s.entries[0], s.judge, [9, 9], comment="excellent work")
    _submit(s, s.entries[0], second, [2, 2], comment="weak plan")
    _submit(s, s.entries[1], s.judge, [5, 5])
    _submit(s, s.entries[1], second, [5, 6])
    login(s.organiser)
    page = client.get(f"/manage/{s.contest.slug}/progress/{s.round.id}/disagreements").get_data(as_text=True)
    assert f'data-testid="flagged-{s.entries[0].id}"' in page
    assert f'data-testid="flagged-{s.entries[1].id}"' not in page
    assert "excellent work" in page and "weak plan" in page
    assert "27.00" in page and "6.00" in page
    progress_page = client.get(f"/manage/{s.contest.slug}/progress").get_data(as_text=True)
    assert re.search(r'data-testid="flagged-count">\s*1<', progress_page)


def test_reopen_review_with_reason_is_audited_and_judge_told(client, login, freeze, outbox):
    s = sh.scene()
    freeze(sh.JUDGING)
    _submit(s, s.entry, s.judge, [7, 7])
    review = db.session.scalar(sa.select(Review))
    login(s.organiser)
    url = f"/manage/{s.contest.slug}/reviews/{review.id}/reopen"
    missing = client.post(url, data={"reason": ""})
    assert missing.status_code == 200 and "Give the judge a reason." in missing.get_data(as_text=True)
    assert db.session.get(Review, review.id).status == "submitted"
    response = client.post(url, data={"reason": "Budget score needs a comment"})
    assert response.status_code == 302
    review = db.session.scalar(sa.select(Review).execution_options(populate_existing=True))
    assert review.status == "draft"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "review.reopen"))
    assert (event.actor_id, event.reason) == (s.organiser.id, "Budget score needs a comment")
    assert outbox[-1]["to"] == s.judge.email and "Budget score needs a comment" in outbox[-1]["body"]


def test_reopen_refused_after_judging_closed(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    _submit(s, s.entry, s.judge, [7, 7])
    review = db.session.scalar(sa.select(Review))
    freeze(s.round.judging_closes_at + timedelta(seconds=1))
    login(s.organiser)
    page = client.post(f"/manage/{s.contest.slug}/reviews/{review.id}/reopen", data={"reason": "late"})
    assert "extend the judging window" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(Review).execution_options(populate_existing=True)).status == "submitted"


def test_reopen_refused_to_judge_and_other_contest(client, login, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    _submit(s, s.entry, s.judge, [7, 7])
    review = db.session.scalar(sa.select(Review))
    login(s.judge)
    assert client.post(f"/manage/{s.contest.slug}/reviews/{review.id}/reopen", data={"reason": "x"}).status_code == 403
    stranger = factories.user()
    other = factories.contest(organiser=stranger)
    login(stranger)
    assert client.post(f"/manage/{other.slug}/reviews/{review.id}/reopen", data={"reason": "x"}).status_code == 404
    assert db.session.scalar(sa.select(Review).execution_options(populate_existing=True)).status == "submitted"


def _progress_queries(client, login, count_queries, freeze, entries):
    s, second = _two_judges(entries=entries, disagreement_threshold=Decimal("5"))
    freeze(sh.JUDGING)
    for index, entry in enumerate(s.entries):
        _submit(s, entry, s.judge, [index % 10, 5])
        _submit(s, entry, second, [9, 9])
    login(s.organiser)
    counts = []
    for url in (f"/manage/{s.contest.slug}/progress", f"/manage/{s.contest.slug}/progress/{s.round.id}/disagreements"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    return counts


def test_progress_pages_query_count_does_not_grow(client, login, count_queries, freeze):
    assert _progress_queries(client, login, count_queries, freeze, 2) == \
        _progress_queries(client, login, count_queries, freeze, 20)
