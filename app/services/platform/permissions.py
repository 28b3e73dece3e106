"""Who may do what. Each rule is said here once; views and templates ask these functions."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm

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


def can_see_entrant_identity(user: User | None, entry: Entry, *, asked: bool | None = None) -> bool:
    """Blind rounds hide who the entrant is from judges; the entrant and organisers always see it.

    A judge sees the identity only when none of the rounds in which they review this entry is blind.
    `asked`: entrant_identity_clause's answer for this user and entry, read with the page's own
    query (the score page), so it is not asked again.
    """
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if asked is not None:
        return bool(asked)
    return bool(db.session.scalar(sa.select(
        entrant_identity_clause(user.id, entry.id, entry.entrant_id, entry.contest_id))))


def entrant_identity_clause(user_id, entry_id, entrant_id, contest_id) -> sa.ColumnElement[bool]:
    """can_see_entrant_identity's rule for an account that is not an administrator, as SQL (values,
    bound parameters or columns): the entrant; an organiser of the contest; or a judge none of
    whose rounds reviewing the entry is blind."""
    organiser = sa.exists().where(ContestOrganiser.contest_id == contest_id, ContestOrganiser.user_id == user_id)
    # Any round of the judge's with this entry (an alias: never the round of an enclosing query).
    blind_round = sa.orm.aliased(Round)
    blind_assignment = sa.exists().where(
        Assignment.judge_id == user_id,
        Assignment.entry_id == entry_id,
        Assignment.round_id == blind_round.id,
        blind_round.blind.is_(True),
    )
    return sa.or_(sa.type_coerce(entrant_id, sa.Integer) == user_id, organiser, ~blind_assignment)


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
