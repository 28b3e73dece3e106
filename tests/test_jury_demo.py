"""The demo's jury stage."""

from __future__ import annotations

import random
from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, Declaration, JuryMember
from app.services.demo.jury import seed_jury
from app.services.demo.setup import seed_setup


def test_seed_jury_without_entries_does_no_harm(app):
    demo = seed_setup(random.Random(1))
    seed_jury(demo, random.Random(1))
    db.session.commit()
    statuses = Counter(db.session.execute(sa.select(JuryMember.round_id, JuryMember.status)).all())
    assert statuses == {(demo.round1.id, "accepted"): 12, (demo.round2.id, "accepted"): 7}
    signed = set(db.session.scalars(sa.select(Declaration.user_id)))
    assert signed == {judge.id for judge in demo.judges[:11]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    members = db.session.scalars(sa.select(JuryMember).where(JuryMember.round_id == demo.round1.id)).all()
    assert all(member.expertise and member.organisation for member in members)


def test_seed_jury_assigns_round_one_two_judges_per_entry(app, make):
    demo = seed_setup(random.Random(1))
    entries = [make.entry(demo.contest, rounds=[demo.round1]) for _ in range(30)]
    seed_jury(demo, random.Random(1))
    db.session.commit()
    per_entry = Counter(db.session.scalars(sa.select(Assignment.entry_id).where(
        Assignment.round_id == demo.round1.id)))
    assert per_entry == {entry.id: 2 for entry in entries}
    loads = Counter(db.session.scalars(sa.select(Assignment.judge_id)))
    assert max(loads.values()) - min(loads.values()) <= 1
    assert len(loads) == 12
    assert db.session.scalar(sa.select(sa.func.count()).where(Assignment.notified_at.is_(None))) == 0
