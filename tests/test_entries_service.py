"""The entry services and the answer checks, without the web pages."""

from __future__ import annotations

import io
import threading
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Entry, EntryRound
from app.services.intake import application_form as af
from app.services.intake import entries
from tests import entries_helpers as h
from tests.factories import NOW


def _open_contest(make, freeze):
    freeze(NOW)
    contest = make.contest(organiser=make.user())
    round1 = make.round_(contest)
    return contest, round1


def _draft(contest, entrant, title="Project"):
    entry = entries.start_entry(contest, entrant)
    entries.save_draft(entry, entries.Application(title=title, nomination_id=contest.nominations[0].id),
                       actor=entrant)
    db.session.commit()
    return entry


def test_numbers_are_per_contest(app, make, freeze):
    contest, _round = _open_contest(make, freeze)
    other, _other_round = _open_contest(make, freeze)
    first = _draft(contest, make.user())
    second = _draft(other, make.user())
    third = _draft(contest, make.user())
    for entry in (first, second, third):
        entries.submit_entry(entry, actor=entry.entrant)
    db.session.commit()
    assert (first.number, second.number, third.number) == (1, 1, 2)


def test_number_survives_withdraw_and_resubmit(app, make, freeze):
    contest, _round = _open_contest(make, freeze)
    entry = _draft(contest, make.user())
    entries.submit_entry(entry, actor=entry.entrant)
    entries.withdraw_entry(entry, actor=entry.entrant)
    later = _draft(contest, make.user())
    entries.submit_entry(later, actor=later.entrant)
    entries.submit_entry(entry, actor=entry.entrant)
    db.session.commit()
    assert (entry.number, later.number) == (1, 2)


@pytest.mark.skipif("postgresql" not in str(__import__("os").environ.get("TEST_DATABASE_URL", "")),
                    reason="concurrent transactions need PostgreSQL")
def test_concurrent_first_submits_get_distinct_numbers(app, make, freeze):
    contest, _round = _open_contest(make, freeze)
    ids = [_draft(contest, make.user()).id for _index in range(8)]
    barrier = threading.Barrier(len(ids))
    failures = []

    def submit(entry_id):
        with app.app_context():
            try:
                entry = db.session.get(Entry, entry_id)
                barrier.wait(timeout=10)
                entries.submit_entry(entry, actor=entry.entrant)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(entry_id,)) for entry_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    numbers = sorted(db.session.scalars(sa.select(Entry.number).where(Entry.contest_id == contest.id)))
    assert numbers == list(range(1, 9))


def test_withdraw_leaves_the_first_round_and_clears_screening(app, make, freeze):
    contest, round1 = _open_contest(make, freeze)
    entry = _draft(contest, make.user())
    entries.submit_entry(entry, actor=entry.entrant)
    entries.screen_entry(entry, eligible=True, actor=entry.entrant)
    db.session.commit()
    assert db.session.get(EntryRound, (entry.id, round1.id)) is not None
    entries.withdraw_entry(entry, actor=entry.entrant)
    db.session.commit()
    assert entry.eligible is None
    assert db.session.get(EntryRound, (entry.id, round1.id)) is None


def test_screening_a_contest_without_rounds_is_fine(app, make, freeze):
    freeze(NOW)
    contest = make.contest()
    entry = make.entry(contest, eligible=None)
    entries.screen_entry(entry, eligible=True, actor=entry.entrant)
    assert entry.eligible is True


def test_invited_judge_cannot_apply_even_before_answering(app, make, freeze):
    contest, round1 = _open_contest(make, freeze)
    person = make.user()
    from app.models import JuryMember

    db.session.add(JuryMember(round_id=round1.id, email=person.email, status="invited", token="t" * 32,
                              invited_at=NOW))
    db.session.commit()
    assert entries.can_apply(person, contest) == "Members of this contest's jury cannot apply to it."
    with pytest.raises(entries.EntryError):
        entries.start_entry(contest, person)


def test_call_not_open_before_or_after_window(app, make, freeze):
    contest, round1 = _open_contest(make, freeze)
    freeze(round1.intake_opens_at - timedelta(seconds=1))
    assert not entries.is_call_open(contest)
    freeze(round1.intake_opens_at)
    assert entries.is_call_open(contest)


def test_problems_name_every_field(app, make, freeze):
    contest, _round = _open_contest(make, freeze)
    fields = h.add_form(contest)
    entry = _draft(contest, make.user(), title="")
    with pytest.raises(entries.Problems) as caught:
        entries.submit_entry(entry, entries.Application(title="", nomination_id=None, answers={}),
                             actor=entry.entrant)
    assert sorted(caught.value.errors) == sorted(
        ["title", "nomination", "organisation", "inn", "summary", "budget", "legal_form", "consent",
         "presentation"])
    assert "photos" in fields and "start" in fields  # optional ones are not in the list


def test_textarea_limit_counts_characters_not_bytes(app, make, freeze):
    contest, _round = _open_contest(make, freeze)
    fields = list(h.add_form(contest).values())
    base = {"organisation": "A", "inn": h.VALID_INN, "budget": "1", "legal_form": "ano", "consent": True}
    ok = af.validate_answers(fields, {**base, "summary": "ж" * 1000}, file_counts={"presentation": 1},
                             title="T", nomination_id=1, nomination_ids={1})
    over = af.validate_answers(fields, {**base, "summary": "ж" * 1001}, file_counts={"presentation": 1},
                               title="T", nomination_id=1, nomination_ids={1})
    assert ok == {}
    assert over == {"summary": ["At most 1000 characters (now 1001)."]}


@pytest.mark.parametrize(("value", "valid"), [
    ("7707083893", True), ("500100732259", True), ("7707083894", False), ("12345", False), ("77070838a3", False)])
def test_check_inn(app, value, valid):
    assert (af.check_inn(value) is None) is valid


@pytest.mark.parametrize(("text", "normal"), [
    ("1 500 000", "1500000"), ("2,5", "2.5"), ("1\u00a0000,00", "1000"), ("-3", "-3")])
def test_numbers_are_normalised(app, text, normal):
    field = type("F", (), {"key": "n", "type": "number"})()
    assert af.normalise_answers([field], {"n": text}) == {"n": normal}


def test_dates_accept_russian_notation(app):
    field = type("F", (), {"key": "d", "type": "date"})()
    assert af.normalise_answers([field], {"d": "01.06.2026"}) == {"d": "2026-06-01"}
    assert af.parse_date("31.02.2026") is None


@pytest.mark.parametrize(("name", "clean"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\Заявка.pdf", "Заявка.pdf"), ("a<b>:c?.pdf", "a_b__c_.pdf"),
    ("  .hidden  ", "hidden"), ("\x00\x07", "file"), ("Смета\u0301.xlsx", "Смета\u0301.xlsx")])
def test_sanitise_filename(name, clean):
    import unicodedata

    assert af.sanitise_filename(name) == unicodedata.normalize("NFC", clean)


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("extension", "data", "ok"), [
    ("xlsx", _xlsx(), True),
    ("docx", _xlsx(), False),
    ("xlsx", h.ooxml_bytes("xl"), True),
    ("odt", _odt(), True),
    ("ods", _odt(), False),
    ("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, True),
    ("doc", h.exe_bytes(), False),
    ("png", h.png_bytes(), True),
    ("jpg", h.png_bytes(), False),
    ("pdf", h.pdf_bytes(), True),
    ("pdf", b"<html>%PDF-</html>" + b" " * 2000, True),  # PDF readers allow junk before the header
    ("txt", "Привет, мир".encode(), True),
    ("txt", h.exe_bytes(), False),
    ("zip", h.ooxml_bytes(), True),
    ("zip", b"PK\x03\x04broken", False),
])
def test_content_matches(extension, data, ok):
    stream = io.BytesIO(data)
    assert af.content_matches(extension, data[:8192], stream) is ok
    assert stream.tell() == 0


def test_screening_ineligible_withdraws_round_assignments(app, make):
    from app.models import Assignment, Review
    from app.services.intake.entries import screen_entry

    organiser = make.user()
    contest = make.contest(organiser=organiser)
    round_ = make.round_(contest)
    entry = make.entry(contest, rounds=[round_])
    judge = make.user()
    db.session.add(Assignment(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, created_at=make.NOW))
    db.session.add(Review(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, status="draft",
                          updated_at=make.NOW))
    db.session.commit()
    screen_entry(entry, eligible=False, reason="Out of scope", actor=organiser)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 0
