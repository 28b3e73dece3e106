"""Scoring rules in the services layer: the total, submission checks, revisions, constraints."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import AuditEvent, Review, Score
from app.services.scoring import reviews as scoring
from app.services.scoring.reviews import ReviewInput
from tests import factories
from tests import scoring_helpers as sh


def _data(round_, values, comments=None, **extra):
    criteria = round_.criteria
    comments = comments or ["fine"] * len(values)
    return ReviewInput(scores={c.id: v for c, v in zip(criteria, values, strict=True)},
                       comments={c.id: t for c, t in zip(criteria, comments, strict=True)}, **extra)


def _events(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_review_total_weighted_sum_exact(app):
    s = sh.scene(criteria=[("a", "2.0", 0, 10), ("b", "1.5", 0, 10), ("c", "0.33", 0, 10)])
    a, b, c = s.round.criteria
    total = scoring.review_total(criteria=s.round.criteria, values={a.id: 7, b.id: 3, c.id: 1})
    assert total == Decimal("18.83")
    assert isinstance(total, Decimal)


def test_review_total_design_maximum_is_100(app):
    contest = factories.contest()
    weights = ["2.0", "2.0", "1.0", "1.5", "1.0", "1.0", "1.0", "0.5"]
    round_ = factories.round_(contest, criteria=[(f"c{i}", w, 0, 10) for i, w in enumerate(weights)])
    total = scoring.review_total(criteria=round_.criteria, values={c.id: 10 for c in round_.criteria})
    assert total == Decimal("100") == round_.maximum


def test_review_total_skips_missing_scores_for_running_total(app):
    s = sh.scene()
    first, _second = s.round.criteria
    assert scoring.review_total(criteria=s.round.criteria, values={first.id: 4}) == Decimal("8")


def test_submit_stores_total_and_time(app, freeze):
    s = sh.scene()
    moment = freeze(sh.JUDGING)
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    review = db.session.get(Review, outcome.review.id)
    assert outcome.status == "submitted"
    assert review.status == "submitted"
    assert review.total == Decimal("18")
    assert review.submitted_at == moment


def test_submit_with_missing_score_and_comment_lists_every_problem(app, freeze):
    s = sh.scene(criteria=[("a", "1", 0, 10), ("b", "1", 0, 10), ("c", "1", 0, 10)])
    s.round.criteria[1].comment_required = True
    s.round.criteria[2].comment_required = True
    db.session.commit()
    freeze(sh.JUDGING)
    a, b, c = s.round.criteria
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge,
                                    data=_data(s.round, [None, 5, 6], ["", "", "why"]))
    assert outcome.status == "invalid"
    assert sorted(outcome.problems) == sorted([f"score_{a.id}", f"comment_{b.id}"])
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_revision_recomputes_total_and_is_audited(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [9, 4]))
    db.session.commit()
    assert outcome.review.total == Decimal("22")
    revise = _events("review.revise")
    assert [(e.old, e.new) for e in revise] == [({"total": "18.00"}, {"total": "22.00"})]


def test_resubmit_without_change_writes_no_event(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before


def test_draft_save_on_submitted_review_changes_nothing(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    outcome = scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [1, 1]))
    db.session.commit()
    review = db.session.scalar(sa.select(Review))
    assert outcome.status == "submitted"
    assert (review.status, review.total) == ("submitted", Decimal("18"))
    assert sorted(score.value for score in review.scores) == [4, 7]


def test_draft_keeps_missing_criteria_unchanged(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    first, second = s.round.criteria
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge,
                       data=ReviewInput(scores={first.id: 9}, comments={}))
    db.session.commit()
    review = db.session.scalar(sa.select(Review))
    assert {score.criterion_id: score.value for score in review.scores} == {first.id: 9, second.id: 6}
    assert review.status == "draft"
    assert review.total is None


def test_services_refuse_after_judging_closes_to_the_second(app, freeze):
    s = sh.scene()
    freeze(s.round.judging_closes_at)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))
    freeze(s.round.judging_closes_at + timedelta(seconds=1))
    with pytest.raises(scoring.ScoringError):
        scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))
    with pytest.raises(scoring.ScoringError):
        scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))


def test_services_refuse_before_judging_opens(app, freeze):
    s = sh.scene()
    freeze(s.round.judging_opens_at - timedelta(seconds=1))
    with pytest.raises(scoring.ScoringError):
        scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))
    freeze(s.round.judging_opens_at)
    assert scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge,
                              data=_data(s.round, [3, 6])).status == "saved"


def test_score_outside_scale_refused_by_service(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    with pytest.raises(ValueError):
        scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [11, 6]))


def _review_row(s):
    review = Review(round_id=s.round.id, entry_id=s.entry.id, judge_id=s.judge.id, status="draft",
                    updated_at=factories.NOW)
    db.session.add(review)
    db.session.commit()
    return review


def test_database_refuses_score_outside_scale(app):
    s = sh.scene()
    review = _review_row(s)
    criterion = s.round.criteria[0]
    db.session.add(Score(review_id=review.id, criterion_id=criterion.id, scale_min=0, scale_max=10, value=11))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_score_with_wrong_scale_copy(app):
    s = sh.scene()
    review = _review_row(s)
    criterion = s.round.criteria[0]
    db.session.add(Score(review_id=review.id, criterion_id=criterion.id, scale_min=0, scale_max=20, value=15))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_keeps_one_score_per_review_and_criterion(app):
    s = sh.scene()
    review = _review_row(s)
    criterion = s.round.criteria[0]
    for value in (1, 2):
        db.session.add(Score(review_id=review.id, criterion_id=criterion.id, scale_min=0, scale_max=10,
                             value=value))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_keeps_one_review_per_round_entry_judge(app):
    s = sh.scene()
    _review_row(s)
    db.session.add(Review(round_id=s.round.id, entry_id=s.entry.id, judge_id=s.judge.id, status="draft",
                          updated_at=factories.NOW))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_submitted_review_without_total(app):
    s = sh.scene()
    db.session.add(Review(round_id=s.round.id, entry_id=s.entry.id, judge_id=s.judge.id, status="submitted",
                          submitted_at=factories.NOW, updated_at=factories.NOW))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_concurrent_first_insert_rereads_existing_review(app, freeze):
    """The unique constraint decides a race of two first saves; the loser reads the winner's row."""
    s = sh.scene()
    freeze(sh.JUDGING)
    first, created = scoring._create_review(round_=s.round, entry=s.entry, judge=s.judge)
    db.session.commit()
    second, none = scoring._create_review(round_=s.round, entry=s.entry, judge=s.judge)
    assert second.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1
    # Only the insert that made the row has its creation to record.
    assert [event["action"] for event in created] == ["review.create"] and none == []


def test_stale_review_version_is_detected(app, freeze):
    """Another writer bumped the version since we read the review: our write fails."""
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))
    db.session.commit()
    review = scoring.find_review(round_=s.round, entry=s.entry, judge=s.judge)
    db.session.execute(sa.update(Review).where(Review.id == review.id).values(version=Review.version + 1)
                       .execution_options(synchronize_session=False))
    with pytest.raises(StaleDataError):
        scoring._lock(review)
    db.session.rollback()


def test_retry_once_rereads_after_stale_data(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    calls = []

    def action():
        calls.append(1)
        if len(calls) == 1:
            raise StaleDataError("changed meanwhile")
        return scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, 6]))

    outcome = scoring.retry_once(action)
    db.session.commit()
    assert (len(calls), outcome.status) == (2, "saved")


def test_submit_of_a_review_read_before_another_writer_retries_on_the_fresh_row(app, freeze):
    """The page passes the review it has read; if another window changed it since, the first
    attempt fails on the version, and the retry works on the row as the other window left it."""
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [3, None], ["a", ""]))
    db.session.commit()
    db.session().expire_on_commit = False  # keep the page's copy as it was read
    try:
        review = scoring.find_review(round_=s.round, entry=s.entry, judge=s.judge)
        db.session.execute(sa.update(Review).where(Review.id == review.id)
                           .values(version=Review.version + 1, comment="from the other window")
                           .execution_options(synchronize_session=False))
        db.session.commit()
    finally:
        db.session().expire_on_commit = True
    assert review.comment == ""  # the page's copy is stale: the other window bumped the version
    assert db.session.scalar(sa.select(Review.version).where(Review.id == review.id)) == review.version + 1
    calls = []

    def action():
        calls.append(1)
        return scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, review=review,
                                     data=_data(s.round, [7, 4], ["b", "c"]))

    outcome = scoring.retry_once(action)
    db.session.commit()
    fresh = db.session.get(Review, review.id)
    assert len(calls) == 2 and outcome.status == "submitted"
    assert (fresh.status, fresh.total, fresh.comment) == ("submitted", Decimal("18"), "from the other window")
    assert sorted((score.value, score.comment) for score in fresh.scores) == [(4, "c"), (7, "b")]


def test_first_submit_is_inserted_submitted_with_the_audit_of_a_draft_submitted(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    review = db.session.get(Review, outcome.review.id)
    assert (review.status, review.total, review.submitted_at) == ("submitted", Decimal("18"), sh.JUDGING)
    actions = [event.action for event in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "review").order_by(AuditEvent.id))]
    assert actions == ["review.create", "review.score", "review.score", "review.submit"]
    [submit] = _events("review.submit")
    assert (submit.old, submit.new) == ({"status": "draft"}, {"status": "submitted", "total": "18.00"})


def test_submit_that_finds_its_review_created_meanwhile_submits_that_one(app, freeze):
    """The page read no review, but another window created a draft before the insert: the insert
    does nothing and the other window's draft is submitted, its comment kept."""
    s = sh.scene()
    freeze(sh.JUDGING)
    scoring.save_draft(round_=s.round, entry=s.entry, judge=s.judge,
                       data=_data(s.round, [3, None], ["a", ""], comment="from the other window"))
    db.session.commit()
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, review=None,
                                    data=_data(s.round, [7, 4]))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1
    review = db.session.get(Review, outcome.review.id)
    assert (review.status, review.total, review.comment) == ("submitted", Decimal("18"), "from the other window")
    [submit] = _events("review.submit")
    assert submit.old == {"status": "draft"}


def test_reopen_review_sends_it_back_as_draft_and_mails_judge(app, freeze, outbox):
    s = sh.scene()
    freeze(sh.JUDGING)
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    scoring.reopen_review(review=outcome.review, actor=s.organiser, reason="Please explain the budget score.")
    db.session.commit()
    review = db.session.get(Review, outcome.review.id)
    assert (review.status, review.total, review.submitted_at) == ("draft", None, None)
    [event] = _events("review.reopen")
    assert (event.actor_id, event.reason, event.old["status"], event.new) == (
        s.organiser.id, "Please explain the budget score.", "submitted", {"status": "draft"})
    assert outbox[-1]["to"] == s.judge.email
    assert "Please explain the budget score." in outbox[-1]["body"]


def test_reopen_after_judging_closed_refused(app, freeze):
    s = sh.scene()
    freeze(sh.JUDGING)
    outcome = scoring.submit_review(round_=s.round, entry=s.entry, judge=s.judge, data=_data(s.round, [7, 4]))
    db.session.commit()
    freeze(s.round.judging_closes_at + timedelta(seconds=1))
    with pytest.raises(scoring.ScoringError):
        scoring.reopen_review(review=outcome.review, actor=s.organiser, reason="late")
