"""Creating and setting up contests: organisers, nominations, rounds, criteria."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import Contest, ContestOrganiser, Criterion, Nomination, Round, TieBreak, User
from app.services.platform.audit import record_event
from app.services.platform.clock import now


def get_contest(slug: str) -> Contest | None:
    return db.session.scalar(sa.select(Contest).where(Contest.slug == slug))


def create_contest(*, slug: str, title_ru: str, title_en: str, timezone: str = "Europe/Moscow",
                   description_ru: str = "", description_en: str = "",
                   actor: User | None = None, draft: bool = False, languages: str = "ru,en") -> Contest:
    """A new contest; `draft=True` (the administrator's form) keeps it to its organisers until
    they announce it (`announce_contest`)."""
    moment = now()
    contest = Contest(
        slug=slug, title_ru=title_ru, title_en=title_en, timezone=timezone, languages=languages,
        description_ru=description_ru, description_en=description_en, created_at=moment,
        announced_at=None if draft else moment,
    )
    db.session.add(contest)
    db.session.flush()
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="contest.create", object_type="contest", object_id=contest.id,
                 new={"slug": slug})
    return contest


def announce_contest(contest: Contest, *, actor: User | None = None) -> bool:
    """A draft contest becomes public (its page, the home page, applications); False if it was."""
    if contest.announced_at is not None:
        return False
    contest.announced_at = now()
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="contest.announce", object_type="contest", object_id=contest.id,
                 new={"announced_at": contest.announced_at.isoformat()})
    return True


def contest_stage(contest: Contest, moment=None) -> tuple[str, object]:
    """Where a contest stands for its home-page card: (stage, the next deadline or None).
    Stages: draft, published (results), intake, judging, upcoming, closed."""
    moment = moment or now()
    if contest.is_draft:
        return "draft", None
    if contest.is_published:
        return "published", None
    for round_ in contest.rounds:
        if round_.intake_opens_at and round_.intake_closes_at and \
                round_.intake_opens_at <= moment < round_.intake_closes_at:
            return "intake", round_.intake_closes_at
    for round_ in contest.rounds:
        if round_.judging_opens_at and round_.judging_closes_at and \
                round_.judging_opens_at <= moment < round_.judging_closes_at:
            return "judging", round_.judging_closes_at
    upcoming = sorted(r.intake_opens_at for r in contest.rounds if r.intake_opens_at and r.intake_opens_at > moment)
    if upcoming:
        return "upcoming", upcoming[0]
    return "closed", None


def contest_visible_to(contest: Contest, user) -> bool:
    """A draft is seen only by its organisers and administrators; an announced contest by all."""
    from app.services.platform import permissions

    if not contest.is_draft:
        return True
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (user.is_admin or permissions.is_organiser(user, contest)))


def update_contest(contest: Contest, *, actor: User | None = None, **fields) -> Contest:
    old = {name: getattr(contest, name) for name in fields}
    for name, value in fields.items():
        setattr(contest, name, value)
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="contest.update", object_type="contest", object_id=contest.id,
                 old=old, new=fields)
    return contest


def appoint_organiser(contest: Contest, user: User, *, actor: User | None = None) -> bool:
    """Makes the user an organiser of the contest; False when they already were."""
    if db.session.get(ContestOrganiser, (contest.id, user.id)) is not None:
        return False
    db.session.add(ContestOrganiser(contest_id=contest.id, user_id=user.id))
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                 action="organiser.appoint", object_type="user", object_id=user.id)
    return True


def remove_organiser(contest: Contest, user: User, *, actor: User | None = None) -> None:
    link = db.session.get(ContestOrganiser, (contest.id, user.id))
    if link is not None:
        db.session.delete(link)
        record_event(contest_id=contest.id, actor_id=actor.id if actor else None,
                     action="organiser.remove", object_type="user", object_id=user.id)


def contest_organisers(contest: Contest) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(ContestOrganiser, ContestOrganiser.user_id == User.id)
        .where(ContestOrganiser.contest_id == contest.id).order_by(User.name)
    ))


def organised_contests(user: User) -> list[Contest]:
    query = sa.select(Contest).order_by(Contest.created_at.desc())
    if not user.is_admin:
        query = query.join(ContestOrganiser, ContestOrganiser.contest_id == Contest.id).where(
            ContestOrganiser.user_id == user.id
        )
    return list(db.session.scalars(query))


def _next_position(model, **where) -> int:
    column = model.position
    query = sa.select(sa.func.coalesce(sa.func.max(column), -1) + 1)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def add_nomination(contest: Contest, *, key: str, title_ru: str, title_en: str) -> Nomination:
    nomination = Nomination(
        contest_id=contest.id, key=key, title_ru=title_ru, title_en=title_en,
        position=_next_position(Nomination, contest_id=contest.id),
    )
    db.session.add(nomination)
    db.session.flush()
    return nomination


def add_round(contest: Contest, *, key: str, title_ru: str, title_en: str,
              intake_opens_at: datetime | None = None, intake_closes_at: datetime | None = None,
              judging_opens_at: datetime | None = None, judging_closes_at: datetime | None = None,
              reviews_per_entry: int = 2, method: str = "mean", pass_mark: Decimal | None = None,
              disagreement_threshold: Decimal | None = None, blind: bool = False,
              weight: Decimal | None = None, titles_safe: bool = False) -> Round:
    round_ = Round(
        contest_id=contest.id, key=key, title_ru=title_ru, title_en=title_en,
        position=_next_position(Round, contest_id=contest.id),
        intake_opens_at=intake_opens_at, intake_closes_at=intake_closes_at,
        judging_opens_at=judging_opens_at, judging_closes_at=judging_closes_at,
        reviews_per_entry=reviews_per_entry, method=method, pass_mark=pass_mark,
        disagreement_threshold=disagreement_threshold, blind=blind, weight=weight, titles_safe=titles_safe,
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def add_criterion(round_: Round, *, key: str, title_ru: str, title_en: str, weight: Decimal,
                  min_score: int = 0, max_score: int = 10, comment_required: bool = False,
                  description_ru: str = "", description_en: str = "", anchors_ru: str = "",
                  anchors_en: str = "") -> Criterion:
    criterion = Criterion(
        round_id=round_.id, key=key, title_ru=title_ru, title_en=title_en, weight=weight,
        min_score=min_score, max_score=max_score, comment_required=comment_required,
        description_ru=description_ru, description_en=description_en,
        anchors_ru=anchors_ru, anchors_en=anchors_en,
        position=_next_position(Criterion, round_id=round_.id),
    )
    db.session.add(criterion)
    db.session.flush()
    return criterion


def set_tie_breaks(round_: Round, criteria: list[Criterion]) -> None:
    """Replaces the round's tie-break criteria, in the given order."""
    for criterion in criteria:
        if criterion.round_id != round_.id:
            raise ValueError(f"criterion {criterion.key} is not in round {round_.key}")
    round_.tie_breaks.clear()
    db.session.flush()
    for position, criterion in enumerate(criteria):
        round_.tie_breaks.append(
            TieBreak(round_id=round_.id, criterion_id=criterion.id, position=position)
        )
    db.session.flush()


def move(item, direction: int, siblings: list) -> None:
    """Moves a nomination, round, criterion or form field up (-1) or down (+1) in its list."""
    ordered = sorted(siblings, key=lambda s: (s.position, s.id))
    index = ordered.index(item)
    target = index + direction
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered):
        sibling.position = position
