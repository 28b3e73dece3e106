"""Factories for test data, built through the services (no SQL fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

from app.extensions import db
from app.models import Contest, Round, User
from app.services.platform import accounts
from app.services.setup import contests

PASSWORD = "password123"
_sequence = count(1)

# A fixed "now" for tests that need one; windows below are placed around it.
NOW = datetime(2026, 4, 20, 12, 0, 0, tzinfo=UTC)


def user(*, email: str | None = None, name: str = "Test Person", password: str = PASSWORD,
         confirmed: bool = True, is_admin: bool = False, locale: str = "en",
         organisation: str | None = None) -> User:
    number = next(_sequence)
    created = accounts.create_user(
        email=email or f"person{number}@example.org", name=name, password=password,
        confirmed=confirmed, is_admin=is_admin, locale=locale, organisation=organisation,
    )
    db.session.commit()
    return created


def contest(*, slug: str | None = None, organiser: User | None = None,
            nominations: int = 2, timezone: str = "Europe/Moscow") -> Contest:
    created = contests.create_contest(
        slug=slug or f"contest-{next(_sequence)}", title_ru="Конкурс", title_en="Contest",
        timezone=timezone,
    )
    for index in range(nominations):
        contests.add_nomination(created, key=f"nom{index + 1}", title_ru=f"Номинация {index + 1}",
                                title_en=f"Nomination {index + 1}")
    if organiser is not None:
        contests.appoint_organiser(created, organiser)
    db.session.commit()
    return created


def round_(contest: Contest, *, key: str | None = None, criteria: list[tuple] | None = None,
           intake: tuple[datetime, datetime] | None = None,
           judging: tuple[datetime, datetime] | None = None, **options) -> Round:
    """A round with criteria given as (key, weight, min, max) tuples; windows around NOW."""
    intake = intake or (NOW - timedelta(days=10), NOW + timedelta(days=10))
    judging = judging or (NOW + timedelta(days=11), NOW + timedelta(days=30))
    created = contests.add_round(
        contest, key=key or f"round{len(contest.rounds) + 1}", title_ru="Тур", title_en="Round",
        intake_opens_at=intake[0], intake_closes_at=intake[1],
        judging_opens_at=judging[0], judging_closes_at=judging[1], **options,
    )
    if criteria is None:
        criteria = [("c1", "2.0", 0, 10), ("c2", "1.0", 0, 10)]
    for criterion in criteria:
        key_, weight, low, high = criterion
        contests.add_criterion(created, key=key_, title_ru=key_, title_en=key_,
                               weight=Decimal(weight), min_score=low, max_score=high)
    db.session.commit()
    return created


def entry(contest: Contest, *, entrant: User | None = None, nomination=None,
          status: str = "submitted", eligible: bool | None = True, title: str | None = None,
          organisation: str = "", inn: str | None = None, answers: dict | None = None,
          submitted_at: datetime | None = None, rounds: list[Round] | None = None):
    """An entry straight in the database; eligible entries join the given rounds."""
    from app.models import Entry, EntryRound

    number = next(_sequence)
    entrant = entrant or user(name=f"Entrant {number}")
    created = Entry(
        contest_id=contest.id, entrant_id=entrant.id,
        nomination_id=(nomination or contest.nominations[0]).id,
        title=title or f"Project {number}", organisation=organisation, inn=inn,
        status=status, eligible=eligible, answers=answers or {},
        submitted_at=(submitted_at or NOW) if status != "draft" else None,
        number=number if status != "draft" else None, created_at=NOW, updated_at=NOW,
    )
    db.session.add(created)
    db.session.flush()
    for round_obj in rounds or []:
        db.session.add(EntryRound(entry_id=created.id, round_id=round_obj.id, added_at=NOW))
    db.session.commit()
    return created


def jury_member(round_obj: Round, person: User | None = None, *, nominations=(), organisation: str | None = None,
                inn: str | None = None, max_load: int | None = None, signed: bool = True):
    """An accepted member of the round's jury, with the contest's declaration signed by default."""
    from app.services.jury import members as jury

    person = person or user(name=f"Judge {next(_sequence)}")
    member = jury.invite_judge(round_=round_obj, email=person.email, organisation=organisation, inn=inn,
                               max_load=max_load, nomination_ids=[n.id for n in nominations], send=False)
    jury.accept_invitation(member=member, user=person)
    if signed:
        jury.sign_declaration(contest=round_obj.contest, user=person, language="en")
    db.session.commit()
    return member


def assignment(round_obj: Round, entry_obj, judge: User):
    """An assignment straight in the database (no rule checks)."""
    from app.models import Assignment

    created = Assignment(round_id=round_obj.id, entry_id=entry_obj.id, judge_id=judge.id, created_at=NOW)
    db.session.add(created)
    db.session.commit()
    return created
