"""Documents at size (issue 18): the protocol of a whole round and the jury pack of one nomination,
each in its own process so its peak resident memory is its own.

    python -m tests.benchmarks.documents protocol --size L          # 10,000 entries, 800 judges
    python -m tests.benchmarks.documents pack --size L --pack 2000 --file-kb 300 [--format pdf]

`pack` gives `--pack` entries of the round's first nomination an attached PDF of `--file-kb` KB
each (a page whose content stream carries the bytes, so a combined PDF copies them too) and builds
their jury pack (ZIP, or one PDF) through the file job, as the organiser's button does.
Prints one line of JSON: seconds, peak resident memory (MB), the file's size.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Entry, Round, User
from tests.benchmarks import data as bench_data
from tests.benchmarks.runner import _prepare_schema, make_app


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _attach_files(round_id: int, count: int, size_kb: int) -> tuple[list[int], int]:
    import base64
    import random
    from io import BytesIO

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    from app.services.platform import storage

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    noise = random.Random(18).randbytes(size_kb * 768)
    content = DecodedStreamObject()
    content.set_data(b"\n".join(b"% " + base64.b64encode(noise[i:i + 57]) for i in range(0, len(noise), 57)))
    page[NameObject("/Contents")] = writer._add_object(content)
    body = BytesIO()
    writer.write(body)
    payload = body.getvalue()
    round_ = db.session.get(Round, round_id)
    nomination = round_.contest.nominations[0]
    ids = list(db.session.scalars(
        sa.select(Entry.id).where(Entry.contest_id == round_.contest_id, Entry.nomination_id == nomination.id,
                                  Entry.eligible.is_(True)).order_by(Entry.number).limit(count)))
    rows = []
    for entry_id in ids:
        key = storage.new_key("attachments")
        storage.store(key, BytesIO(payload), content_type="application/pdf")
        rows.append({"entry_id": entry_id, "field_key": "presentation", "storage_key": key,
                     "filename": f"presentation-{entry_id}.pdf", "size": len(payload), "sha256": "0" * 64,
                     "content_type": "application/pdf", "uploaded_at": bench_data.NOW})
    db.session.execute(sa.insert(Attachment), rows)
    # The pack is of exactly these entries: the nomination's others are set aside (not eligible).
    db.session.execute(sa.update(Entry).where(Entry.nomination_id == nomination.id, Entry.id.not_in(ids))
                       .values(eligible=False))
    db.session.commit()
    return ids, len(payload)


class RssSampler:
    """The process's resident memory now and then (/proc/self/statm) while a job runs: the growth
    during the job is seen even under the data generation's higher peak."""

    def __init__(self, every: float = 0.2):
        import threading

        self.every, self.samples = every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20

    def _run(self):
        while not self._stop.wait(self.every):
            self.samples.append(self.rss_mb())

    def __enter__(self):
        self.start = self.rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["protocol", "pack"])
    parser.add_argument("--size", default="S", choices=sorted(bench_data.SIZES))
    parser.add_argument("--entries", type=int)
    parser.add_argument("--pack", type=int, default=200, help="entries in the jury pack")
    parser.add_argument("--file-kb", type=int, default=300)
    parser.add_argument("--format", default="zip", choices=["zip", "pdf"])
    parser.add_argument("--protocol", default="both", choices=["pdf", "docx", "both"],
                        help="which protocol files (the PDF first, so its peak memory is its own)")
    args = parser.parse_args(argv)
    size = bench_data.SIZES[args.size]
    if args.entries:
        size = bench_data.Size("custom", args.entries, max(10, args.entries // 12))
    workdir = Path(tempfile.mkdtemp(prefix="fj-docs-bench-"))
    app = make_app(f"sqlite:///{workdir / 'bench.sqlite'}", workdir / "uploads")
    _prepare_schema(app)
    with app.app_context():
        started = time.perf_counter()
        generated = bench_data.generate(size)
        print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        round_ = db.session.get(Round, generated.round_id)
        contest = round_.contest
        before = _peak_mb()
        if args.case == "protocol":
            from app.services.documents.common import in_language
            from app.services.documents.protocol import protocol_data, protocol_docx, protocol_pdf

            result = {"case": "protocol", "entries": size.entries}
            started = time.perf_counter()
            with in_language("ru"):
                protocol_data(contest, round_, language="ru")  # what both files read, on its own
            result["data_seconds"] = round(time.perf_counter() - started, 1)
            if args.protocol in ("pdf", "both"):
                started = time.perf_counter()
                pdf = protocol_pdf(contest, round_, language="ru")
                result.update(pdf_seconds=round(time.perf_counter() - started, 1),
                              pdf_mb=round(len(pdf) / 2**20, 1), peak_rss_after_pdf_mb=round(_peak_mb(), 1))
                del pdf
            if args.protocol in ("docx", "both"):
                started = time.perf_counter()
                docx = protocol_docx(contest, round_, language="ru")
                result.update(docx_seconds=round(time.perf_counter() - started, 1),
                              docx_mb=round(len(docx) / 2**20, 1))
        else:
            from app.services.documents.jury_pack import start_jury_pack
            from app.services.platform.jobs import get_job

            ids, attachment_size = _attach_files(round_.id, args.pack, args.file_kb)
            organiser = db.session.scalar(sa.select(User).where(User.email == generated.organiser_email))
            before = _peak_mb()
            import gc

            gc.collect()
            started = time.perf_counter()
            with RssSampler() as rss:
                job_id = start_jury_pack(round_=round_, nomination=contest.nominations[0], fmt=args.format,
                                         user=organiser, language="ru")
            seconds = time.perf_counter() - started
            status = get_job(job_id)
            assert status["status"] == "done", status
            result = {"case": "pack", "format": args.format, "entries": len(ids), "file_kb": args.file_kb,
                      "attachment_kb": round(attachment_size / 1024), "seconds": round(seconds, 1),
                      "per_entry_s": round(seconds / max(1, len(ids)), 3), "file_mb": round(status["size"] / 2**20, 1),
                      "rss_at_start_mb": round(rss.start, 1), "rss_max_during_mb": round(max(rss.samples or [0]), 1),
                      "rss_growth_mb": round(max(rss.samples or [rss.start]) - rss.start, 1)}
        result.update(peak_rss_before_mb=round(before, 1), peak_rss_mb=round(_peak_mb(), 1))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
