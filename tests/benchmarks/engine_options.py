"""The judge pages under different database-driver settings, interleaved in one run (issue 23).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/fj_bench \\
        .venv/bin/python -m tests.benchmarks.engine_options --size S --repeat 41

One contest is written (as the benchmark's), then one app per setting is made on the same database
and the judge's dashboard, the scoring page and a first submit are requested from each in turn, a
different judge and entry every time, so a noisy machine hurts every setting alike. Each setting's
median is printed beside the trivial view's of its own app and beside the default's. The settings:

- default: psycopg prepares a statement on the server after its 5th execution on a connection
  (prepare_threshold=5); SQLAlchemy's insertmanyvalues on; a compiled-statement cache of 500;
- prepare 0: every statement prepared at its first execution;
- prepare off: nothing prepared (prepare_threshold=None);
- cache 5000: a compiled-statement cache ten times larger (query_cache_size=5000).

insertmanyvalues cannot be turned off: the submit inserts a review's scores with one
INSERT … RETURNING over several rows, which psycopg runs only through it ("executemany with
RETURNING is not enabled for this dialect" without it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from app.extensions import db
from tests.benchmarks import data as bench_data
from tests.benchmarks.cases import PING_URL
from tests.benchmarks.measure import timed
from tests.benchmarks.runner import make_app

SETTINGS: dict[str, dict] = {
    "default": {},
    "prepare 0": {"connect_args": {"prepare_threshold": 0}},
    "prepare off": {"connect_args": {"prepare_threshold": None}},
    "cache 5000": {"query_cache_size": 5000},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.engine_options")
    parser.add_argument("--size", choices=sorted(bench_data.SIZES), default="S")
    parser.add_argument("--repeat", type=int, default=41)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    options = parser.parse_args(argv)
    if not options.database_url or not options.database_url.startswith("postgresql"):
        raise SystemExit("give a PostgreSQL database (DATABASE_URL or --database-url)")
    folder = Path(tempfile.mkdtemp(prefix="fj-engine-"))
    apps = {}
    try:
        first = make_app(options.database_url, folder / "uploads")
        with first.app_context():
            db.drop_all()
            db.create_all()
            data = bench_data.generate(bench_data.SIZES[options.size], upload_entrants=1,
                                       not_started_needed=len(SETTINGS) * (options.repeat + 1) + 4)
            db.session.remove()
            db.engine.dispose()
        for name, engine_options in SETTINGS.items():
            apps[name] = make_app(options.database_url, folder / "uploads", engine_options)
        times: dict[str, dict[str, list[float]]] = {n: {"ping": [], "dashboard": [], "page": [], "submit": []}
                                                    for n in SETTINGS}
        pairs = iter(data.not_started)
        clients = {}
        for repetition in range(options.repeat + 1):
            for name, app in apps.items():
                judge_id, entry_id = next(pairs)
                key = (name, judge_id)
                if key not in clients:
                    client = app.test_client()
                    client.post("/auth/login", data={"email": data.judge_emails[judge_id],
                                                     "password": bench_data.PASSWORD})
                    clients[key] = client
                client = clients[key]
                url = f"/jury/rounds/{data.round_id}/entries/{entry_id}"
                form = {"action": "submit", "comment": "", "feedback": ""}
                for number, criterion_id in enumerate(data.criterion_ids):
                    form[f"score_{criterion_id}"] = str(5 + number % 6)
                    form[f"comment_{criterion_id}"] = "Обоснование оценки."
                measured = {
                    "ping": timed(lambda c=client: c.get(PING_URL))[0],
                    "dashboard": timed(lambda c=client: c.get("/jury/"))[0],
                    "page": timed(lambda c=client, u=url: c.get(u))[0],
                    "submit": timed(lambda c=client, u=url, f=form: c.post(u, data=f))[0],
                }
                if repetition:  # the first is a warm-up
                    for what, seconds in measured.items():
                        times[name][what].append(seconds)
        print(f"size {options.size}, {options.repeat} requests of each kind per setting, medians in ms "
              f"(ratio to the setting's trivial view; to the default's median)")
        print("| setting | trivial view | dashboard | scoring page | submit |")
        print("|---|---:|---:|---:|---:|")
        default = {what: statistics.median(values) for what, values in times["default"].items()}
        for name in SETTINGS:
            medians = {what: statistics.median(values) for what, values in times[name].items()}
            cells = [f"{medians['ping'] * 1e3:.2f}"] + [
                f"{medians[what] * 1e3:.2f} ({medians[what] / medians['ping']:.1f}×; "
                f"{medians[what] / default[what]:.2f})" for what in ("dashboard", "page", "submit")]
            print(f"| {name} | " + " | ".join(cells) + " |")
        return 0
    finally:
        for app in apps.values():
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        cleanup = make_app(options.database_url, folder / "uploads")
        with cleanup.app_context():
            db.drop_all()
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
