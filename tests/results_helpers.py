"""Test data for the results tests: judges and reviews written straight into the database."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from app.extensions import db
from app.models import Entry, JuryMember, Review, Round, Score, User
from app.services.scoring.reviews import review_total
from tests import factories

_judges: dict[tuple[int, int], User] = {}


def judge(round_: Round, user: User | None = None) -> User:
    """An accepted jury member of the round."""
    user = user or factories.user(name="Judge")
    db.session.add(JuryMember(
        round_id=round_.id, email=user.email, user_id=user.id, status="accepted",
        token=secrets.token_hex(16), invited_at=factories.NOW, responded_at=factories.NOW,
    ))
    db.session.commit()
    return user


def review(round_: Round, entry: Entry, judge_user: User, scores: list[int] | dict[str, int] | None,
           *, status: str = "submitted", submitted_at: datetime | None = None, feedback: str = "",
           comment: str = "") -> Review:
    """A review with the given integer scores (a list in criterion order, or by criterion key).

    A submitted review carries total = Σ w_c·s_c, as the scoring service writes it.
    """
    criteria = round_.criteria
    if isinstance(scores, list):
        scores = {c.key: value for c, value in zip(criteria, scores, strict=True)}
    scores = scores or {}
    moment = submitted_at or factories.NOW + timedelta(days=12)
    created = Review(
        round_id=round_.id, entry_id=entry.id, judge_id=judge_user.id, status=status,
        comment=comment, feedback=feedback, updated_at=moment,
        submitted_at=moment if status == "submitted" else None,
    )
    for criterion in criteria:
        if criterion.key in scores:
            created.scores.append(Score(
                criterion_id=criterion.id, scale_min=criterion.min_score,
                scale_max=criterion.max_score, value=scores[criterion.key],
                comment=f"comment on {criterion.key}",
            ))
    if status == "submitted":
        created.total = review_total(criteria=criteria, values={c.id: scores[c.key] for c in criteria})
    db.session.add(created)
    db.session.commit()
    return created


def reviews(round_: Round, entry: Entry, judges: list[User], *score_lists: list[int]) -> list[Review]:
    """One submitted review per judge, with the score lists in order."""
    return [review(round_, entry, j, scores) for j, scores in zip(judges, score_lists, strict=False)]


def one_criterion_round(contest, *, weight: str = "1", low: int = 0, high: int = 100, **options) -> Round:
    """A round with a single criterion, so a review's total is its score times the weight."""
    return factories.round_(contest, criteria=[("points", weight, low, high)], **options)


class Scored:
    """A contest with an organiser, two rounds, two nominations and scored round-1 entries."""

    def __init__(self, *, entries_per_nomination: int = 3, pass_mark: str | None = "15"):
        from decimal import Decimal

        self.organiser = factories.user(name="Organiser Olga")
        self.contest = factories.contest(organiser=self.organiser, nominations=2)
        self.round1 = factories.round_(self.contest, key="experts", criteria=[("a", "2", 0, 10), ("b", "1", 0, 10)],
                                       pass_mark=Decimal(pass_mark) if pass_mark else None)
        self.round2 = factories.round_(self.contest, key="defence", criteria=[("c", "1", 0, 10)])
        self.judges = [judge(self.round1, factories.user(name=f"Judge {i}")) for i in range(2)]
        self.entries: list[Entry] = []
        for nomination in self.contest.nominations:
            for index in range(entries_per_nomination):
                entry = factories.entry(self.contest, nomination=nomination, rounds=[self.round1],
                                        entrant=factories.user(name=f"Entrant {index}"))
                self.entries.append(entry)
                base = 9 - 2 * (index % 5)
                review(self.round1, entry, self.judges[0], [base, base], feedback=f"Feedback A{entry.number}")
                review(self.round1, entry, self.judges[1], [base - 1, base], feedback=f"Feedback B{entry.number}")
