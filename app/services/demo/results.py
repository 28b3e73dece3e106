"""Demo stage: round 1 finished and finalised, the top ~30 % of each nomination advanced to the
public defence, round 2's jury assigned and part of its reviews in.

Runs after the scoring stage; with no round-1 reviews it does nothing.
Reviews go through app.services.scoring.reviews, so totals and the audit log are as in real use.
"""

from __future__ import annotations

import logging
import random

import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, Declaration, Entry, Review, User
from app.services.jury import assignment
from app.services.platform import clock
from app.services.results import finalising
from app.services.results import outcomes as results
from app.services.scoring import reviews as scoring

log = logging.getLogger("formula_jury.demo")

ADVANCE_PER_CENT = 30
ROUND2_SUBMITTED_SHARE = 0.45

COMMENTS = (
    "Критерий раскрыт слабо, нужны пояснения.",
    "Критерий раскрыт частично, есть замечания.",
    "Критерий раскрыт полностью, замечаний нет.",
)
FEEDBACK = (
    "Рекомендуем доработать обоснование проблемы и измеримые результаты.",
    "Хорошая основа; уточните бюджет и план после окончания гранта.",
    "Сильный проект — удачи на защите!",
)


def _band(level: float) -> int:
    return 0 if level <= 3 else (1 if level <= 6 else 2)


def _submit(scoring, round_, entry: Entry, judge: User, level: float, rng: random.Random, known=None) -> None:
    """Submits a review at about `level` (0–10), keeping the scores already in a draft."""
    criteria = list(round_.criteria)
    values = {}
    for criterion in criteria:
        if known and known.get(criterion.id) is not None:
            values[criterion.id] = known[criterion.id]
            continue
        raw = round(level + rng.gauss(0, 1.0))
        values[criterion.id] = int(max(criterion.min_score, min(criterion.max_score, raw)))
    band = _band(level)
    data = scoring.ReviewInput(scores=values, comments={c.id: COMMENTS[_band(values[c.id])] for c in criteria},
                               comment=COMMENTS[band], feedback=FEEDBACK[band])
    outcome = scoring.submit_review(round_=round_, entry=entry, judge=judge, data=data)
    if outcome.status != "submitted":
        raise RuntimeError(f"demo review not submitted: {outcome.problems}")


def _complete_round(scoring, round_, rng: random.Random) -> int:
    """Submits every assigned round-1 review that is missing or still a draft."""
    rows = db.session.execute(
        sa.select(Entry, User, Review)
        .join(Assignment, Assignment.entry_id == Entry.id)
        .join(User, User.id == Assignment.judge_id)
        .outerjoin(Review, sa.and_(Review.round_id == round_.id, Review.entry_id == Entry.id,
                                   Review.judge_id == User.id))
        .where(Assignment.round_id == round_.id,
               # A judge who has not signed the declaration cannot score (DESIGN §1): their
               # assignments stay missing, and finalising lists them.
               sa.exists().where(Declaration.contest_id == round_.contest_id, Declaration.user_id == User.id))
        .order_by(Entry.number, User.id)
    ).all()
    # The level of an entry: its other submitted reviews, if any, else a fair guess.
    levels: dict[int, float] = {}
    for entry, _judge, review in rows:
        if review is not None and review.status == "submitted" and review.total is not None:
            levels.setdefault(entry.id, float(review.total) / float(round_.maximum) * 10)
    completed = 0
    for entry, judge, review in rows:
        if review is not None and review.status == "submitted":
            continue
        known = {s.criterion_id: s.value for s in review.scores} if review is not None else None
        level = levels.get(entry.id, rng.gauss(6.4, 1.3)) + rng.gauss(0, 0.6)
        _submit(scoring, round_, entry, judge, level, rng, known)
        completed += 1
    return completed


def seed_results(demo, rng: random.Random) -> None:
    round1, round2 = demo.round1, demo.round2
    submitted = db.session.scalar(sa.select(sa.func.count()).select_from(Review).where(
        Review.round_id == round1.id, Review.status == "submitted"))
    if not submitted:
        return
    if scoring.judging_open(round1):
        _complete_round(scoring, round1, rng)
    db.session.flush()

    # Finalised with eyes open: whatever is still open is ticked, with the reason, as an organiser would.
    items = finalising.finalise_checklist(round1)
    results.finalise_round(round1, actor=demo.organiser, confirmed={item.key for item in items},
                           reason="Демо: все подписавшие декларацию эксперты оценили свои заявки; "
                                  "оставшиеся оценки не нужны для допуска к защите." if items else "")
    plan = results.advance_entries(round1, mode="share", count=ADVANCE_PER_CENT, actor=demo.organiser)
    db.session.flush()
    if not plan.entries:
        return

    assignment.assign_round(round_=round2, actor=demo.organiser, notify=False)
    # As in round 1, the demo pretends the judges were told at once: no assignment a judge has
    # already reviewed is still waiting to be announced.
    db.session.execute(sa.update(Assignment).where(Assignment.round_id == round2.id, Assignment.notified_at.is_(None))
                       .values(notified_at=clock.now()).execution_options(synchronize_session=False))
    db.session.flush()
    if not scoring.judging_open(round2):
        log.warning("demo: judging of %s is not open now; no round-2 scores are seeded", round2.key)
        return
    pairs = db.session.execute(
        sa.select(Entry, User).join(Assignment, Assignment.entry_id == Entry.id)
        .join(User, User.id == Assignment.judge_id)
        .where(Assignment.round_id == round2.id).order_by(Entry.number, User.id)
    ).all()
    quality = {}
    for entry, judge in pairs:
        quality.setdefault(entry.id, rng.uniform(5.5, 9.0))
        if rng.random() < ROUND2_SUBMITTED_SHARE:
            _submit(scoring, round2, entry, judge, quality[entry.id] + rng.gauss(0, 0.7), rng)
    db.session.flush()
