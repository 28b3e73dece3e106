"""Who may do what. Each rule is said here once; views and templates ask these functions."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, Contest, ContestOrganiser, Entry, JuryMember, Round, User


def is_organiser(user: User | None, contest: Contest) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return db.session.get(ContestOrganiser, (contest.id, user.id)) is not None


def is_judge_in_contest(user: User | None, contest: Contest) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        sa.select(sa.exists().where(
            JuryMember.user_id == user.id,
            JuryMember.status == "accepted",
            JuryMember.round_id.in_(sa.select(Round.id).where(Round.contest_id == contest.id)),
        ))
    )


def is_judge_in_round(user: User | None, round_: Round) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(sa.select(judge_in_round_clause(user.id, round_.id)))


def judge_in_round_clause(user_id, round_id) -> sa.Exists:
    """The rule of is_judge_in_round as SQL, to ask it in one query with others. The ids may be
    values, bound parameters or columns of the rows a query reads."""
    return sa.exists().where(
        JuryMember.user_id == user_id,
        JuryMember.status == "accepted",
        JuryMember.round_id == round_id,
    )


def is_entrant_in_contest(user: User | None, contest: Contest) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(
        sa.select(sa.exists().where(Entry.entrant_id == user.id, Entry.contest_id == contest.id))
    )


def is_assigned(user: User | None, entry: Entry, round_: Round | None = None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    condition = [Assignment.judge_id == user.id, Assignment.entry_id == entry.id]
    if round_ is not None:
        condition.append(Assignment.round_id == round_.id)
    return db.session.scalar(sa.select(sa.exists().where(*condition)))


def can_see_scores(user: User | None, contest: Contest) -> bool:
    """Before publication only organisers see any score or rank (DESIGN §1)."""
    return contest.is_published or is_organiser(user, contest)


def can_see_entrant_identity(user: User | None, entry: Entry) -> bool:
    """Blind rounds hide who the entrant is from judges; the entrant and organisers always see it.

    A judge sees the identity only when none of the rounds in which they review this entry is blind.
    """
    if user is None or not user.is_authenticated:
        return False
    if entry.entrant_id == user.id or is_organiser(user, entry.contest):
        return True
    blind_assignment = db.session.scalar(
        sa.select(sa.exists().where(
            Assignment.judge_id == user.id,
            Assignment.entry_id == entry.id,
            Assignment.round_id == Round.id,
            Round.blind.is_(True),
        ))
    )
    return not blind_assignment


def can_open_job(user: User | None, job: dict) -> bool:
    """A background job (an export) and its file: the organisers of its contest (someone who has
    stopped organising it loses access), or for a job of no contest the person who started it."""
    if user is None or not user.is_authenticated:
        return False
    contest_id = job.get("contest_id")
    if contest_id is None:
        return job.get("owner_id") == user.id
    contest = db.session.get(Contest, contest_id)
    return contest is not None and is_organiser(user, contest)


def organised_contest_ids(user: User | None) -> set[int] | frozenset:
    """The contests a person organises, in one query (administrators: every contest)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.is_admin:
        return set(db.session.scalars(sa.select(Contest.id)))
    return set(db.session.scalars(sa.select(ContestOrganiser.contest_id)
                                  .where(ContestOrganiser.user_id == user.id)))
