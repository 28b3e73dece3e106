"""Demo: a second contest whose intake is open for the next weeks, so a newcomer can apply at once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from app.services.demo.entries import seed_form
from app.services.platform.clock import now
from app.services.setup import contests

OPEN_CALL_SLUG = "small-grants-2027"

OPEN_CALL_NOMINATIONS = [
    ("neighbourhood", "Добрые соседи", "Good neighbours"),
    ("youth", "Молодёжные инициативы", "Youth initiatives"),
]

OPEN_CALL_CRITERIA = [
    ("need", "Насколько проект нужен людям", "How much people need the project", "2.0"),
    ("plan", "Реалистичность плана и бюджета", "Realism of the plan and budget", "1.5"),
    ("team", "Команда и партнёры", "Team and partners", "1.0"),
]


def seed_open_call(demo, rng: random.Random) -> None:
    """«Малые гранты — 2027»: intake open from two days ago for four weeks, judging after it."""
    moment = now().replace(minute=0, second=0, microsecond=0)
    contest = contests.create_contest(
        slug=OPEN_CALL_SLUG, title_ru="Малые гранты — 2027", title_en="Small Grants 2027",
        timezone="Asia/Krasnoyarsk",
        description_ru=("Гранты до 300 000 ₽ на проекты соседских сообществ и молодёжи. "
                        "Приём заявок открыт — подайте заявку прямо сейчас."),
        description_en=("Grants of up to RUB 300,000 for neighbourhood and youth projects. "
                        "Applications are open — apply now."),
        actor=demo.organiser,
    )
    contests.appoint_organiser(contest, demo.organiser, actor=demo.organiser)
    for key, title_ru, title_en in OPEN_CALL_NOMINATIONS:
        contests.add_nomination(contest, key=key, title_ru=title_ru, title_en=title_en)
    round_ = contests.add_round(
        contest, key="applications", title_ru="Приём и экспертиза заявок", title_en="Applications and review",
        intake_opens_at=moment - timedelta(days=2), intake_closes_at=moment + timedelta(days=28),
        judging_opens_at=moment + timedelta(days=29), judging_closes_at=moment + timedelta(days=45),
        reviews_per_entry=2, method="mean",
    )
    for key, title_ru, title_en, weight in OPEN_CALL_CRITERIA:
        contests.add_criterion(round_, key=key, title_ru=title_ru, title_en=title_en,
                               weight=Decimal(weight), min_score=0, max_score=10)
    seed_form(contest)
    demo.logins.append(("open call", f"/c/{OPEN_CALL_SLUG}/ (applications open)"))
