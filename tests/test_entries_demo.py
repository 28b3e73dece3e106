"""The demo's entries: the DESIGN §7 form and about 60 complete, screened applications."""

from __future__ import annotations

import hashlib
import io
import random
from collections import Counter

import sqlalchemy as sa

from app.extensions import db
from app.models import Entry, EntryRound
from app.services.demo.entries import seed_entries
from app.services.demo.setup import DEMO_PASSWORD, JUDGES, seed_setup
from app.services.intake import application_form
from app.services.platform import storage


def _seed():
    rng = random.Random(2026)
    demo = seed_setup(rng)
    seed_entries(demo, rng)
    db.session.commit()
    return demo


def test_demo_form_organisations_and_files(app):
    demo = _seed()
    fields = application_form.form_fields(demo.contest)
    assert [f.key for f in fields][:6] == ["organisation", "legal_form", "inn", "region", "website", "summary"]
    summary = next(f for f in fields if f.key == "summary")
    assert summary.max_length == 1000 and summary.label_en == "Project summary"
    files = {f.key: (f.accept, f.max_size) for f in fields if f.type == "file"}
    assert files == {"budget_file": (["xlsx"], 10 * 1024 * 1024), "presentation": (["pdf", "pptx"], 10 * 1024 * 1024),
                     "letters": (["pdf"], 10 * 1024 * 1024), "photos": (["jpg", "jpeg", "png"], 10 * 1024 * 1024)}
    assert {f.type for f in fields} == {"text", "textarea", "amount", "select", "checkbox", "file"}

    # Some organisations are judges' (for the automatic conflict check); INNs are valid; files are real.
    entries = db.session.scalars(sa.select(Entry).where(Entry.status == "submitted")).all()
    judge_organisations = {organisation for _name, organisation in JUDGES}
    assert sum(e.organisation in judge_organisations for e in entries) >= 3
    assert all(application_form.check_inn(e.inn) is None for e in entries)
    attachments = [a for e in entries for a in e.attachments]
    assert {a.content_type for a in attachments} >= {"application/pdf", "image/png"}
    for attachment in attachments[:10]:
        data = b"".join(storage.get_storage().iter_chunks(attachment.storage_key))
        assert hashlib.sha256(data).hexdigest() == attachment.sha256
        head = data[:8192]
        extension = attachment.filename.rsplit(".", 1)[-1].lower()
        assert application_form.content_matches(extension, head, io.BytesIO(data))


def test_demo_entries_are_complete_and_screened(app):
    demo = _seed()
    entries = db.session.scalars(sa.select(Entry).order_by(Entry.id)).all()
    statuses = Counter(e.status for e in entries)
    assert statuses == {"submitted": 60, "draft": 2, "withdrawn": 1}
    fields = application_form.form_fields(demo.contest)
    nomination_ids = {n.id for n in demo.contest.nominations}
    for entry in entries:
        if entry.status == "draft":
            assert entry.number is None
            continue
        counts = Counter(a.field_key for a in entry.attachments)
        problems = application_form.validate_answers(
            fields, entry.answers, file_counts=counts, title=entry.title, nomination_id=entry.nomination_id,
            nomination_ids=nomination_ids)
        assert problems == {}, (entry.number, problems)
    submitted = [e for e in entries if e.status == "submitted"]
    assert sorted(e.number for e in entries if e.number) == list(range(1, 62))
    assert len({e.nomination_id for e in submitted}) == 5
    ineligible = [e for e in submitted if e.eligible is False]
    assert len(ineligible) == 3 and all(e.ineligible_reason for e in ineligible)
    in_round = set(db.session.scalars(sa.select(EntryRound.entry_id).where(EntryRound.round_id == demo.round1.id)))
    assert in_round == {e.id for e in submitted if e.eligible}
    assert len(in_round) == 57
    assert any(all(ord(ch) < 128 for ch in e.title) for e in submitted)  # some in English


def test_demo_entrant_logs_in_and_sees_the_entry(app, client):
    demo = _seed()
    assert ("entrant", "entrant1@formula-jury.example") in demo.logins
    from app.services.platform import accounts

    user = accounts.authenticate("entrant1@formula-jury.example", DEMO_PASSWORD)
    assert user is not None
    # Logged in through the session: the login form's e-mail check refuses ".local" addresses.
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    page = client.get("/apply/").get_data(as_text=True)
    assert "Формула будущего — 2026" in page
    entry = db.session.scalar(sa.select(Entry).where(Entry.number == 1))
    page = client.get(f"/apply/entries/{entry.id}/").get_data(as_text=True)
    assert entry.title in page and 'data-testid="read-only"' in page
