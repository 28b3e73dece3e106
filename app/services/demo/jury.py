"""Demo stage: the juries of both rounds, signed declarations and round 1's assignment."""

from __future__ import annotations

import random

import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment
from app.services.jury import assignment
from app.services.jury import members as jury
from app.services.platform.clock import now


def seed_jury(demo, rng: random.Random) -> None:
    nominations = demo.contest.nominations
    members = []
    for index, judge in enumerate(demo.judges):
        # Each judge knows one or two nominations; together they cover all of them.
        known = {nominations[index % len(nominations)].id}
        if rng.random() < 0.5:
            known.add(rng.choice(nominations).id)
        member = jury.invite_judge(round_=demo.round1, email=judge.email, organisation=judge.organisation,
                                   nomination_ids=sorted(known), actor=demo.organiser, send=False)
        jury.accept_invitation(member=member, user=judge)
        members.append(member)
    # Everyone but the last judge has signed the declaration (so the demo shows the reminder).
    for judge in demo.judges[:-1]:
        jury.sign_declaration(contest=demo.contest, user=judge, language=judge.locale)

    assignment.assign_round(round_=demo.round1, actor=demo.organiser, notify=False)
    # The demo pretends the judges were told long ago.
    db.session.execute(sa.update(Assignment).where(Assignment.round_id == demo.round1.id)
                       .values(notified_at=now()).execution_options(synchronize_session=False))

    for judge, member in zip(demo.judges[:7], members[:7], strict=True):
        second = jury.invite_judge(round_=demo.round2, email=judge.email, organisation=judge.organisation,
                                   nomination_ids=[e.nomination_id for e in member.expertise],
                                   actor=demo.organiser, send=False)
        jury.accept_invitation(member=second, user=judge)
    db.session.flush()
