"""The API's entries list at a benchmark size: every cursor page of 100, its statements and time.

    .venv/bin/python scripts/api_entries_bench.py [S|M|L]

Builds the benchmark contest (tests/benchmarks/data.py) in a temporary SQLite file, makes an
organiser's token, walks every page and prints statements per page (they must not grow) and the
median and slowest page time.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.extensions import db  # noqa: E402
from app.models import Contest, User  # noqa: E402
from app.services.api import tokens  # noqa: E402
from tests.benchmarks import data as bench_data  # noqa: E402
from tests.benchmarks.runner import _prepare_schema, make_app  # noqa: E402


def main(size_name: str = "L") -> None:
    folder = Path(tempfile.mkdtemp(prefix="fj-api-bench-"))
    app = make_app(f"sqlite:///{folder / 'bench.sqlite'}", folder / "uploads")
    _prepare_schema(app)
    with app.app_context():
        data = bench_data.generate(bench_data.SIZES[size_name])
        organiser = db.session.scalar(sa.select(User).where(User.email == data.organiser_email))
        secret = tokens.create_token(user=organiser, name="bench", scopes={"entries:read"},
                                     expires_in_days=None).secret
        slug = db.session.get(Contest, data.contest_id).slug
        db.session.commit()
    client = app.test_client()
    counts, seconds, cursor, entries = [], [], None, 0
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    while True:
        statements.clear()
        query = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        started = time.perf_counter()
        response = client.get(f"/api/v1/contests/{slug}/entries", query_string=query,
                              headers={"Authorization": f"Bearer {secret}"})
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        counts.append(len(statements))
        entries += len(body["entries"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    print(f"size {size_name}: {entries:,} entries in {len(counts)} pages of 100; statements per page: "
          f"{sorted(set(counts[1:]))} (first page {counts[0]}, writes the token's last use); "
          f"median {statistics.median(seconds) * 1000:.1f} ms, slowest {max(seconds) * 1000:.1f} ms")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["L"]))
