"""The lifecycle of a round (DESIGN §3a): open → judging → finalised → published.

Each state rule is written here once; pages, autosave, the CLI, the importer and jobs ask it.

- **open**: nothing is submitted yet; the organiser sets the round up freely.
- **judging**: the round has a submitted review. What shapes its results is fixed: see
  `RULES_LOCKED` (refused with a message) and `RULES_BY_CHANGE` (changed only through
  roundrules.changes (edit_criterion, edit_round): a reason, every stored total recomputed in the same
  transaction, the judges told, an audit event with old → new values). A criterion with a score is
  never deleted; a scale is never narrowed below a score already given.
- **finalised**: the round's ranking is frozen (a snapshot). Judges read their reviews and change
  nothing; the organiser changes no rule. Only reopening (with a reason) unfreezes it.
- **published**: the contest's results are published. Reopening one of its rounds is refused until
  the publication is withdrawn; awards and places change only by a correction.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Criterion, Review, Round, Score
from app.services.platform import clock

OPEN, JUDGING, FINALISED, PUBLISHED = "open", "judging", "finalised", "published"

# Fixed from the first submitted review: changing them would change what judges were asked, or how
# ties fall, after the fact. Refused with a message (`rules_refusal`).
RULES_LOCKED = {
    "criteria.add": _l("Judging has started: a criterion can no longer be added to this round."),
    "criteria.delete": _l("Judging has started: a criterion can no longer be deleted from this round."),
    "tie_break": _l("Judging has started: the tie-break order is locked."),
    "blind": _l("Judging has started: whether the round is blind can no longer change."),
}
# Changed only through the explicit "change the rules of a round in progress" action.
RULES_BY_CHANGE = ("weight", "min_score", "max_score", "method", "pass_mark", "disagreement_threshold",
                   "round_weight")


class LifecycleError(Exception):
    """A change the round's state does not allow; the message is translated. `field`: the form
    field it is about, when there is one (so the page shows it there)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def has_submitted_review(round_: Round) -> bool:
    """Whether the round has a submitted review: the moment its rules lock (one EXISTS)."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Review.round_id == round_.id, Review.status == "submitted"))))


def round_state(round_: Round) -> str:
    if round_.finalised_at is not None:
        return PUBLISHED if round_.contest.is_published else FINALISED
    return JUDGING if has_submitted_review(round_) else OPEN


def is_frozen(round_: Round) -> bool:
    return round_.finalised_at is not None


# --- judges -----------------------------------------------------------------------------------

def judge_change_refusal(round_: Round, at: datetime | None = None) -> str | None:
    """Why a judge may not save, submit, autosave or reopen a review of the round now; None when
    they may. A finalised round is frozen whatever its judging window says."""
    if round_.finalised_at is not None:
        return _("This round is finalised: its results are frozen and reviews can no longer be changed.")
    if not clock.is_open(round_.judging_opens_at, round_.judging_closes_at, at):
        return _("Judging is closed; reviews can no longer be changed.")
    return None


def judges_may_change(round_: Round, at: datetime | None = None) -> bool:
    return judge_change_refusal(round_, at) is None


# --- the organiser's rules ----------------------------------------------------------------------

def check_not_frozen(round_: Round) -> None:
    if round_.finalised_at is not None:
        raise LifecycleError(_("This round is finalised: reopen it before changing its rules."))


def rules_refusal(round_: Round, what: str) -> str | None:
    """Why `what` (a key of RULES_LOCKED) may not change now; None when it may."""
    if round_.finalised_at is not None:
        return _("This round is finalised: reopen it before changing its rules.")
    if what in RULES_LOCKED and has_submitted_review(round_):
        return str(RULES_LOCKED[what])
    return None


def criterion_has_scores(criterion: Criterion) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Score.criterion_id == criterion.id, Score.value.is_not(None)))))


def criterion_delete_refusal(criterion: Criterion) -> str | None:
    """A criterion with a score (a draft's too) is never deleted; nor any once judging started."""
    if criterion_has_scores(criterion):
        return _("This criterion has scores and can never be deleted.")
    return rules_refusal(criterion.round, "criteria.delete")


def scale_refusal(criterion: Criterion, min_score: int, max_score: int) -> str | None:
    """A scale is never narrowed below (or above) a score already given, drafts included."""
    low, high = db.session.execute(sa.select(sa.func.min(Score.value), sa.func.max(Score.value))
                                   .where(Score.criterion_id == criterion.id)).one()
    if low is not None and (min_score > low or max_score < high):
        return _("Scores from %(low)s to %(high)s are already given: the scale must include them.",
                 low=low, high=high)
    return None


def round_needs_change_action(round_: Round) -> bool:
    """Whether a change of RULES_BY_CHANGE must go through the audited change action."""
    return has_submitted_review(round_)
