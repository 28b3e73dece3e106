"""Times the anonymity check as the worker runs it: N entries with 3 small generated PDFs each
(each entry with an organisation, an INN and a phone in an identifying field).

    DATABASE_URL=sqlite:////tmp/fj-anon.sqlite STORAGE_DIR=/tmp/fj-anon-files \
        python scripts/bench_anonymity.py 10000
        python scripts/bench_anonymity.py 500 --profile     # cProfile of the check, by cumulative time

Prints the wall time of `anonymity.check.run_check` and the process's peak resident memory.
"""

from __future__ import annotations

import io
import resource
import sys
import time
from datetime import UTC, datetime

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def small_pdf(text: str, author: str | None) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(f"BT /F1 12 Tf 72 700 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    if author:
        writer.add_metadata({"/Author": author})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main(count: int, profile: bool = False) -> None:
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import Attachment, Contest, Entry, FormField, User
    from app.services.anonymity.check import run_check
    from app.services.platform import storage

    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        at = datetime(2026, 12, 1, tzinfo=UTC)
        contest = Contest(slug="bench", title_ru="Б", title_en="B", created_at=at)
        db.session.add(contest)
        db.session.flush()
        db.session.add_all([FormField(contest_id=contest.id, key="organisation", type="text", identifying=True),
                            FormField(contest_id=contest.id, key="phone", type="text", identifying=True),
                            FormField(contest_id=contest.id, key="summary", type="textarea"),
                            FormField(contest_id=contest.id, key="files", type="file", accept=["pdf"])])
        users = [{"email": f"e{i}@example.org", "name": f"Ivan Blinov{i}", "password_hash": "x", "locale": "en",
                  "created_at": at} for i in range(count)]
        db.session.execute(sa.insert(User), users)
        ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        db.session.execute(sa.insert(Entry), [
            {"contest_id": contest.id, "number": i + 1, "entrant_id": ids[i], "title": f"Clean river {i}",
             "organisation": f"Fund Zarya{i}", "inn": f"77{i:08d}", "status": "submitted", "submitted_at": at,
             "answers": {"organisation": f"Fund Zarya{i}", "phone": f"+7 916 {i:07d}",
                         "summary": "We clean rivers with volunteers."},
             "created_at": at, "updated_at": at} for i in range(count)])
        entry_ids = list(db.session.scalars(sa.select(Entry.id).order_by(Entry.id)))
        rows = []
        started = time.perf_counter()
        for i, entry_id in enumerate(entry_ids):
            for n in range(3):
                text = f"Fund Zarya{i} budget, page by Ivan Blinov{i}" if n == 0 else "Plan of the project"
                data = small_pdf(text, f"Ivan Blinov{i}" if n == 1 else None)
                stored = storage.store(f"bench/{entry_id}-{n}.pdf", io.BytesIO(data), content_type="application/pdf")
                rows.append({"entry_id": entry_id, "field_key": "files", "storage_key": stored.key,
                             "filename": f"file{n}.pdf", "size": stored.size, "sha256": stored.sha256,
                             "content_type": "application/pdf", "uploaded_at": at})
        db.session.execute(sa.insert(Attachment), rows)
        db.session.commit()
        print(f"generated {count} entries, {len(rows)} PDFs in {time.perf_counter() - started:.1f} s")
        contest_id = contest.id
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            totals = profiler.runcall(run_check, contest_id)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        else:
            totals = run_check(contest_id)
        db.session.commit()
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"run_check: {totals} in {elapsed:.1f} s ({elapsed / count * 1000:.1f} ms an entry); "
              f"peak RSS {peak:.0f} MB (before the check {before:.0f} MB)")


if __name__ == "__main__":
    arguments = [argument for argument in sys.argv[1:] if argument != "--profile"]
    main(int(arguments[0]) if arguments else 1000, profile="--profile" in sys.argv)
