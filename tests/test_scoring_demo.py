"""The demo's scoring stage: round 1 mid-judging, through the scoring services."""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Declaration, Review
from app.services.demo.scoring import seed_scoring
from app.services.demo.setup import seed_setup
from app.services.results.disagreement import flagged_entry_ids
from app.services.scoring import reviews as scoring
from tests import factories
from tests import scoring_helpers as sh


def _demo_with_assignments(entries: int):
    demo = seed_setup(random.Random(1))
    db.session.commit()
    judges = demo.judges[:6]
    for judge in judges:
        sh.judge(demo.round1, judge)
    unsigned = db.session.get(Declaration, (demo.contest.id, judges[-1].id))
    db.session.delete(unsigned)  # one judge has not signed yet: no scores from them
    db.session.commit()
    for index in range(entries):
        entry = factories.entry(demo.contest, rounds=[demo.round1], nomination=demo.contest.nominations[index % 5])
        sh.assign(demo.round1, entry, judges[index % 6])
        sh.assign(demo.round1, entry, judges[(index + 1) % 6])
    return demo, judges


def test_demo_scoring_seeds_a_round_mid_judging(app, freeze):
    freeze(factories.NOW)
    demo, judges = _demo_with_assignments(30)
    seed_scoring(demo, random.Random(7))
    db.session.commit()
    reviews = db.session.scalars(sa.select(Review)).all()
    statuses = Counter(review.status for review in reviews)
    assert statuses["submitted"] > statuses["draft"] > 0
    assert len(reviews) < 60  # some assignments are not started
    assert not any(review.judge_id == judges[-1].id for review in reviews)
    assert len(flagged_entry_ids(demo.round1)) >= 2
    criteria = demo.round1.criteria
    for review in reviews:
        if review.status == "submitted":
            values = {score.criterion_id: score.value for score in review.scores}
            assert review.total == scoring.review_total(criteria=criteria, values=values)
            assert all(any("а" <= ch <= "я" for ch in score.comment) for score in review.scores)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.submit")) \
        == statuses["submitted"]


def test_demo_scoring_without_assignments_does_nothing(app, freeze):
    freeze(factories.NOW)
    demo = seed_setup(random.Random(1))
    seed_scoring(demo, random.Random(7))
    assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0
