"""Seeds the load-test database through the app (run by loadtest/run.py with the production env).

Two contests: a call whose intake closes at --deadline (entrants draft, upload and submit), and a
round being judged (judges score their assigned entries). Writes what the load needs as JSON.

    python -m loadtest.seed --deadline 2026-01-01T12:00:00+00:00 --out seed.json
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

PASSWORD = "load-test-password"

CRITERIA = [  # DESIGN §7, round 1: weights summing to 10, integer 0–10
    ("relevance", "2.0"), ("feasibility", "2.0"), ("innovation", "1.0"), ("budget", "1.5"),
    ("impact", "1.0"), ("sustainability", "1.0"), ("team", "1.0"), ("contribution", "0.5"),
]


def seed(*, deadline: datetime, entrants: int, judges: int, per_entry: int, scrypt: bool = False) -> dict:
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app.config import PROJECT_ROOT
    from app.extensions import db
    from app.models import (
        Assignment,
        Declaration,
        Entry,
        EntryRound,
        JuryMember,
        User,
    )
    from app.services.intake import application_form
    from app.services.platform import accounts
    from app.services.setup import contests

    upgrade(directory=str(PROJECT_ROOT / "migrations"))
    moment = datetime.now(UTC).replace(microsecond=0)
    # One hash shared by every account. By default a cheap one: a scrypt check costs about 0.3 s of
    # CPU here, so 250 logins would take most of the run's two cores; --scrypt keeps the real cost.
    password_hash = accounts.hash_password(PASSWORD) if scrypt else generate_password_hash(
        PASSWORD, "pbkdf2:sha256:1000")

    def person(email: str, name: str) -> User:
        user = User(email=email, name=name, password_hash=password_hash, locale="en",
                    email_confirmed_at=moment, created_at=moment)
        db.session.add(user)
        return user

    organiser = person("organiser@load.example.org", "Load Organiser")

    # The call: entrants submit until `deadline`.
    call = contests.create_contest(slug="load-call", title_ru="Нагрузочный конкурс", title_en="Load call")
    nominations = [contests.add_nomination(call, key=f"n{i}", title_ru=f"Номинация {i}", title_en=f"Nomination {i}")
                   for i in range(1, 4)]
    contests.appoint_organiser(call, organiser)
    contests.add_round(call, key="r1", title_ru="Экспертиза", title_en="Expert review",
                       intake_opens_at=moment - timedelta(days=7), intake_closes_at=deadline,
                       judging_opens_at=deadline + timedelta(days=1), judging_closes_at=deadline + timedelta(days=20))
    application_form.add_field(call, key="summary", type="textarea", label_ru="Краткое описание",
                               label_en="Summary", required=True, max_length=1000)
    application_form.add_field(call, key="presentation", type="file", label_ru="Презентация",
                               label_en="Presentation", required=True, accept=["pdf"],
                               max_size=10 * 1024 * 1024)

    entrant_users = [person(f"entrant{i:03d}@load.example.org", f"Entrant {i}") for i in range(1, entrants + 1)]
    judge_users = [person(f"judge{i:02d}@load.example.org", f"Judge {i}") for i in range(1, judges + 1)]
    db.session.flush()

    # The round being judged: `entrants` submitted, eligible entries, `per_entry` judges each.
    judged = contests.create_contest(slug="load-judging", title_ru="Оценка", title_en="Judging")
    judged_nomination = contests.add_nomination(judged, key="n1", title_ru="Номинация", title_en="Nomination")
    contests.appoint_organiser(judged, organiser)
    round_ = contests.add_round(judged, key="r1", title_ru="Экспертиза", title_en="Expert review",
                                intake_opens_at=moment - timedelta(days=30),
                                intake_closes_at=moment - timedelta(days=20),
                                judging_opens_at=moment - timedelta(days=1),
                                judging_closes_at=moment + timedelta(days=1), reviews_per_entry=per_entry)
    criteria = [contests.add_criterion(round_, key=key, title_ru=key, title_en=key, weight=Decimal(weight))
                for key, weight in CRITERIA]
    entries = []
    for number, entrant in enumerate(entrant_users, start=1):
        entry = Entry(contest_id=judged.id, entrant_id=entrant.id, nomination_id=judged_nomination.id,
                      number=number, title=f"Judged project {number}", status="submitted", eligible=True,
                      submitted_at=moment - timedelta(days=21), answers={}, created_at=moment,
                      updated_at=moment, screened_at=moment)
        db.session.add(entry)
        entries.append(entry)
    db.session.flush()
    for entry in entries:
        db.session.add(EntryRound(entry_id=entry.id, round_id=round_.id, added_at=moment))
    assigned: dict[int, list[int]] = {judge.id: [] for judge in judge_users}
    for index, entry in enumerate(entries):
        for k in range(per_entry):
            judge = judge_users[(index + k * (judges // per_entry)) % judges]
            db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, judge_id=judge.id,
                                      created_at=moment))
            assigned[judge.id].append(entry.id)
    for judge in judge_users:
        db.session.add(JuryMember(round_id=round_.id, email=judge.email, user_id=judge.id, status="accepted",
                                  token=f"load-{judge.id}", invited_at=moment, responded_at=moment))
        db.session.add(Declaration(contest_id=judged.id, user_id=judge.id, signed_at=moment, text="load test"))
    db.session.commit()

    return {
        "password": PASSWORD,
        "deadline": deadline.isoformat(),
        "call": {"slug": call.slug, "contest_id": call.id, "nomination_ids": [n.id for n in nominations],
                 "text_field": "summary", "file_field": "presentation"},
        "judging": {"slug": judged.slug, "contest_id": judged.id, "round_id": round_.id,
                    "criteria": [{"id": c.id, "min": c.min_score, "max": c.max_score} for c in criteria]},
        "entrants": [u.email for u in entrant_users],
        "judges": [{"email": u.email, "entry_ids": assigned[u.id]} for u in judge_users],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadline", required=True, help="ISO time the call closes (UTC)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--entrants", type=int, default=200)
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--per-entry", type=int, default=2)
    parser.add_argument("--scrypt", action="store_true", help="give the accounts real scrypt password hashes")
    args = parser.parse_args()

    from app import create_app

    app = create_app()
    with app.app_context():
        data = seed(deadline=datetime.fromisoformat(args.deadline).astimezone(UTC), entrants=args.entrants,
                    judges=args.judges, per_entry=args.per_entry, scrypt=args.scrypt)
    with open(args.out, "w") as handle:
        json.dump(data, handle)


if __name__ == "__main__":
    main()
