"""Times the automatic assignment on a large round: 10,000 entries, 800 judges, k = 3.

    .venv/bin/python scripts/assign_scale.py [--entries 10000] [--judges 800] [--k 3] [--database URL]

Builds the round in a throw-away database (in-memory SQLite unless --database is given), runs
`assign_round` once and prints the solve time, the end-to-end time and the load spread.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Conflict,
    Contest,
    Entry,
    EntryRound,
    JuryExpertise,
    JuryMember,
    Nomination,
    Round,
    User,
)

NOW = datetime(2026, 4, 20, 12, tzinfo=UTC)


def build(entries: int, judges: int, k: int, rng_seed: int = 7) -> Round:
    import random

    rng = random.Random(rng_seed)
    contest = Contest(slug="scale", title_en="Scale", title_ru="Масштаб", created_at=NOW)
    db.session.add(contest)
    db.session.flush()
    nominations = [Nomination(contest_id=contest.id, key=f"n{i}", title_en=f"N{i}", position=i) for i in range(5)]
    db.session.add_all(nominations)
    round_ = Round(contest_id=contest.id, key="r1", title_en="Round 1", reviews_per_entry=k)
    db.session.add(round_)
    db.session.flush()
    user_rows = [{"email": f"judge{i}@scale.test", "name": f"Judge {i}", "locale": "en", "created_at": NOW,
                  "organisation": f"Org {i % 300}"} for i in range(judges)]
    user_rows += [{"email": f"entrant{i}@scale.test", "name": f"Entrant {i}", "locale": "en", "created_at": NOW}
                  for i in range(entries)]
    db.session.execute(sa.insert(User), user_rows)
    ids = dict(db.session.execute(sa.select(User.email, User.id)).all())
    db.session.execute(sa.insert(JuryMember), [
        {"round_id": round_.id, "email": f"judge{i}@scale.test", "user_id": ids[f"judge{i}@scale.test"],
         "status": "accepted", "token": f"token-{i}", "invited_at": NOW,
         "max_load": None if i % 10 else 30} for i in range(judges)])
    members = dict(db.session.execute(sa.select(JuryMember.email, JuryMember.id)).all())
    expertise = []
    for i in range(judges):
        for nomination in rng.sample(nominations, rng.choice((1, 1, 2))):
            expertise.append({"jury_member_id": members[f"judge{i}@scale.test"], "nomination_id": nomination.id})
    db.session.execute(sa.insert(JuryExpertise), expertise)
    weights = [0.35, 0.25, 0.2, 0.12, 0.08]  # uneven nominations
    db.session.execute(sa.insert(Entry), [
        {"contest_id": contest.id, "number": i + 1, "entrant_id": ids[f"entrant{i}@scale.test"],
         "nomination_id": rng.choices(nominations, weights)[0].id, "title": f"Project {i + 1}",
         "organisation": f"Org {rng.randrange(3000)}", "status": "submitted", "submitted_at": NOW,
         "eligible": True, "answers": {}, "created_at": NOW, "updated_at": NOW} for i in range(entries)])
    entry_ids = list(db.session.scalars(sa.select(Entry.id).order_by(Entry.id)))
    db.session.execute(sa.insert(EntryRound), [{"entry_id": e, "round_id": round_.id, "added_at": NOW}
                                               for e in entry_ids])
    judge_ids = [ids[f"judge{i}@scale.test"] for i in range(judges)]
    # A few declared conflicts per judge.
    db.session.execute(sa.insert(Conflict), _unique_conflicts(rng, entry_ids, judge_ids))
    db.session.commit()
    return round_


def _unique_conflicts(rng, entry_ids, judge_ids):
    pairs = {(rng.choice(entry_ids), judge) for judge in judge_ids for _ in range(3)}
    return [{"entry_id": e, "user_id": j, "source": "judge", "reason": "", "created_at": NOW} for e, j in pairs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--judges", type=int, default=800)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--database", default="sqlite://")
    args = parser.parse_args()

    class ScaleConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database

    app = create_app(ScaleConfig)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        round_ = build(args.entries, args.judges, args.k)
        print(f"built {args.entries} entries, {args.judges} judges in {time.perf_counter() - started:.1f} s")

        from app.services.jury.assignment import assign_round

        started = time.perf_counter()
        result = assign_round(round_=round_, notify=False)
        db.session.commit()
        end_to_end = time.perf_counter() - started
        print(f"new assignments: {len(result.pairs)}; unserved entries: {len(result.unserved)}")
        print(f"load: min {result.min_load}, max {result.max_load}, mean {result.mean_load:.2f}")
        print(f"network arcs: {result.arcs}")
        print(f"solve (OR-Tools, all passes): {result.solve_seconds:.2f} s")
        print(f"assign_round (read, build arrays, solve, write): {result.total_seconds:.2f} s")
        print(f"end to end including commit: {end_to_end:.2f} s")
        expert = db.session.scalar(sa.text(
            "SELECT count(*) FROM assignment a JOIN entry e ON e.id = a.entry_id "
            "JOIN jury_member m ON m.user_id = a.judge_id AND m.round_id = a.round_id "
            "JOIN jury_expertise x ON x.jury_member_id = m.id AND x.nomination_id = e.nomination_id"))
        print(f"assignments matching the judge's expertise: {expert} of {len(result.pairs)}")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
