"""Finalising with eyes open (DESIGN §3a.3): what is not done in a round, listed before it is frozen.

`finalise_checklist` lists every open item: reviews not submitted (how many, and whose), assigned
judges who have not signed the declaration, a judging window still open, disagreement flags not
resolved, judges with drafts. outcomes.finalise_round refuses to freeze the round unless each
listed item is ticked and a reason is given; the list and the reason go into the audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.models import Assignment, Conflict, Declaration, Review, Round, User
from app.services.platform import clock
from app.services.results import disagreement

ITEM_KEYS = ("missing_reviews", "unsigned_declarations", "judging_open", "unresolved_flags", "drafts")


@dataclass
class ChecklistItem:
    key: str
    count: int
    # The judges concerned, by name (with their count where it says more).
    who: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The item as the organiser reads it, in the current language."""
        if self.key == "missing_reviews":
            return ngettext("%(num)d assigned review is not submitted", "%(num)d assigned reviews are not submitted",
                            self.count)
        if self.key == "unsigned_declarations":
            return ngettext("%(num)d assigned judge has not signed the declaration",
                            "%(num)d assigned judges have not signed the declaration", self.count)
        if self.key == "judging_open":
            return _("The judging window is still open")
        if self.key == "unresolved_flags":
            return ngettext("%(num)d entry has a disagreement flag not resolved",
                            "%(num)d entries have a disagreement flag not resolved", self.count)
        return ngettext("%(num)d judge has drafts that will not count",
                        "%(num)d judges have drafts that will not count", self.count)

    def record(self) -> dict:
        return {"item": self.key, "count": self.count, "who": self.who}


def _not_conflicted():
    return ~sa.exists().where(Conflict.entry_id == Assignment.entry_id, Conflict.user_id == Assignment.judge_id)


def finalise_checklist(round_: Round) -> list[ChecklistItem]:
    """The open items of the round, in a fixed order; empty when everything is done."""
    items = []
    submitted = sa.exists().where(Review.round_id == Assignment.round_id, Review.entry_id == Assignment.entry_id,
                                  Review.judge_id == Assignment.judge_id, Review.status == "submitted")
    missing = db.session.execute(
        sa.select(User.name, sa.func.count())
        .join(Assignment, Assignment.judge_id == User.id)
        .where(Assignment.round_id == round_.id, ~submitted, _not_conflicted())
        .group_by(User.id, User.name).order_by(User.name)
    ).all()
    if missing:
        items.append(ChecklistItem("missing_reviews", sum(n for _name, n in missing),
                                   [f"{name} ({n})" for name, n in missing]))
    unsigned = list(db.session.scalars(
        sa.select(User.name).where(
            User.id.in_(sa.select(Assignment.judge_id).where(Assignment.round_id == round_.id)),
            ~sa.exists().where(Declaration.contest_id == round_.contest_id, Declaration.user_id == User.id),
        ).order_by(User.name)
    ))
    if unsigned:
        items.append(ChecklistItem("unsigned_declarations", len(unsigned), unsigned))
    if round_.judging_closes_at is not None and clock.now() <= round_.judging_closes_at:
        items.append(ChecklistItem("judging_open", 1))
    # A flag is resolved once the flagged entry has had one more judge assigned (DESIGN §3.6):
    # flagged entries with no more assignments than the round asks for are open.
    flagged = disagreement.flagged_entry_ids(round_)
    if flagged:
        counts = dict(db.session.execute(
            sa.select(Assignment.entry_id, sa.func.count()).where(
                Assignment.round_id == round_.id, Assignment.entry_id.in_(flagged)).group_by(Assignment.entry_id)
        ).all())
        open_flags = [entry_id for entry_id in flagged if counts.get(entry_id, 0) <= round_.reviews_per_entry]
        if open_flags:
            items.append(ChecklistItem("unresolved_flags", len(open_flags)))
    drafts = db.session.execute(
        sa.select(User.name, sa.func.count())
        .join(Review, Review.judge_id == User.id)
        .where(Review.round_id == round_.id, Review.status == "draft")
        .group_by(User.id, User.name).order_by(User.name)
    ).all()
    if drafts:
        items.append(ChecklistItem("drafts", len(drafts), [f"{name} ({n})" for name, n in drafts]))
    return items


def judges_with_drafts(round_: Round) -> list[tuple[User, int]]:
    """The judges whose drafts in the round will not count, with how many each."""
    return [(user, n) for user, n in db.session.execute(
        sa.select(User, sa.func.count()).join(Review, Review.judge_id == User.id)
        .where(Review.round_id == round_.id, Review.status == "draft")
        .group_by(User.id).order_by(User.name, User.id)
    ).all()]
