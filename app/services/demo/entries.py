"""Demo stage: the application form of DESIGN §7 and about 60 entries, screened.

Entrants are entrant1@formula-jury.example … with the demo password. Most entries are
eligible (and so in round 1); a few are ineligible with a reason, two are drafts, one is
withdrawn. Some organisations are the same as judges' (for the automatic conflict check).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.extensions import db
from app.models import Attachment, Entry, EntryRound, User
from app.services.demo.setup import DEMO_PASSWORD, JUDGES
from app.services.intake import application_form
from app.services.platform import accounts, storage
from app.services.platform.clock import now

MB = application_form.MB

REGIONS = [
    ("krasnoyarsk", "Красноярский край", "Krasnoyarsk Krai", "24", ["Красноярск", "Ачинск", "Дивногорск"]),
    ("irkutsk", "Иркутская область", "Irkutsk Oblast", "38", ["Братск", "Шелехов", "Тайшет"]),
    ("khakassia", "Республика Хакасия", "Republic of Khakassia", "19", ["Саяногорск", "Абакан"]),
    ("sverdlovsk", "Свердловская область", "Sverdlovsk Oblast", "66", ["Каменск-Уральский", "Краснотурьинск"]),
    ("kemerovo", "Кемеровская область — Кузбасс", "Kemerovo Oblast", "42", ["Новокузнецк"]),
    ("murmansk", "Мурманская область", "Murmansk Oblast", "51", ["Кандалакша"]),
    ("volgograd", "Волгоградская область", "Volgograd Oblast", "34", ["Волгоград"]),
]

LEGAL_FORMS = [
    ("ano", "Автономная некоммерческая организация", "Autonomous non-profit organisation"),
    ("fund", "Благотворительный фонд", "Charitable foundation"),
    ("public", "Общественная организация", "Public association"),
    ("municipal", "Муниципальное учреждение", "Municipal institution"),
    ("business", "Социальное предприятие (ООО, ИП)", "Social enterprise (LLC, sole trader)"),
    ("group", "Инициативная группа", "Civic group"),
]

FORM = [
    # key, type, label ru, label en, help ru, help en, required, extra
    ("organisation", "text", "Название организации", "Organisation",
     "Полное название, как в уставе.", "The full name, as in the charter.", True, {"max_length": 300}),
    ("legal_form", "select", "Организационно-правовая форма", "Legal form", "", "", True,
     {"options": [{"value": v, "label": {"ru": ru, "en": en}} for v, ru, en in LEGAL_FORMS]}),
    ("inn", "text", "ИНН", "INN (taxpayer number)", "10 цифр для организаций, 12 — для ИП.",
     "10 digits for organisations, 12 for sole traders.", True, {"max_length": 12}),
    ("region", "select", "Регион", "Region", "", "", True,
     {"options": [{"value": k, "label": {"ru": ru, "en": en}} for k, ru, en, _c, _t in REGIONS]}),
    ("website", "text", "Сайт или страница в соцсетях", "Website or social media page", "", "", False,
     {"max_length": 300}),
    ("summary", "textarea", "Краткое описание проекта", "Project summary",
     "Суть проекта в нескольких предложениях.", "The project in a few sentences.", True, {"max_length": 1000}),
    ("problem", "textarea", "Проблема и целевая группа", "Problem and target group",
     "Какую проблему решает проект и для кого.", "What problem the project solves, and for whom.", True,
     {"max_length": 3000}),
    ("goals", "textarea", "Цель и задачи", "Goals and tasks", "", "", True, {"max_length": 2000}),
    ("plan", "textarea", "Календарный план", "Calendar plan", "Этапы, сроки, мероприятия.",
     "Stages, dates, activities.", True, {"max_length": 3000}),
    ("results", "textarea", "Ожидаемые результаты", "Expected results",
     "Количественные и качественные, с показателями.", "Measurable and qualitative, with indicators.", True,
     {"max_length": 2000}),
    ("team", "textarea", "Команда проекта", "Project team", "Кто что делает и какой у них опыт.",
     "Who does what, and their experience.", True, {"max_length": 2000}),
    # Money fields (DESIGN §3b): the requested amount is what the funding page allocates.
    ("budget_total", "amount", "Общий бюджет проекта", "Total budget", "", "", True, {"currency": "RUB"}),
    ("budget_requested", "amount", "Запрашиваемая сумма гранта", "Grant requested",
     "Не более 1 500 000 ₽.", "At most 1,500,000 RUB.", True,
     {"currency": "RUB", "requested": True, "max_amount": Decimal("1500000")}),
    ("cofunding", "amount", "Софинансирование", "Co-funding",
     "Собственные и привлечённые средства.", "Own and other funds.", True, {"currency": "RUB"}),
    ("budget_file", "file", "Смета проекта (XLSX)", "Budget (XLSX)", "По форме конкурса.",
     "In the contest's template.", True, {"accept": ["xlsx"], "max_size": 10 * MB}),
    ("presentation", "file", "Презентация (PDF или PPTX)", "Presentation (PDF or PPTX)", "", "", False,
     {"accept": ["pdf", "pptx"], "max_size": 10 * MB}),
    ("letters", "file", "Письма поддержки (PDF)", "Letters of support (PDF)", "", "", False,
     {"accept": ["pdf"], "max_size": 10 * MB}),
    ("photos", "file", "Фотографии (JPG, PNG)", "Photos (JPG, PNG)", "", "", False,
     {"accept": ["jpg", "jpeg", "png"], "max_size": 10 * MB}),
    ("consent", "checkbox", "Согласен(на) на обработку персональных данных и с положением о конкурсе",
     "I agree to the processing of personal data and to the contest rules", "", "", True, {}),
]

# (title, what is done, for whom); per nomination, in the order of setup.NOMINATIONS.
PROJECTS = {
    "education": [
        ("Профессии будущего: инженерная смена для школьников", "инженерная смена с наставниками с завода",
         "старшеклассников"),
        ("Школа юного эколога", "кружок полевых исследований", "школьников 5–9 классов"),
        ("Цифровая грамотность 60+", "курсы компьютерной грамотности", "пожилых жителей"),
        ("Классные наставники", "программа наставничества студентов", "подростков из трудных семей"),
        ("Открытая лаборатория химии", "лабораторные практикумы на базе колледжа", "школьников"),
        ("Маршрут в профессию", "профпробы на предприятиях города", "выпускников школ"),
        ("Робототехника в каждом селе", "выездные занятия по робототехнике", "детей из отдалённых посёлков"),
        ("Читаем вместе", "семейный книжный клуб", "семей с детьми"),
        ("Медиашкола «Голос города»", "школа юных журналистов", "подростков"),
        ("Учитель для будущего", "стажировки молодых педагогов", "молодых учителей"),
        ("Северная астрономическая школа", "летняя школа по астрономии", "школьников"),
        ("Career Compass", "career guidance workshops with local employers", "high-school students"),
    ],
    "health": [
        ("Здоровая спина", "бесплатные занятия лечебной физкультурой", "офисных работников и пенсионеров"),
        ("Скандинавская ходьба для всех", "клубы скандинавской ходьбы", "людей старшего возраста"),
        ("Дворовый футбол", "турниры и тренировки во дворах", "подростков"),
        ("Мама в форме", "занятия спортом с детскими колясками", "молодых мам"),
        ("Лыжня зовёт", "прокат лыж и школа беговых лыж", "семей"),
        ("Школа диабета", "обучение самоконтролю", "людей с сахарным диабетом"),
        ("ГТО всей семьёй", "семейные спортивные праздники", "семей"),
        ("Плавать может каждый", "обучение плаванию", "детей младшего школьного возраста"),
        ("Здоровое питание в школе", "уроки и мастер-классы о питании", "школьников и родителей"),
        ("Активное долголетие", "клуб гимнастики и танцев", "пенсионеров"),
        ("Горный туризм без границ", "походы выходного дня", "молодёжи"),
        ("Run the River", "a community running club along the embankment", "adults of all ages"),
    ],
    "social": [
        ("Доступная среда: карта города", "онлайн-карта доступности", "людей на колясках и родителей с колясками"),
        ("Мастерская равных возможностей", "столярная мастерская", "молодых людей с ментальными нарушениями"),
        ("Тёплый дом", "социальная гостиница и сопровождение", "людей в трудной жизненной ситуации"),
        ("Серебряные волонтёры", "волонтёрский центр", "пенсионеров"),
        ("Инклюзивный театр «Вместе»", "театральная студия", "детей с инвалидностью и их сверстников"),
        ("Передышка", "кратковременный присмотр за детьми", "семей, воспитывающих детей с инвалидностью"),
        ("Жестовый язык для всех", "курсы русского жестового языка", "сотрудников городских служб"),
        ("Шаг к самостоятельности", "тренировочная квартира", "выпускников детских домов"),
        ("Бабушки онлайн", "видеосвязь и помощь на дому", "одиноких пожилых людей"),
        ("Ресурсная группа в детском саду", "сопровождение", "детей с аутизмом"),
        ("Открытая кухня", "кулинарные курсы и трудоустройство", "женщин, переживших насилие"),
        ("Together Café", "an inclusive café with trained staff", "young adults with disabilities"),
    ],
    "ecology": [
        ("Зелёный двор", "благоустройство дворов с жителями", "жителей многоэтажек"),
        ("Раздельный сбор в каждом доме", "пункты приёма вторсырья", "жителей микрорайона"),
        ("Чистый берег Енисея", "субботники и мониторинг берега", "волонтёров"),
        ("Городские пчёлы", "пасека на крыше и просветительская программа", "горожан"),
        ("Аллея выпускников", "высадка деревьев", "выпускников и их семей"),
        ("Экотропа «Сосновый бор»", "экологическая тропа", "школьников и туристов"),
        ("Воздух, которым мы дышим", "народный мониторинг качества воздуха", "жителей"),
        ("Ремонт вместо выброса", "репейр-кафе", "горожан"),
        ("Сквер своими руками", "проектирование сквера с жителями", "жителей района"),
        ("Компост на даче", "обучение компостированию", "садоводов"),
        ("Птицы нашего города", "кормушки и орнитологические экскурсии", "семей с детьми"),
        ("Green Roofs Lab", "a pilot of green roofs on public buildings", "city residents"),
    ],
    "enterprise": [
        ("Швейный цех «Рукодельница»", "швейное производство", "женщин с детьми-инвалидами"),
        ("Социальная пекарня", "пекарня с трудоустройством", "людей с инвалидностью"),
        ("Сувениры Сибири", "мастерская сувениров", "мастеров народных промыслов"),
        ("Прокат детских товаров", "пункт проката", "малообеспеченных семей"),
        ("Такси для маломобильных", "служба перевозки", "людей на колясках"),
        ("Ферма «Доброе поле»", "социальная ферма", "подростков из группы риска"),
        ("Студия 3D-печати", "изготовление протезов и пособий", "людей с ограничениями здоровья"),
        ("Кафе «Своё»", "кафе с обучением персонала", "выпускников коррекционных школ"),
        ("Переработка пластика", "мини-цех переработки", "жителей и предприятий города"),
        ("Гостевой дом на Байкале", "экотуризм с местными жителями", "туристов"),
        ("Мастерская велоремонта", "ремонт и продажа велосипедов", "молодёжи"),
        ("Second Life Furniture", "restoring donated furniture", "low-income families"),
    ],
}

ORGANISATION_NAMES = [
    "АНО «Центр молодёжных инициатив „Импульс“»", "Благотворительный фонд «Добрые руки»",
    "АНО «Сибирский центр социальных проектов»", "Местная общественная организация «Соседи»",
    "АНО «Территория развития»", "Благотворительный фонд «Северное сияние»",
    "АНО «Клуб активного долголетия»", "МБУ «Молодёжный центр»", "ООО «Социальные решения»",
    "АНО «Экологический центр „Тайга“»", "Общественная организация «Родители особых детей»",
    "АНО «Школа будущего»", "Благотворительный фонд «Берег»", "АНО «Спорт для всех»",
    "ИП Соколова Мария Андреевна", "АНО «Ресурсный центр НКО»", "Инициативная группа «Наш двор»",
]
# Organisations shared with judges (setup.JUDGES), so the automatic conflict check finds some.
SHARED_WITH_JUDGES = [JUDGES[1][1], JUDGES[3][1], JUDGES[8][1], JUDGES[2][1]]

FIRST_NAMES = ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Светлана", "Юлия",
               "Алексей", "Дмитрий", "Сергей", "Андрей", "Иван", "Михаил", "Николай", "Павел", "Артём"]
LAST_NAMES = ["Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Васильев", "Зайцев", "Павлов",
              "Семёнов", "Голубев", "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Морозов", "Волков"]
ENGLISH_NAMES = ["Emily Clarke", "James Whitfield", "Sophie Turner", "Daniel Hayes", "Laura Bennett"]

INELIGIBLE_REASONS = [
    "Организация зарегистрирована за пределами территорий, на которые распространяется конкурс.",
    "Запрашиваемая сумма превышает максимальный размер гранта (1 500 000 ₽).",
    "Проект носит коммерческий характер и не соответствует целям конкурса.",
]

SUBMITTED_COUNT = 60
INELIGIBLE_COUNT = 3
DRAFT_COUNT = 2


def inn_for(region_code: str, rng: random.Random) -> str:
    """A checksum-valid 10-digit INN of an organisation registered in the region."""
    digits = region_code + "".join(str(rng.randrange(10)) for _ in range(7))
    check = sum(int(d) * c for d, c in zip(digits, (2, 4, 10, 3, 5, 9, 4, 6, 8), strict=True)) % 11 % 10
    return digits + str(check)


def pdf_document(title: str) -> bytes:
    """A tiny but valid one-page PDF with a line of (ASCII) text."""
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 40 100 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def png_image(rng: random.Random, width: int = 48, height: int = 32) -> bytes:
    """A small PNG: a two-colour landscape (sky over grass), so it looks like something."""
    sky = bytes([rng.randrange(90, 160), rng.randrange(150, 210), 235])
    grass = bytes([rng.randrange(40, 90), rng.randrange(130, 180), rng.randrange(40, 80)])
    rows = b"".join(b"\x00" + (sky if y < height * 0.6 else grass) * width for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def budget_workbook(lines: list[tuple[str, int]], requested: int, cofunding: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Смета"
    sheet.append(["Статья расходов", "Сумма, ₽"])
    for name, amount in lines:
        sheet.append([name, amount])
    sheet.append(["Итого", sum(a for _n, a in lines)])
    sheet.append(["Запрашиваемая сумма", requested])
    sheet.append(["Софинансирование", cofunding])
    sheet.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class _Texts:
    summary: str
    problem: str
    goals: str
    plan: str
    results: str
    team: str


def _texts_ru(title: str, activity: str, target: str, city: str, reach: int, events: int) -> _Texts:
    return _Texts(
        summary=(f"Проект «{title}»: {activity} для {target} в г. {city}. За 12 месяцев мы проведём "
                 f"{events} мероприятий, вовлечём не менее {reach} человек и опишем модель так, чтобы её "
                 "могли повторить в других городах присутствия компании."),
        problem=(f"В г. {city} у {target} мало возможностей, которые дал бы такой проект: ближайшие "
                 "похожие программы работают в краевом центре, а поездки туда дороги и долги. По нашему "
                 f"опросу ({reach // 3} респондентов) 7 из 10 хотели бы участвовать, если бы занятия шли рядом "
                 "с домом. Целевая группа проекта — "
                 f"{target}; мы уже знаем многих из них по прошлым нашим мероприятиям."),
        goals=(f"Цель: создать в г. {city} постоянно действующую программу «{title}».\n"
               "Задачи:\n1. Подготовить площадку и оборудование.\n2. Обучить команду и волонтёров.\n"
               f"3. Провести {events} мероприятий для {target}.\n4. Оценить результаты и опубликовать методичку."),
        plan=("Месяцы 1–2: подготовка площадки, закупка оборудования, набор участников.\n"
              "Месяцы 3–10: регулярные занятия и мероприятия, промежуточный опрос участников.\n"
              "Месяц 11: итоговое мероприятие для жителей города.\n"
              "Месяц 12: анализ результатов, отчёт, методические рекомендации."),
        results=(f"Количественные: не менее {reach} участников, {events} мероприятий, 15 обученных волонтёров, "
                 "3 публикации в городских СМИ.\nКачественные: участники получают новые навыки и круг общения; "
                 "программа продолжает работу после гранта за счёт партнёров и платных услуг."),
        team=("Руководитель проекта — 8 лет в некоммерческом секторе, реализовала 5 грантовых проектов. "
              "Координатор — педагог дополнительного образования. Бухгалтер на аутсорсе. "
              "Партнёры: администрация города, местный колледж, предприятие компании."),
    )


def _texts_en(title: str, activity: str, target: str, city: str, reach: int, events: int) -> _Texts:
    return _Texts(
        summary=(f"“{title}”: {activity} for {target} in {city}. Over 12 months we will run {events} "
                 f"events, reach at least {reach} people and document the model so other towns can copy it."),
        problem=(f"In {city}, {target} have few local opportunities of this kind; the nearest programmes "
                 f"are in the regional capital. In our survey of {reach // 3} residents, 7 in 10 said they "
                 "would take part if it were close to home."),
        goals=("Goal: a permanent programme in the town.\nTasks:\n1. Prepare the venue and equipment.\n"
               f"2. Train the team and volunteers.\n3. Run {events} events.\n4. Evaluate and publish a guide."),
        plan=("Months 1–2: venue, equipment, recruitment.\nMonths 3–10: regular activities and a mid-term "
              "survey.\nMonth 11: a closing event for residents.\nMonth 12: evaluation, report and guide."),
        results=(f"At least {reach} participants, {events} events, 15 trained volunteers. The programme "
                 "continues after the grant with partners' support."),
        team=("Project lead with 6 years of community work; a coordinator and two youth workers; "
              "partners: the town council, a local college and the company's plant."),
    )


def _store(entry: Entry, field_key: str, filename: str, data: bytes, content_type: str,
           at) -> Attachment:
    stored = storage.get_storage().save(
        storage.new_key(f"contest-{entry.contest_id}/entry-{entry.id}"), io.BytesIO(data),
        content_type=content_type)
    attachment = Attachment(entry_id=entry.id, field_key=field_key, storage_key=stored.key, filename=filename,
                            size=stored.size, sha256=stored.sha256, content_type=content_type, uploaded_at=at)
    db.session.add(attachment)
    return attachment


def seed_form(contest) -> None:
    for key, type_, label_ru, label_en, help_ru, help_en, required, extra in FORM:
        application_form.add_field(contest, key=key, type=type_, label_ru=label_ru, label_en=label_en,
                                   help_ru=help_ru, help_en=help_en, required=required, **extra)


def seed_entries(demo, rng: random.Random) -> None:
    contest, round1 = demo.contest, demo.round1
    seed_form(contest)
    moment = now()
    opens, closes = round1.intake_opens_at, round1.intake_closes_at
    password_hash = accounts.hash_password(DEMO_PASSWORD)
    nominations = {n.key: n for n in contest.nominations}

    projects = [(key, project) for key in nominations for project in PROJECTS[key]]
    rng.shuffle(projects)
    total = SUBMITTED_COUNT + DRAFT_COUNT + 1
    projects = (projects * 2)[:total]

    plans = []
    for index, (nomination_key, (title, activity, target)) in enumerate(projects, start=1):
        english = all(ord(ch) < 128 for ch in title)
        region_key, _region_ru, _region_en, code, cities = rng.choice(REGIONS)
        city = rng.choice(cities)
        if english:
            name = ENGLISH_NAMES[index % len(ENGLISH_NAMES)]
        else:
            last = rng.choice(LAST_NAMES)
            first = rng.choice(FIRST_NAMES)
            name = f"{first} {last}{'а' if first[-1] in 'аяь' and first != 'Любовь' else ''}"
        user = User(email=f"entrant{index}@formula-jury.example", name=name, password_hash=password_hash,
                    password_changed_at=moment, locale="en" if english else "ru", created_at=opens,
                    email_confirmed_at=opens)
        db.session.add(user)
        plans.append((index, nomination_key, title, activity, target, english, region_key, code, city, user))
    db.session.flush()

    # Who is what: the last entries are the drafts and the withdrawn one; a few are ineligible.
    statuses = ["submitted"] * SUBMITTED_COUNT + ["draft"] * DRAFT_COUNT + ["withdrawn"]
    ineligible = set(rng.sample(range(2, SUBMITTED_COUNT), INELIGIBLE_COUNT))
    shared = dict(zip(rng.sample(range(2, SUBMITTED_COUNT), len(SHARED_WITH_JUDGES)), SHARED_WITH_JUDGES,
                      strict=True))
    submitted_times = sorted(opens + timedelta(seconds=rng.randrange(int((closes - opens).total_seconds())))
                             for _ in range(total))
    number = 0
    legal_form_keys = [key for key, _ru, _en in LEGAL_FORMS]

    for position, (index, nomination_key, title, activity, target, english, region_key, code, city,
                   user) in enumerate(plans):
        status = statuses[position]
        reach = rng.choice([60, 80, 120, 150, 200, 300, 450])
        events = rng.choice([12, 18, 24, 30, 40])
        texts = (_texts_en if english else _texts_ru)(title, activity, target, city, reach, events)
        organisation = shared.get(position) or rng.choice(ORGANISATION_NAMES)
        requested = rng.randrange(300, 1500) * 1000
        cofunding = rng.randrange(50, 900) * 1000
        answers = {
            "organisation": organisation,
            "legal_form": "business" if nomination_key == "enterprise" else rng.choice(legal_form_keys[:4]),
            "inn": inn_for(code, rng),
            "region": region_key,
            "website": f"https://vk.com/project{index}" if rng.random() < 0.6 else "",
            "summary": texts.summary, "problem": texts.problem, "goals": texts.goals, "plan": texts.plan,
            "results": texts.results, "team": texts.team,
            "budget_total": f"{requested + cofunding}.00", "budget_requested": f"{requested}.00",
            "cofunding": f"{cofunding}.00", "consent": True,
        }
        at = submitted_times[position]
        if status == "draft":
            answers = {key: answers[key] for key in ("organisation", "inn", "summary")}
            answers["consent"] = False
        entry = Entry(
            contest_id=contest.id, entrant_id=user.id, nomination_id=nominations[nomination_key].id,
            title=title, organisation=organisation, inn=answers["inn"], status=status, answers=answers,
            created_at=at - timedelta(days=rng.randrange(1, 5)), updated_at=at,
        )
        if status != "draft":
            number += 1
            entry.number = number
            entry.submitted_at = at
        db.session.add(entry)
        db.session.flush()

        if status == "draft":
            continue
        lines = [("Оплата труда" if not english else "Staff", requested // 2),
                 ("Оборудование и материалы" if not english else "Equipment", requested // 3),
                 ("Аренда и транспорт" if not english else "Venue and transport",
                  requested + cofunding - requested // 2 - requested // 3)]
        _store(entry, "budget_file", "Смета.xlsx" if not english else "Budget.xlsx",
               budget_workbook(lines, requested, cofunding), application_form.KNOWN_TYPES["xlsx"], at)
        if rng.random() < 0.3:
            _store(entry, "presentation", ("Презентация проекта.pdf" if not english else "Presentation.pdf"),
                   pdf_document(f"Project No. {number}: presentation"), "application/pdf", at)
        if rng.random() < 0.15:
            _store(entry, "letters", "Письмо поддержки администрации.pdf",
                   pdf_document(f"Letter of support, project No. {number}"), "application/pdf", at)
        if rng.random() < 0.2:
            for photo in range(rng.randrange(1, 3)):
                _store(entry, "photos", f"photo-{photo + 1}.png", png_image(rng), "image/png", at)

        if status == "withdrawn":
            continue
        entry.screened_at = closes + timedelta(days=1)
        if position in ineligible:
            entry.eligible = False
            entry.ineligible_reason = INELIGIBLE_REASONS[len([p for p in ineligible if p < position])]
        else:
            entry.eligible = True
            db.session.add(EntryRound(entry_id=entry.id, round_id=round1.id, added_at=entry.screened_at))
    db.session.flush()
    demo.logins.append(("entrant", "entrant1@formula-jury.example"))
    demo.logins.append(("entrants 2–63", "entrant2…entrant63@formula-jury.example"))
