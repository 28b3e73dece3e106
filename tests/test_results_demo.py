"""The demo's results stage: round 1 finalised, finalists advanced, round 2 partly scored."""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, AuditEvent, Declaration, EntryRound, Review
from app.services.demo.jury import seed_jury
from app.services.demo.results import seed_results
from app.services.demo.scoring import seed_scoring
from app.services.demo.setup import seed_setup
from app.services.results.ranking import rank_round
from tests import factories


def test_demo_results_finalises_advances_and_scores_round_two(app, freeze):
    freeze(factories.NOW)
    demo = seed_setup(random.Random(1))
    nominations = demo.contest.nominations
    for index in range(40):
        factories.entry(demo.contest, rounds=[demo.round1], nomination=nominations[index % 5])
    rng = random.Random(3)
    seed_jury(demo, rng)
    seed_scoring(demo, rng)
    seed_results(demo, rng)
    db.session.commit()

    assert demo.round1.finalised_at is not None and demo.round1.finalised_by_id == demo.organiser.id
    first = rank_round(demo.round1)
    assert not first.unrated  # every round-1 entry has its reviews
    statuses = Counter(db.session.scalars(sa.select(Review.status).where(Review.round_id == demo.round1.id)))
    assert set(statuses) == {"submitted"}
    finalists = set(db.session.scalars(sa.select(EntryRound.entry_id).where(EntryRound.round_id == demo.round2.id)))
    per_nomination = Counter(row.nomination_id for row in first.rows if row.entry_id in finalists)
    assert all(1 <= count <= 3 for count in per_nomination.values())  # ~30 % of 8 entries each
    assert all(row.can_advance for row in first.rows if row.entry_id in finalists)
    # The demo agrees with itself (issue 15): no judge has a submitted review without a signed
    # declaration, and no assignment already reviewed is still waiting to be announced.
    signed = sa.exists().where(Declaration.contest_id == demo.contest.id, Declaration.user_id == Review.judge_id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review).where(
        Review.status == "submitted", ~signed)) == 0
    reviewed = sa.exists().where(Review.round_id == Assignment.round_id, Review.entry_id == Assignment.entry_id,
                                 Review.judge_id == Assignment.judge_id, Review.status == "submitted")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.notified_at.is_(None), reviewed)) == 0
    # Round 1 was finalised with its open items ticked and a reason, in the audit log.
    finalised = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "round.finalise"))
    assert finalised.new["open_items"] == [] or finalised.reason
    second = rank_round(demo.round2)
    assert {row.entry_id for row in second.rows} == finalists
    round2_reviews = db.session.scalars(sa.select(Review).where(Review.round_id == demo.round2.id)).all()
    assert 0 < len(round2_reviews) < 7 * len(finalists)


def test_demo_results_without_reviews_does_nothing(app, freeze):
    freeze(factories.NOW)
    demo = seed_setup(random.Random(1))
    seed_results(demo, random.Random(1))
    db.session.commit()
    assert demo.round1.finalised_at is None
