"""Demo stage: round 1 mid-judging — most reviews submitted, some drafts, some not started,
and a few entries on which the two judges disagree sharply.

Everything goes through app.services.scoring.reviews, so totals and the audit log are as in real use.
"""

from __future__ import annotations

import logging
import random

import sqlalchemy as sa

from app.extensions import db
from app.models import Assignment, Criterion, Declaration, Entry, User
from app.services.scoring import reviews as scoring

log = logging.getLogger("formula_jury.demo")

SUBMITTED_SHARE = 0.74
DRAFT_SHARE = 0.13  # the rest are not started
FLAGGED_ENTRIES = 4

# Comments by criterion and by band (low 0–3, middle 4–6, high 7–10).
COMMENTS = {
    "relevance": (
        "Проблема описана общими словами, нет данных о целевой группе и её потребностях.",
        "Проблема актуальна для территории, но обоснование опирается на устаревшие данные.",
        "Актуальность хорошо обоснована: приведены свежие данные опросов и статистика по району.",
    ),
    "coherence": (
        "Цели, задачи и мероприятия слабо связаны между собой, календарный план не выстроен.",
        "Логика проекта в целом прослеживается, но часть мероприятий не ведёт к заявленным результатам.",
        "Цели, задачи, мероприятия и результаты логично связаны, план реалистичен.",
    ),
    "innovation": (
        "Проект повторяет уже действующие практики без заметных отличий.",
        "Есть элементы новизны, но подход в целом типовой.",
        "Оригинальный подход, для региона практика новая.",
    ),
    "budget": (
        "Бюджет не обоснован: крупные статьи без расчётов, расходы не соответствуют мероприятиям.",
        "Бюджет в основном реалистичен, но часть статей завышена.",
        "Бюджет детально расписан, расходы соразмерны ожидаемым результатам.",
    ),
    "impact": (
        "Социальный эффект не измерим: нет количественных показателей.",
        "Показатели заявлены, но способ их измерения не описан.",
        "Понятные измеримые показатели и способы их проверки, охват значительный.",
    ),
    "sustainability": (
        "Неясно, что будет с проектом после окончания финансирования.",
        "Есть намерение продолжать проект, но источники ресурсов не определены.",
        "Продуманы механизмы продолжения проекта и тиражирования в других городах.",
    ),
    "team": (
        "Опыт команды в подобных проектах не подтверждён.",
        "Команда имеет частичный опыт, ключевые роли распределены не полностью.",
        "Сильная команда с подтверждённым опытом реализации похожих проектов.",
    ),
    "contribution": (
        "Собственный вклад и партнёрские ресурсы не указаны.",
        "Собственный вклад есть, но небольшой; партнёры названы без подтверждений.",
        "Значительный собственный вклад, есть письма поддержки партнёров.",
    ),
}
GENERIC = (
    "Критерий раскрыт слабо.",
    "Критерий раскрыт частично, есть замечания.",
    "Критерий раскрыт полностью.",
)
OVERALL = (
    "Заявка требует существенной доработки.",
    "Проект перспективный, но нуждается в доработке бюджета и показателей.",
    "Сильная заявка, рекомендую к поддержке.",
)
FEEDBACK = (
    "Рекомендуем конкретизировать целевую группу и измеримые результаты проекта.",
    "Обратите внимание на обоснование статей бюджета и на план после окончания гранта.",
    "Хороший проект; стоит подробнее описать, как вы будете тиражировать опыт.",
)


def _band(value: float) -> int:
    return 0 if value <= 3 else (1 if value <= 6 else 2)


def _scores(criteria: list[Criterion], level: float, rng: random.Random) -> dict[int, int]:
    values = {}
    for criterion in criteria:
        raw = level + rng.gauss(0, 1.1)
        values[criterion.id] = int(max(criterion.min_score, min(criterion.max_score, round(raw))))
    return values


def _comments(criteria: list[Criterion], values: dict[int, int], rng: random.Random) -> dict[int, str]:
    comments = {}
    for criterion in criteria:
        band = _band(values[criterion.id])
        comments[criterion.id] = COMMENTS.get(criterion.key, GENERIC)[band]
        if rng.random() < 0.15:
            comments[criterion.id] += " Рекомендую уточнить в ходе защиты."
    return comments


def seed_scoring(demo, rng: random.Random) -> None:
    round_ = demo.round1
    rows = db.session.execute(
        sa.select(Assignment, Entry, User)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(User, User.id == Assignment.judge_id)
        .where(Assignment.round_id == round_.id)
        .order_by(Entry.number, Entry.id, User.id)
    ).all()
    if not rows:
        return
    if not scoring.judging_open(round_):
        log.warning("demo: judging of %s is not open now; no scores are seeded", round_.key)
        return
    signed = set(db.session.scalars(
        sa.select(Declaration.user_id).where(Declaration.contest_id == round_.contest_id)))
    criteria = list(round_.criteria)

    # A latent quality per entry (skewed towards the middle-upper range), a temper per judge.
    quality = {}
    for _assignment, entry, _judge in rows:
        quality.setdefault(entry.id, max(1.5, min(9.3, rng.gauss(6.4, 1.5))))
    temper = {judge.id: rng.gauss(0, 0.7) for _assignment, _entry, judge in rows}

    by_entry: dict[int, list[tuple[Entry, User]]] = {}
    for _assignment, entry, judge in rows:
        if judge.id in signed:
            by_entry.setdefault(entry.id, []).append((entry, judge))
    pairs = [pair for pair in by_entry.values() if len(pair) >= 2]
    flagged = {pair[0][0].id for pair in rng.sample(pairs, min(FLAGGED_ENTRIES, len(pairs)))}

    for pairs_of_entry in by_entry.values():
        for position, (entry, judge) in enumerate(pairs_of_entry):
            if entry.id in flagged:
                # One judge is taken with the project, the other is not: a spread well above 30.
                level, state = (8.6 if position == 0 else 3.8), "submitted"
            else:
                level = quality[entry.id] + temper[judge.id]
                draw = rng.random()
                state = ("submitted" if draw < SUBMITTED_SHARE
                         else "draft" if draw < SUBMITTED_SHARE + DRAFT_SHARE else "missing")
            if state == "missing":
                continue
            values = _scores(criteria, level, rng)
            comments = _comments(criteria, values, rng)
            band = _band(level)
            if state == "draft":
                # A draft is half-done: the first few criteria scored, the rest still empty.
                done = criteria[: rng.randint(2, max(2, len(criteria) - 2))]
                data = scoring.ReviewInput(scores={c.id: values[c.id] for c in done},
                                           comments={c.id: comments[c.id] for c in done})
                scoring.save_draft(round_=round_, entry=entry, judge=judge, data=data)
                continue
            data = scoring.ReviewInput(
                scores=values, comments=comments, comment=OVERALL[band],
                feedback=FEEDBACK[band] if rng.random() < 0.6 else "",
            )
            outcome = scoring.submit_review(round_=round_, entry=entry, judge=judge, data=data)
            if outcome.status != "submitted":  # a required comment missing cannot happen here
                raise RuntimeError(f"demo review not submitted: {outcome.problems}")
    db.session.flush()
