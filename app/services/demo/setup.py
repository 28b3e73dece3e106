"""Demo set-up: the contest, nominations, rounds, criteria, form and people."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from app.extensions import db
from app.models import Contest, Round, User
from app.services.funding.funds import set_fund
from app.services.platform import accounts
from app.services.platform.clock import now
from app.services.setup import contests

DEMO_PASSWORD = "demo12345"
SLUG = "formula-2026"

NOMINATIONS = [
    ("education", "Образование и профориентация", "Education & careers"),
    ("health", "Здоровье и активный образ жизни", "Health & active lifestyle"),
    ("social", "Социальная поддержка и инклюзия", "Social support & inclusion"),
    ("ecology", "Экология и городская среда", "Ecology & urban environment"),
    ("enterprise", "Социальное предпринимательство", "Social entrepreneurship"),
]

ANCHORS_RU = ("0 — полностью не отвечает\n1–2 — в основном не отвечает\n3–4 — скорее не отвечает\n"
              "5–6 — скорее отвечает\n7–8 — отвечает, есть замечания\n9–10 — полностью отвечает")
ANCHORS_EN = ("0 — does not meet\n1–2 — mostly does not meet\n3–4 — rather does not meet\n"
              "5–6 — rather meets\n7–8 — meets with remarks\n9–10 — fully meets")

ROUND1_CRITERIA = [
    ("relevance", "Актуальность и социальная значимость проекта",
     "Relevance and social significance", "2.0"),
    ("coherence", "Логическая связность и реализуемость проекта",
     "Logical coherence and feasibility", "2.0"),
    ("innovation", "Инновационность, уникальность проекта", "Innovation and uniqueness", "1.0"),
    ("budget", "Соотношение расходов и результатов, реалистичность бюджета",
     "Cost-effectiveness and budget realism", "1.5"),
    ("impact", "Масштаб и измеримость социального эффекта",
     "Scale and measurable social impact", "1.0"),
    ("sustainability", "Устойчивость и тиражируемость проекта",
     "Sustainability and replicability", "1.0"),
    ("team", "Опыт и компетенции команды проекта", "Team experience and competence", "1.0"),
    ("contribution", "Собственный вклад и дополнительные ресурсы",
     "Own contribution and extra resources", "0.5"),
]

ROUND2_CRITERIA = [
    ("clarity", "Ясность презентации", "Clarity of presentation", "1.0"),
    ("readiness", "Готовность к запуску", "Readiness to launch", "1.0"),
    ("credibility", "Убедительность команды", "Team credibility", "1.0"),
]

JUDGES = [
    ("Анна Смирнова", "Центр развития НКО «Вектор»"), ("Игорь Волков", "Фонд «Город будущего»"),
    ("Мария Кузнецова", "Сибирский федеральный университет"),
    ("Дмитрий Попов", "АНО «Ресурсный центр»"),
    ("Елена Соколова", "Фонд «Здоровое поколение»"), ("Сергей Лебедев", "Экологический союз Сибири"),
    ("Ольга Новикова", "Ассоциация социальных предпринимателей"),
    ("Алексей Морозов", "Красноярский краевой центр молодёжи"),
    ("Наталья Павлова", "Благотворительный фонд «Опора»"), ("Павел Фёдоров", "Институт урбанистики"),
    ("Ирина Михайлова", "Центр инклюзии «Равные»"), ("Андрей Егоров", "Бизнес-инкубатор «Старт»"),
]


@dataclass
class Demo:
    contest: Contest
    round1: Round
    round2: Round
    organiser: User
    judges: list[User]
    logins: list[tuple[str, str]] = field(default_factory=list)


def seed_setup(rng: random.Random) -> Demo:
    moment = now().replace(minute=0, second=0)
    admin = accounts.create_user(email="admin@formula-jury.example", name="Администратор платформы",
                                 password=DEMO_PASSWORD, confirmed=True, is_admin=True)
    organiser = accounts.create_user(email="organiser@formula-jury.example",
                                     name="Ксения Орлова", password=DEMO_PASSWORD,
                                     confirmed=True, organisation="Фонд РУСАЛ")
    contest = contests.create_contest(
        slug=SLUG, title_ru="Формула будущего — 2026", title_en="Formula of the Future 2026",
        timezone="Europe/Moscow",
        description_ru=(
            "Конкурс социальных проектов для некоммерческих организаций, социальных "
            "предпринимателей и инициативных групп из городов присутствия компании. "
            "Лучшие проекты получат гранты на реализацию."),
        description_en=(
            "A social-project contest for non-profits, social entrepreneurs and civic groups "
            "in the company's home cities. The best projects receive implementation grants."),
        actor=admin,
    )
    contest.declaration_ru = (
        "Я подтверждаю, что не имею конфликта интересов в отношении заявок, которые мне "
        "поручено оценить, а если он возникнет — сразу сообщу о нём. Я обязуюсь не "
        "разглашать сведения о заявках и результатах экспертизы.")
    contest.declaration_en = (
        "I confirm that I have no conflict of interest with the entries assigned to me and "
        "will declare one at once if it arises. I will keep the entries and the results of "
        "the review confidential.")
    contests.appoint_organiser(contest, organiser, actor=admin)
    for key, title_ru, title_en in NOMINATIONS:
        contests.add_nomination(contest, key=key, title_ru=title_ru, title_en=title_en)

    round1 = contests.add_round(
        contest, key="experts", title_ru="Заочная экспертиза", title_en="Expert review",
        intake_opens_at=moment - timedelta(days=60), intake_closes_at=moment - timedelta(days=20),
        judging_opens_at=moment - timedelta(days=18), judging_closes_at=moment + timedelta(days=10),
        reviews_per_entry=2, method="mean", pass_mark=Decimal("60"),
        disagreement_threshold=Decimal("30"), blind=True, weight=Decimal("0.7"),
    )
    for key, title_ru, title_en, weight in ROUND1_CRITERIA:
        contests.add_criterion(round1, key=key, title_ru=title_ru, title_en=title_en,
                               weight=Decimal(weight), min_score=0, max_score=10,
                               comment_required=True, anchors_ru=ANCHORS_RU, anchors_en=ANCHORS_EN)
    contests.set_tie_breaks(round1, round1.criteria[:2])

    round2 = contests.add_round(
        contest, key="defence", title_ru="Публичная защита", title_en="Public defence",
        intake_opens_at=moment - timedelta(days=3), intake_closes_at=moment + timedelta(days=7),
        judging_opens_at=moment - timedelta(days=2), judging_closes_at=moment + timedelta(days=14),
        reviews_per_entry=7, method="mean", blind=False, weight=Decimal("0.3"),
    )
    for key, title_ru, title_en, weight in ROUND2_CRITERIA:
        contests.add_criterion(round2, key=key, title_ru=title_ru, title_en=title_en,
                               weight=Decimal(weight), min_score=0, max_score=10,
                               anchors_ru=ANCHORS_RU, anchors_en=ANCHORS_EN)

    # A grant fund per nomination (DESIGN §3b): the Funding page of the finalised round allocates it.
    for nomination in contest.nominations:
        set_fund(contest, nomination_id=nomination.id, amount=Decimal("5000000"), currency="RUB",
                 min_grant=Decimal("100000"), max_grant=Decimal("1500000"), actor=organiser)

    judges = []
    for index, (name, organisation) in enumerate(JUDGES, start=1):
        judges.append(accounts.create_user(
            email=f"judge{index}@formula-jury.example", name=name, password=DEMO_PASSWORD,
            confirmed=True, organisation=organisation, locale="ru" if index % 4 else "en",
        ))
    db.session.flush()
    logins = [("administrator", admin.email), ("organiser", organiser.email)]
    logins += [("judge", judge.email) for judge in judges[:3]]
    logins.append(("judges 4–12", "judge4…judge12@formula-jury.example"))
    return Demo(contest=contest, round1=round1, round2=round2, organiser=organiser,
                judges=judges, logins=logins)
