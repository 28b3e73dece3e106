"""A contest of a chosen size, written straight into the database with bulk inserts.

Everything is drawn from one seeded generator, so a size always gives the same contest:

* judges and entrants (one entrant per entry), an organiser, 5 nominations with a skewed share of
  the entries (30 % … 10 %), judges who know 1–2 nominations;
* round 1 ("expert", the one that is ranked, flagged, exported and judged): 8 weighted criteria
  0–10 (the demo contest's weights, maximum 100), 3 reviews per entry, pass mark 60, judging
  open; its assignments avoid every conflict and are balanced; about 94 % of its reviews are
  submitted, 3 % drafts, 3 % not started;
* round 2 ("assign"): the same entries and judges, no assignments: the assignment case fills it;
* conflicts of interest on about 1.5 % of the entry–judge pairs, plus a few judges from the same
  organisation as some entrants (automatic conflicts);
* scores skewed like real ones: each entry has a quality (Beta(5, 2.5), so most projects are
  fair to good), each judge a leniency, each criterion a difficulty, plus noise; in 5 % of the
  entries one judge is far off the others, so disagreement flags fire;
* a second, small contest with an open call and a file field for the upload case.

Ids are given explicitly (and PostgreSQL's sequences moved past them afterwards), so rows can
refer to each other without reading anything back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import (
    Assignment,
    Conflict,
    Contest,
    ContestOrganiser,
    Criterion,
    Declaration,
    Entry,
    EntryRound,
    FormField,
    JuryExpertise,
    JuryMember,
    Nomination,
    Review,
    Round,
    Score,
    TieBreak,
    User,
)

SEED = 20260420
NOW = datetime(2026, 4, 20, 12, 0, 0, tzinfo=UTC)
PASSWORD = "bench-password"
SLUG = "bench"
UPLOAD_SLUG = "bench-upload"
UPLOAD_FIELD = "presentation"
UPLOAD_FIELD_MAX = 128 * 1024 * 1024

NOMINATIONS = [
    ("education", "Образование и профориентация", "Education & careers", 0.30),
    ("health", "Здоровье и активный образ жизни", "Health & active lifestyle", 0.25),
    ("inclusion", "Социальная поддержка и инклюзия", "Social support & inclusion", 0.20),
    ("ecology", "Экология и городская среда", "Ecology & urban environment", 0.15),
    ("enterprise", "Социальное предпринимательство", "Social entrepreneurship", 0.10),
]
# The demo contest's criteria (DESIGN §7): weights sum to 10, scores 0–10, maximum 100.
CRITERIA = [
    ("relevance", "Актуальность и социальная значимость", "Relevance and social significance", "2.0"),
    ("feasibility", "Логическая связность и реализуемость", "Logical coherence and feasibility", "2.0"),
    ("innovation", "Инновационность, уникальность", "Innovation and uniqueness", "1.0"),
    ("budget", "Соотношение расходов и результатов", "Cost-effectiveness and budget realism", "1.5"),
    ("impact", "Масштаб и измеримость эффекта", "Scale and measurable social impact", "1.0"),
    ("sustainability", "Устойчивость и тиражируемость", "Sustainability and replicability", "1.0"),
    ("team", "Опыт и компетенции команды", "Team experience and competence", "1.0"),
    ("contribution", "Собственный вклад", "Own contribution and extra resources", "0.5"),
]
CONFLICT_SHARE = 0.015
SHARED_ORGANISATIONS = 40
CHUNK = 20_000


@dataclass(frozen=True)
class Size:
    name: str
    entries: int
    judges: int
    reviews_per_entry: int = 3


SIZES = {
    "S": Size("S", 300, 30),
    "M": Size("M", 2_000, 150),
    "L": Size("L", 10_000, 800),
}


@dataclass
class BenchData:
    size: Size
    contest_id: int
    round_id: int
    assign_round_id: int
    organiser_email: str
    judge_ids: list[int]
    criterion_ids: list[int]
    # Round-1 assignments with no review yet, as (judge id, entry id): the judge-page POSTs use them.
    not_started: list[tuple[int, int]]
    judge_emails: dict[int, str]
    upload_entrant_emails: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[start:start + CHUNK])


def generate(size: Size, *, upload_entrants: int = 4, not_started_needed: int = 16) -> BenchData:
    """Writes the contest and commits. Returns what the cases need to find their way."""
    rng = np.random.default_rng(SEED)
    n, m, k = size.entries, size.judges, size.reviews_per_entry
    now = NOW
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")

    # --- people --------------------------------------------------------------------------------
    organiser_id = 1
    judge_ids = list(range(2, 2 + m))
    entrant_ids = list(range(2 + m, 2 + m + n))
    upload_ids = list(range(2 + m + n, 2 + m + n + upload_entrants))
    shared_orgs = [f"НИУ «Университет {i + 1}»" for i in range(SHARED_ORGANISATIONS)]
    shared_inns = [f"77{i + 1:08d}" for i in range(SHARED_ORGANISATIONS)]
    judge_org = [int(rng.integers(SHARED_ORGANISATIONS)) if rng.random() < 0.25 else -1 for _ in judge_ids]
    users = [{"id": organiser_id, "email": "organiser@bench.example.org", "name": "Olga Organiser",
              "password_hash": password_hash, "locale": "en", "created_at": now,
              "email_confirmed_at": now}]
    judge_emails = {}
    for j, user_id in enumerate(judge_ids):
        judge_emails[user_id] = f"judge{j + 1}@bench.example.org"
        users.append({"id": user_id, "email": judge_emails[user_id], "name": f"Judge {j + 1:04d}",
                      "password_hash": password_hash, "locale": "en" if j % 3 else "ru", "created_at": now,
                      "email_confirmed_at": now,
                      "organisation": shared_orgs[judge_org[j]] if judge_org[j] >= 0 else None})
    for i, user_id in enumerate(entrant_ids):
        users.append({"id": user_id, "email": f"entrant{i + 1}@bench.example.org", "name": f"Entrant {i + 1}",
                      "password_hash": None, "locale": "ru", "created_at": now, "email_confirmed_at": now})
    upload_emails = []
    for i, user_id in enumerate(upload_ids):
        upload_emails.append(f"uploader{i + 1}@bench.example.org")
        users.append({"id": user_id, "email": upload_emails[-1], "name": f"Uploader {i + 1}",
                      "password_hash": password_hash, "locale": "en", "created_at": now,
                      "email_confirmed_at": now})
    _insert(User, users)

    # --- the contest, its nominations, rounds and criteria ---------------------------------------
    contest_id = 1
    db.session.execute(sa.insert(Contest), [
        {"id": contest_id, "slug": SLUG, "title_ru": "Формула будущего — бенчмарк",
         "title_en": "Formula of the Future — benchmark", "timezone": "Europe/Moscow", "created_at": now,
         "announced_at": now},
        {"id": 2, "slug": UPLOAD_SLUG, "title_ru": "Загрузка файлов", "title_en": "Uploads",
         "timezone": "Europe/Moscow", "created_at": now, "announced_at": now},
    ])
    db.session.execute(sa.insert(ContestOrganiser), [{"contest_id": contest_id, "user_id": organiser_id}])
    nomination_ids = list(range(1, len(NOMINATIONS) + 1))
    nominations = [{"id": nid, "contest_id": contest_id, "key": key, "title_ru": ru, "title_en": en, "position": i}
                   for i, (nid, (key, ru, en, _share)) in enumerate(zip(nomination_ids, NOMINATIONS, strict=True))]
    nominations.append({"id": len(NOMINATIONS) + 1, "contest_id": 2, "key": "all", "title_ru": "Все",
                        "title_en": "All", "position": 0})
    _insert(Nomination, nominations)
    round_id, assign_round_id, upload_round_id = 1, 2, 3
    _insert(Round, [
        {"id": round_id, "contest_id": contest_id, "key": "expert", "title_ru": "Экспертиза",
         "title_en": "Expert review", "position": 0, "reviews_per_entry": k, "method": "mean",
         "pass_mark": Decimal("60"), "blind": True,
         "intake_opens_at": now - timedelta(days=60), "intake_closes_at": now - timedelta(days=30),
         "judging_opens_at": now - timedelta(days=20), "judging_closes_at": now + timedelta(days=10)},
        {"id": assign_round_id, "contest_id": contest_id, "key": "assign", "title_ru": "Распределение",
         "title_en": "Assignment", "position": 1, "reviews_per_entry": k, "method": "mean", "blind": True,
         "judging_opens_at": now + timedelta(days=20), "judging_closes_at": now + timedelta(days=40)},
        {"id": upload_round_id, "contest_id": 2, "key": "call", "title_ru": "Приём", "title_en": "Call",
         "position": 0, "reviews_per_entry": 2, "method": "mean",
         "intake_opens_at": now - timedelta(days=1), "intake_closes_at": now + timedelta(days=1)},
    ])
    criteria = []
    for r_index, rid in enumerate((round_id, assign_round_id)):
        for c_index, (key, ru, en, weight) in enumerate(CRITERIA):
            criteria.append({"id": r_index * len(CRITERIA) + c_index + 1, "round_id": rid, "key": key,
                             "title_ru": ru, "title_en": en, "weight": Decimal(weight), "min_score": 0,
                             "max_score": 10, "position": c_index})
    _insert(Criterion, criteria)
    criterion_ids = [c["id"] for c in criteria if c["round_id"] == round_id]
    _insert(TieBreak, [{"round_id": round_id, "criterion_id": criterion_ids[0], "position": 0},
                       {"round_id": round_id, "criterion_id": criterion_ids[1], "position": 1}])
    _insert(FormField, [{"id": 1, "contest_id": 2, "key": UPLOAD_FIELD, "type": "file",
                         "label_ru": "Презентация", "label_en": "Presentation", "required": False,
                         "position": 0, "accept": ["pdf"], "max_size": UPLOAD_FIELD_MAX}])

    # --- the jury: both rounds, expertise, signed declarations -----------------------------------
    expertise_of = []
    for _j in judge_ids:
        count = 1 if rng.random() < 0.7 else 2
        expertise_of.append(sorted(rng.choice(nomination_ids, size=count, replace=False).tolist()))
    members, expertise = [], []
    member_id = 0
    for rid in (round_id, assign_round_id):
        for j, user_id in enumerate(judge_ids):
            member_id += 1
            members.append({"id": member_id, "round_id": rid, "email": judge_emails[user_id], "user_id": user_id,
                            "status": "accepted", "token": f"bench-{rid}-{user_id}", "invited_at": now,
                            "responded_at": now,
                            "organisation": shared_orgs[judge_org[j]] if judge_org[j] >= 0 else None,
                            "inn": shared_inns[judge_org[j]] if judge_org[j] >= 0 else None})
            expertise += [{"jury_member_id": member_id, "nomination_id": nid} for nid in expertise_of[j]]
    _insert(JuryMember, members)
    _insert(JuryExpertise, expertise)
    _insert(Declaration, [{"contest_id": contest_id, "user_id": user_id, "signed_at": now, "text": "signed"}
                          for user_id in judge_ids])

    # --- entries ---------------------------------------------------------------------------------
    shares = np.array([share for *_rest, share in NOMINATIONS])
    entry_nomination = rng.choice(nomination_ids, size=n, p=shares / shares.sum())
    entry_shared_org = np.where(rng.random(n) < 0.01, rng.integers(SHARED_ORGANISATIONS, size=n), -1)
    submitted_offsets = np.sort(rng.integers(0, 30 * 86400, size=n))
    entry_ids = list(range(1, n + 1))
    entries, entry_rounds = [], []
    for i, entry_id in enumerate(entry_ids):
        shared = int(entry_shared_org[i])
        organisation = shared_orgs[shared] if shared >= 0 else f"АНО «Инициатива {i + 1}»"
        inn = shared_inns[shared] if shared >= 0 else f"50{i + 1:08d}"
        submitted_at = now - timedelta(days=60) + timedelta(seconds=int(submitted_offsets[i]))
        entries.append({
            "id": entry_id, "contest_id": contest_id, "number": i + 1, "nomination_id": int(entry_nomination[i]),
            "entrant_id": entrant_ids[i], "title": f"Проект {i + 1}: клуб наставников для подростков",
            "organisation": organisation, "inn": inn, "status": "submitted", "submitted_at": submitted_at,
            "eligible": True, "screened_at": submitted_at + timedelta(days=5),
            "answers": {"summary": "Наставники помогают подросткам выбрать профессию.", "budget": 450000 + i},
            "created_at": submitted_at, "updated_at": submitted_at,
        })
        entry_rounds.append({"entry_id": entry_id, "round_id": round_id, "added_at": now})
        entry_rounds.append({"entry_id": entry_id, "round_id": assign_round_id, "added_at": now})
    _insert(Entry, entries)
    _insert(EntryRound, entry_rounds)

    # --- conflicts: declared on ~1.5 % of the pairs; automatic ones through shared organisations --
    conflict_pairs: set[tuple[int, int]] = set()
    for j in range(m):
        for e in np.nonzero(rng.random(n) < CONFLICT_SHARE)[0].tolist():
            conflict_pairs.add((e, j))
    conflicts = [{"id": number + 1, "entry_id": entry_ids[e], "user_id": judge_ids[j],
                  "source": "judge" if number % 4 else "organiser", "reason": "Знаком с командой",
                  "created_at": now}
                 for number, (e, j) in enumerate(sorted(conflict_pairs))]
    _insert(Conflict, conflicts)
    blocked = set(conflict_pairs)
    for e in np.nonzero(entry_shared_org >= 0)[0].tolist():
        for j in range(m):
            if judge_org[j] == entry_shared_org[e]:
                blocked.add((e, j))

    # --- round 1: balanced assignments that avoid every conflict ----------------------------------
    order = rng.permutation(m)
    pairs = []
    for e in range(n):
        chosen: list[int] = []
        position = e * k
        while len(chosen) < min(k, m) and position < e * k + 4 * m:
            j = int(order[position % m])
            position += 1
            if (e, j) not in blocked and j not in chosen:
                chosen.append(j)
        pairs += [(e, j) for j in chosen]
    pair_entries = np.array([e for e, _ in pairs])
    pair_judges = np.array([j for _, j in pairs])
    _insert(Assignment, [{"id": number + 1, "round_id": round_id, "entry_id": entry_ids[e],
                          "judge_id": judge_ids[j], "created_at": now - timedelta(days=21), "notified_at": now}
                         for number, (e, j) in enumerate(pairs)])

    # --- reviews and scores ----------------------------------------------------------------------
    quality = rng.beta(5, 2.5, size=n)
    leniency = rng.normal(0, 0.8, size=m)
    difficulty = rng.normal(0, 0.5, size=len(CRITERIA))
    outlier = rng.random(n) < 0.05
    values = 10 * quality[pair_entries, None] + leniency[pair_judges, None] + difficulty[None, :] \
        + rng.normal(0, 1.0, size=(len(pairs), len(CRITERIA)))
    # In 5 % of the entries the first judge is far off the others.
    first = np.r_[True, pair_entries[1:] != pair_entries[:-1]]
    swing = np.where(rng.random(len(pairs)) < 0.5, -4.0, 4.0)
    values += np.where(outlier[pair_entries] & first, swing, 0.0)[:, None]
    values = np.clip(np.rint(values), 0, 10).astype(np.int64)
    doubled_weights = np.array([int(Decimal(w) * 2) for *_rest, w in CRITERIA])
    doubled_totals = values @ doubled_weights
    state = rng.random(len(pairs))  # < 0.94 submitted, < 0.97 draft, else not started
    # Enough not-started assignments for the judge-page POSTs, spread over different judges.
    seen_judges: set[int] = set()
    forced = []
    for index in rng.permutation(len(pairs)).tolist():
        if len(forced) >= not_started_needed:
            break
        if pairs[index][1] not in seen_judges or len(seen_judges) >= m:
            seen_judges.add(pairs[index][1])
            forced.append(index)
    state[forced] = 1.0

    reviews, scores = [], []
    review_id = score_id = 0
    not_started = []
    for index, (e, j) in enumerate(pairs):
        if state[index] >= 0.97:
            not_started.append((judge_ids[j], entry_ids[e]))
            continue
        review_id += 1
        submitted = state[index] < 0.94
        updated = now - timedelta(days=int(rng.integers(1, 19)), seconds=int(rng.integers(86400)))
        reviews.append({
            "id": review_id, "round_id": round_id, "entry_id": entry_ids[e], "judge_id": judge_ids[j],
            "status": "submitted" if submitted else "draft",
            "total": Decimal(int(doubled_totals[index])) / 2 if submitted else None,
            "comment": "", "feedback": "Сильная команда; стоит уточнить бюджет." if submitted else "",
            "submitted_at": updated if submitted else None, "updated_at": updated, "version": 1,
        })
        scored = len(CRITERIA) if submitted else int(rng.integers(1, len(CRITERIA)))
        for c in range(scored):
            score_id += 1
            scores.append({"id": score_id, "review_id": review_id, "criterion_id": criterion_ids[c],
                           "scale_min": 0, "scale_max": 10, "value": int(values[index, c]),
                           "comment": "Обоснованно." if (index + c) % 10 == 0 else ""})
        if len(scores) >= CHUNK:
            _insert(Review, reviews)
            _insert(Score, scores)
            reviews, scores = [], []
    _insert(Review, reviews)
    _insert(Score, scores)
    db.session.commit()
    _after_bulk_load()
    return BenchData(
        size=size, contest_id=contest_id, round_id=round_id, assign_round_id=assign_round_id,
        organiser_email="organiser@bench.example.org", judge_ids=judge_ids, criterion_ids=criterion_ids,
        not_started=not_started, judge_emails=judge_emails, upload_entrant_emails=upload_emails,
        counts={"entries": n, "judges": m, "conflicts": len(conflicts), "blocked pairs": len(blocked),
                "assignments": len(pairs), "reviews": review_id, "scores": score_id},
    )


def _after_bulk_load() -> None:
    """PostgreSQL: the id sequences continue after the explicit ids written above, and the planner
    gets its statistics (autovacuum would gather them soon after a real bulk load; without them
    the first plans are guesses). SQLite is left as the app leaves it (no ANALYZE)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
        connection.exec_driver_sql("ANALYZE")
