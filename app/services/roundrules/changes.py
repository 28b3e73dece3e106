"""Changing what shapes a round's results (DESIGN §3a.1), the one way pages, CLI and imports do it.

Before the round's first submitted review the organiser edits freely (each change audited with old
→ new values). From then on (lifecycle: "judging"):
- criteria cannot be added or deleted, the tie-break order and the blind flag are locked
  (lifecycle.RULES_LOCKED);
- a criterion's weight or scale and the round's method, pass mark and disagreement threshold change
  only through the explicit "change the rules of a round in progress" action: the organiser gives a
  reason; every stored review total is recomputed in the same transaction; every judge of the round
  is told by e-mail; one audit event keeps the old and new values and the reason;
- a scale never leaves out a score already given; a criterion with scores is never deleted.
A finalised round changes nothing until it is reopened.
"""

from __future__ import annotations

from decimal import Decimal

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db
from app.models import Criterion, Round, User
from app.services.platform.audit import record_event
from app.services.platform.mail import send_mail
from app.services.results.ranking import plain_decimal
from app.services.scoring import reviews as scoring
from app.services.setup import contests, lifecycle, rules
from app.services.setup.lifecycle import LifecycleError

CRITERION_FIELDS = ("key", "title_ru", "title_en", "description_ru", "description_en", "anchors_ru",
                    "anchors_en", "weight", "min_score", "max_score", "comment_required")
CRITERION_SHAPING = ("weight", "min_score", "max_score")
ROUND_SHAPING = ("method", "pass_mark", "disagreement_threshold")


def _REASON_NEEDED() -> str:
    return _("Judging has started: give the reason for changing the rules of this round. "
             "Every submitted total will be recomputed and the judges told.")


def _value(value):
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _diff(obj, values: dict) -> tuple[dict, dict]:
    old, new = {}, {}
    for name, value in values.items():
        current = getattr(obj, name)
        if _value(current) != _value(value):
            old[name], new[name] = _value(current), _value(value)
    return old, new


def _actor_id(actor: User | None) -> int | None:
    return actor.id if actor else None


def add_criterion(round_: Round, *, actor: User | None, **values) -> Criterion:
    refusal = lifecycle.rules_refusal(round_, "criteria.add")
    if refusal:
        raise LifecycleError(refusal)
    criterion = contests.add_criterion(round_, **values)
    record_event(contest_id=round_.contest_id, actor_id=_actor_id(actor), action="criterion.add",
                 object_type="criterion", object_id=criterion.id,
                 new={"round": round_.key, "key": criterion.key, "weight": _value(criterion.weight),
                      "min_score": criterion.min_score, "max_score": criterion.max_score})
    return criterion


def delete_criterion(criterion: Criterion, *, actor: User | None) -> None:
    refusal = lifecycle.criterion_delete_refusal(criterion)
    if refusal:
        raise LifecycleError(refusal)
    round_ = criterion.round
    record_event(contest_id=round_.contest_id, actor_id=_actor_id(actor), action="criterion.delete",
                 object_type="criterion", object_id=criterion.id,
                 old={"round": round_.key, "key": criterion.key, "title_ru": criterion.title_ru,
                      "title_en": criterion.title_en, "weight": _value(criterion.weight),
                      "min_score": criterion.min_score, "max_score": criterion.max_score})
    db.session.delete(criterion)
    db.session.flush()


def edit_criterion(criterion: Criterion, *, values: dict, reason: str = "", actor: User | None) -> int:
    """Saves the criterion; returns how many stored totals were recomputed.

    A change of weight or scale in a round in progress needs a reason and is the audited change
    action (totals recomputed, judges told)."""
    round_ = criterion.round
    lifecycle.check_not_frozen(round_)
    old, new = _diff(criterion, {name: values[name] for name in CRITERION_FIELDS if name in values})
    if not new:
        return 0
    if "min_score" in new or "max_score" in new:
        low, high = values.get("min_score", criterion.min_score), values.get("max_score", criterion.max_score)
        message = rules.check_scale(low, high) or lifecycle.scale_refusal(criterion, low, high)
        if message:
            raise LifecycleError(message, field="max_score")
    shaping = [name for name in CRITERION_SHAPING if name in new]
    in_progress = bool(shaping) and lifecycle.round_needs_change_action(round_)
    reason = (reason or "").strip()
    if in_progress and not reason:
        raise LifecycleError(_REASON_NEEDED(), field="rules_change_reason")
    for name in new:
        setattr(criterion, name, values[name])
    db.session.flush()
    recomputed = scoring.recompute_totals(round_) if in_progress else 0
    record_event(contest_id=round_.contest_id, actor_id=_actor_id(actor),
                 action="round.rules_change" if in_progress else "criterion.update",
                 object_type="criterion", object_id=criterion.id,
                 old={"round": round_.key, "criterion": criterion.key, **old},
                 new={"round": round_.key, "criterion": criterion.key, **new,
                      **({"recomputed": recomputed} if in_progress else {})},
                 reason=reason or None)
    if in_progress:
        _tell_judges(round_, reason=reason)
    return recomputed


def edit_round(round_: Round, *, values: dict, tie_break: list[Criterion] | None = None, reason: str = "",
               actor: User | None) -> None:
    """Saves the round's settings and tie-break order (DESIGN §3a.1 decides what may change)."""
    in_progress = lifecycle.round_needs_change_action(round_)
    old, new = _diff(round_, values)
    shaping = [name for name in ROUND_SHAPING if name in new]
    if "weight" in new and round_.contest.is_published:
        raise LifecycleError(_("The results are published: withdraw the publication before changing "
                               "the round weights."), field="weight")
    if round_.finalised_at is not None and (shaping or "blind" in new or tie_break is not None and
                                            [c.id for c in tie_break] != [c.id for c in round_.tie_break_criteria]):
        raise LifecycleError(_("This round is finalised: reopen it before changing its rules."))
    if "blind" in new and in_progress:
        raise LifecycleError(str(lifecycle.RULES_LOCKED["blind"]), field="blind")
    if tie_break is not None:
        old_order = [c.key for c in round_.tie_break_criteria]
        new_order = [c.key for c in tie_break]
        if old_order != new_order:
            refusal = lifecycle.rules_refusal(round_, "tie_break")
            if refusal:
                raise LifecycleError(refusal, field="tie_break")
            old["tie_break"], new["tie_break"] = old_order, new_order
    reason = (reason or "").strip()
    if (shaping or "weight" in new) and in_progress and not reason:
        raise LifecycleError(_REASON_NEEDED(), field="rules_change_reason")
    if not new:
        return
    for name, value in values.items():
        setattr(round_, name, value)
    if "tie_break" in new:
        contests.set_tie_breaks(round_, tie_break)
    db.session.flush()
    changing_rules = bool(shaping) and in_progress
    record_event(contest_id=round_.contest_id, actor_id=_actor_id(actor),
                 action="round.rules_change" if in_progress and (shaping or "weight" in new) else "round.update",
                 object_type="round", object_id=round_.id, old={"round": round_.key, **old},
                 new={"round": round_.key, **new}, reason=reason or None)
    if changing_rules:
        # Stored totals do not depend on the method, pass mark or threshold; recomputing keeps the
        # rule "every change of rules in progress recomputes" without exceptions.
        scoring.recompute_totals(round_)
        _tell_judges(round_, reason=reason)


def _tell_judges(round_: Round, *, reason: str) -> None:
    contest = round_.contest
    for judge in scoring.judges_of_round(round_):
        with force_locale(judge.locale):
            send_mail(
                to=judge.email,
                subject=_("The rules of the round «%(round)s» have changed", round=round_.loc("title", judge.locale)),
                body=render_template("mail/rules_changed.txt", judge=judge, contest=contest, round=round_,
                                     reason=reason, language=judge.locale),
            )
