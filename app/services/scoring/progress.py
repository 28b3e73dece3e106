"""Judging progress for organisers (counts in SQL) and reminders to judges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.extensions import db
from app.models import Assignment, Contest, Entry, EntryRound, JuryMember, Review, Round, User
from app.services.jury.members import declared_conflict_clause
from app.services.platform.audit import record_event
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail


@dataclass
class JudgeProgress:
    judge: User
    due: int
    submitted: int
    drafts: int
    last_activity: datetime | None

    @property
    def left(self) -> int:
        return max(self.due - self.submitted, 0)

    @property
    def not_started(self) -> int:
        return max(self.due - self.submitted - self.drafts, 0)


@dataclass
class EntryProgress:
    entry: Entry
    due: int
    submitted: int
    drafts: int

    @property
    def complete(self) -> bool:
        return self.due > 0 and self.submitted >= self.due


def _no_conflict():
    """Assignments whose judge has declared (or been given) a conflict with the entry don't count."""
    return ~declared_conflict_clause(Assignment.entry_id, Assignment.judge_id)


def default_round(contest: Contest) -> Round | None:
    """The first round (by position) with judging data, else the first round."""
    has_data = sa.or_(
        sa.exists().where(Assignment.round_id == Round.id),
        sa.exists().where(Review.round_id == Round.id),
    )
    found = db.session.scalar(
        sa.select(Round).where(Round.contest_id == contest.id)
        .order_by(has_data.desc(), Round.position, Round.id).limit(1)
    )
    return found


def judge_progress(round_: Round) -> list[JudgeProgress]:
    """One row per judge of the round (assigned or accepted), in two queries."""
    review = aliased(Review)
    assigned = db.session.execute(
        sa.select(
            User,
            sa.func.count(Assignment.id),
            sa.func.count(sa.case((review.status == "submitted", 1))),
            sa.func.count(sa.case((review.status == "draft", 1))),
            sa.func.max(review.updated_at),
        )
        .join(Assignment, Assignment.judge_id == User.id)
        .outerjoin(review, sa.and_(review.round_id == Assignment.round_id,
                                   review.entry_id == Assignment.entry_id,
                                   review.judge_id == Assignment.judge_id))
        .where(Assignment.round_id == round_.id, _no_conflict())
        .group_by(User.id)
    ).all()
    rows = {user.id: JudgeProgress(user, due, done, drafts, last)
            for user, due, done, drafts, last in assigned}
    members = db.session.scalars(
        sa.select(User).join(JuryMember, JuryMember.user_id == User.id)
        .where(JuryMember.round_id == round_.id, JuryMember.status == "accepted")
    ).all()
    for user in members:
        rows.setdefault(user.id, JudgeProgress(user, 0, 0, 0, None))
    return sorted(rows.values(), key=lambda row: (row.judge.name.lower(), row.judge.id))


def entry_progress(round_: Round) -> list[EntryProgress]:
    """One row per entry of the round: reviews submitted of reviews due (its assignments)."""
    due = (
        sa.select(Assignment.entry_id, sa.func.count(Assignment.id).label("due"))
        .where(Assignment.round_id == round_.id, _no_conflict())
        .group_by(Assignment.entry_id).subquery()
    )
    done = (
        sa.select(
            Review.entry_id,
            sa.func.count(sa.case((Review.status == "submitted", 1))).label("submitted"),
            sa.func.count(sa.case((Review.status == "draft", 1))).label("drafts"),
        )
        .where(Review.round_id == round_.id)
        .group_by(Review.entry_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Entry, sa.func.coalesce(due.c.due, 0), sa.func.coalesce(done.c.submitted, 0),
                  sa.func.coalesce(done.c.drafts, 0))
        .join(EntryRound, EntryRound.entry_id == Entry.id)
        .outerjoin(due, due.c.entry_id == Entry.id)
        .outerjoin(done, done.c.entry_id == Entry.id)
        .options(selectinload(Entry.nomination))
        .where(EntryRound.round_id == round_.id)
        .order_by(Entry.number, Entry.id)
    ).all()
    return [EntryProgress(entry, due_count, submitted, drafts)
            for entry, due_count, submitted, drafts in rows]


def judges_with_work_left(round_: Round) -> list[JudgeProgress]:
    return [row for row in judge_progress(round_) if row.left > 0]


def send_reminders(*, round_: Round, actor: User, judge_ids: list[int] | None = None) -> int:
    """One e-mail per judge with reviews left in the round, in the judge's language.

    Returns how many judges were reminded.
    """
    contest = round_.contest
    link = external_url("jury.dashboard")
    sent = 0
    for row in judges_with_work_left(round_):
        if judge_ids is not None and row.judge.id not in judge_ids:
            continue
        with force_locale(row.judge.locale):
            send_mail(
                to=row.judge.email,
                subject=_("Reminder: %(left)s reviews left in «%(contest)s»",
                          left=row.left, contest=contest.loc("title")),
                body=render_template("mail/review_reminder.txt", judge=row.judge, contest=contest,
                                     round=round_, left=row.left, due=row.due, link=link),
            )
        record_event(contest_id=contest.id, actor_id=actor.id, action="jury.remind",
                     object_type="user", object_id=row.judge.id,
                     new={"round": round_.key, "left": row.left, "due": row.due})
        sent += 1
    db.session.flush()
    return sent


def reviews_by_entry(round_: Round, entry_ids: list[int], *,
                     submitted_only: bool = False) -> dict[int, list[Review]]:
    """The reviews of these entries in the round, with scores and judges: two queries."""
    if not entry_ids:
        return {}
    query = (
        sa.select(Review).options(selectinload(Review.scores), joinedload(Review.judge))
        .where(Review.round_id == round_.id, Review.entry_id.in_(entry_ids))
        .order_by(Review.entry_id, Review.id)
    )
    if submitted_only:
        query = query.where(Review.status == "submitted")
    grouped: dict[int, list[Review]] = {entry_id: [] for entry_id in entry_ids}
    for review in db.session.scalars(query):
        grouped[review.entry_id].append(review)
    return grouped
