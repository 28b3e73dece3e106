"""Test data for the scoring tests: juries, declarations and assignments written directly."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from app.extensions import db
from app.models import Assignment, Conflict, Contest, Declaration, Entry, JuryMember, Round, User
from tests import factories

# Inside the judging window of factories.round_ (NOW + 11 days … NOW + 30 days).
JUDGING = factories.NOW + timedelta(days=12)


def judge(round_: Round, user: User | None = None, *, signed: bool = True, status: str = "accepted",
          name: str = "Judge", locale: str = "en") -> User:
    """A jury member of the round (accepted by default) who signed the declaration."""
    user = user or factories.user(name=name, locale=locale)
    db.session.add(JuryMember(round_id=round_.id, email=user.email, user_id=user.id, status=status,
                              token=secrets.token_hex(16), invited_at=factories.NOW,
                              responded_at=factories.NOW))
    if signed and db.session.get(Declaration, (round_.contest_id, user.id)) is None:
        db.session.add(Declaration(contest_id=round_.contest_id, user_id=user.id, signed_at=factories.NOW,
                                   text="I declare."))
    db.session.commit()
    return user


def assign(round_: Round, entry: Entry, judge_user: User) -> Assignment:
    assignment = Assignment(round_id=round_.id, entry_id=entry.id, judge_id=judge_user.id,
                            created_at=factories.NOW)
    db.session.add(assignment)
    db.session.commit()
    return assignment


def conflict(entry: Entry, user: User, source: str = "judge") -> Conflict:
    created = Conflict(entry_id=entry.id, user_id=user.id, source=source, reason="related",
                       created_at=factories.NOW)
    db.session.add(created)
    db.session.commit()
    return created


@dataclass
class Scene:
    contest: Contest
    round: Round
    organiser: User
    judge: User
    entries: list[Entry] = field(default_factory=list)

    @property
    def entry(self) -> Entry:
        return self.entries[0]

    def url(self, entry: Entry | None = None, suffix: str = "") -> str:
        return f"/jury/rounds/{self.round.id}/entries/{(entry or self.entry).id}{suffix}"


def scene(*, entries: int = 1, criteria: list[tuple] | None = None, **round_options) -> Scene:
    """A contest with one round, an organiser, one judge assigned to every entry."""
    organiser = factories.user(name="Organiser")
    contest = factories.contest(organiser=organiser)
    round_ = factories.round_(contest, criteria=criteria, **round_options)
    judge_user = judge(round_, name="Judge One")
    made = [factories.entry(contest, rounds=[round_]) for _ in range(entries)]
    for entry in made:
        assign(round_, entry, judge_user)
    return Scene(contest=contest, round=round_, organiser=organiser, judge=judge_user, entries=made)


def form(round_: Round, scores: list[int | None | str], comments: list[str] | None = None, *,
         action: str | None = None, comment: str = "", feedback: str = "") -> dict:
    """Form data for the scoring page, scores in criterion order."""
    data = {"comment": comment, "feedback": feedback}
    comments = comments or ["ok"] * len(scores)
    for criterion, value, text in zip(round_.criteria, scores, comments, strict=True):
        data[f"score_{criterion.id}"] = "" if value is None else str(value)
        data[f"comment_{criterion.id}"] = text
    if action:
        data["action"] = action
    return data
