"""Attachments: limits, real types, names, several per field, removal, downloads and who gets them."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import Attachment, Entry
from app.services.intake import entries
from tests import entries_helpers as h
from tests.factories import NOW


def _setup(make, freeze, *, file_max_size=None, **round_options):
    freeze(NOW)
    contest = make.contest(organiser=make.user(name="Olga Organiser"))
    round_ = make.round_(contest, **round_options)
    h.add_form(contest, file_max_size=file_max_size)
    return contest, round_


def _save_with(client, contest, files: dict, entry_id=None, **data):
    body = h.answers(contest, action="save", **data)
    body.update(files)
    url = f"/apply/entries/{entry_id}/edit" if entry_id else f"/apply/{contest.slug}/new"
    return client.post(url, data=body, content_type="multipart/form-data")


def _entry(user) -> Entry:
    return db.session.scalar(sa.select(Entry).where(Entry.entrant_id == user.id))


def test_upload_at_the_limit_accepted(client, make, freeze, login):
    contest, _round = _setup(make, freeze, file_max_size=1000)
    entrant = login(make.user())
    response = _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(1000), "p.pdf")})
    assert response.status_code == 302
    assert [a.size for a in _entry(entrant).attachments] == [1000]


def test_upload_one_byte_over_the_limit_refused_with_the_limit_named(client, make, freeze, login):
    contest, _round = _setup(make, freeze, file_max_size=1000)
    entrant = login(make.user())
    response = _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(1001), "big.pdf")},
                          a_summary="Typed before the failed upload")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“big.pdf” is larger than 1000 bytes, the limit for this field." in page
    assert "Typed before the failed upload" in page
    entry = _entry(entrant)
    assert entry.attachments == []
    assert entry.answers["summary"] == "Typed before the failed upload"


def test_default_limit_is_ten_megabytes(client, make, freeze, login):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    contest, _round = _setup(make, freeze)
    login(make.user())
    values = h.answers(contest, action="save")
    values["a_presentation"] = FileStorage(io.BytesIO(h.pdf_bytes(10 * h.MB + 1)), "big.pdf")
    # Encoded in memory: the test client's own spooled body file would be left open.
    boundary, body = encode_multipart(values)
    page = client.post(f"/apply/{contest.slug}/new", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}").get_data(as_text=True)
    assert "is larger than 10 MB, the limit for this field." in page


def test_renamed_executable_refused(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    entrant = login(make.user())
    page = _save_with(client, contest, {"a_presentation": h.upload(h.exe_bytes(), "report.pdf")}
                      ).get_data(as_text=True)
    assert "The content of “report.pdf” is not PDF. Allowed types: PDF, PPTX." in page
    assert _entry(entrant).attachments == []


def test_wrong_extension_refused_with_allowed_types_named(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    login(make.user())
    page = _save_with(client, contest, {"a_presentation": h.upload(b"hello", "notes.txt")}).get_data(as_text=True)
    assert "“notes.txt” is not an allowed type. Allowed types: PDF, PPTX." in page


def test_empty_file_refused(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    login(make.user())
    page = _save_with(client, contest, {"a_presentation": h.upload(b"", "empty.pdf")}).get_data(as_text=True)
    assert "“empty.pdf” is empty." in page


def test_too_long_name_refused(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    login(make.user())
    name = "ы" * 201 + ".pdf"
    page = _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(), name)}).get_data(as_text=True)
    assert "The file name is too long (205 characters)" in page


def test_office_zip_containers_checked_by_content(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    entrant = login(make.user())
    _save_with(client, contest, {"a_presentation": h.upload(h.ooxml_bytes("ppt"), "deck.pptx")})
    page = _save_with(client, contest, {"a_presentation": h.upload(h.ooxml_bytes("word"), "deck2.pptx")},
                      entry_id=_entry(entrant).id).get_data(as_text=True)
    assert [a.filename for a in _entry(entrant).attachments] == ["deck.pptx"]
    assert "The content of “deck2.pptx” is not PPTX." in page


def test_several_files_per_field_and_sha256_kept(client, make, freeze, login, app):
    contest, _round = _setup(make, freeze)
    entrant = login(make.user())
    photo = h.png_bytes()
    _save_with(client, contest, {"a_photos": [h.upload(photo, "один.png"), h.upload(photo, "two.png")],
                                 "a_presentation": h.upload(h.pdf_bytes(), "../../etc/passwd.pdf")})
    attachments = _entry(entrant).attachments
    assert sorted(a.filename for a in attachments) == ["passwd.pdf", "two.png", "один.png"]
    png = next(a for a in attachments if a.filename == "two.png")
    assert png.sha256 == hashlib.sha256(photo).hexdigest()
    assert png.content_type == "image/png"
    stored = Path(app.config["STORAGE_DIR"]) / png.storage_key
    assert stored.read_bytes() == photo
    assert "static" not in str(stored)


def test_entry_total_limit(client, make, freeze, login, app):
    contest, _round = _setup(make, freeze)
    app.config["ENTRY_MAX_BYTES"] = 2500
    entrant = login(make.user())
    _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(2000), "a.pdf")})
    page = _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(600), "b.pdf")},
                      entry_id=_entry(entrant).id).get_data(as_text=True)
    assert "would bring the attachments of this application over 2.4 KB in total" in page
    assert len(_entry(entrant).attachments) == 1


def test_remove_attachment_keeps_typed_values_and_deletes_file(client, make, freeze, login, app):
    contest, _round = _setup(make, freeze)
    entrant = login(make.user())
    _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(), "a.pdf")})
    entry = _entry(entrant)
    attachment = entry.attachments[0]
    path = Path(app.config["STORAGE_DIR"]) / attachment.storage_key
    assert path.exists()
    body = h.answers(contest, a_summary="Changed while removing", remove=str(attachment.id))
    client.post(f"/apply/entries/{entry.id}/edit", data=body, content_type="multipart/form-data")
    entry = _entry(entrant)
    assert entry.attachments == []
    assert entry.answers["summary"] == "Changed while removing"
    assert not path.exists()


def test_removing_the_only_required_file_of_a_submitted_entry_refused(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    entrant = login(make.user())
    body = h.answers(contest, action="submit")
    body["a_presentation"] = h.upload(h.pdf_bytes(), "a.pdf")
    client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")
    entry = _entry(entrant)
    assert entry.status == "submitted"
    body = h.answers(contest, remove=str(entry.attachments[0].id))
    page = client.post(f"/apply/entries/{entry.id}/edit", data=body,
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "This file is required: upload the new one first" in page
    assert len(_entry(entrant).attachments) == 1


def test_download_is_an_attachment_with_the_real_name(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    entrant = login(make.user())
    _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(), "Презентация.pdf")})
    attachment = _entry(entrant).attachments[0]
    with client.get(f"/apply/files/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.data == h.pdf_bytes()
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''%D0%9F%D1%80%D0%B5%D0%B7%D0%B5%D0%BD%D1%82%D0%B0%D1%86%D0%B8%D1%8F.pdf" in \
            response.headers["Content-Disposition"]
        assert response.headers["Content-Type"] == "application/pdf"
    with client.get(f"/apply/files/{attachment.id}?inline=1") as inline:
        assert inline.headers["Content-Disposition"].startswith("inline;")
        policy = inline.headers["Content-Security-Policy"]
        # Scripts can never run in it; Chrome's PDF viewer needs it unsandboxed (images stay sandboxed).
        assert policy.startswith("default-src 'none'") and "script-src" not in policy


def test_other_entrants_entry_and_files_unreachable(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    owner = login(make.user())
    _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(), "secret.pdf")})
    entry = _entry(owner)
    attachment = entry.attachments[0]
    login(make.user())
    for url in (f"/apply/entries/{entry.id}/", f"/apply/entries/{entry.id}/edit",
                f"/apply/entries/{entry.id}/print", f"/apply/entries/{entry.id}/submitted",
                f"/apply/files/{attachment.id}", f"/apply/files/{attachment.id}?inline=1",
                f"/apply/entries/{entry.id + 1}/", f"/apply/files/{attachment.id + 1}"):
        assert client.get(url).status_code == 404, url
    for url in (f"/apply/entries/{entry.id}/edit", f"/apply/entries/{entry.id}/withdraw"):
        response = client.post(url, data=h.answers(contest, title="Hijacked", action="submit"),
                               content_type="multipart/form-data")
        assert response.status_code == 404, url
    assert _entry(owner).title == "Школа юного эколога"


def test_anonymous_gets_no_file(client, make, freeze, login):
    contest, _round = _setup(make, freeze)
    owner = login(make.user())
    _save_with(client, contest, {"a_presentation": h.upload(h.pdf_bytes(), "secret.pdf")})
    attachment = _entry(owner).attachments[0]
    client.post("/auth/logout")
    response = client.get(f"/apply/files/{attachment.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_organiser_and_assigned_judge_download_others_not(client, make, freeze, login):
    contest, round_ = _setup(make, freeze)
    entrant = make.user()
    entry = make.entry(contest, entrant=entrant, rounds=[round_])
    _attach(entry, "Отчёт ООО Ромашка.pdf")
    attachment = entry.attachments[0]
    organiser = contest_organiser(contest)
    login(organiser)
    with client.get(f"/apply/files/{attachment.id}") as response:
        assert response.status_code == 200
    judge, stranger = make.user(), make.user()
    make.jury_member(round_, judge)
    make.jury_member(round_, stranger)
    login(stranger)
    assert client.get(f"/apply/files/{attachment.id}").status_code == 404
    make.assignment(round_, entry, judge)
    login(judge)
    with client.get(f"/apply/files/{attachment.id}") as response:
        assert response.status_code == 200
        assert "%D0%9E%D1%82%D1%87" in response.headers["Content-Disposition"]  # the real name, open round


def test_blind_round_judge_gets_a_neutral_file_name(client, make, freeze, login):
    contest, round_ = _setup(make, freeze, blind=True)
    entry = make.entry(contest, rounds=[round_])
    _attach(entry, "Отчёт ООО Ромашка.pdf")
    attachment = entry.attachments[0]
    judge = make.user()
    make.jury_member(round_, judge)
    make.assignment(round_, entry, judge)
    login(judge)
    with client.get(f"/apply/files/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f"attachment; filename=attachment-{attachment.id}.pdf"
    assert entries.attachment_display_name(judge, attachment) == f"attachment-{attachment.id}.pdf"
    assert entries.attachment_display_name(entry.entrant, attachment) == "Отчёт ООО Ромашка.pdf"


def test_failed_transaction_leaves_no_stored_file(app, make, freeze):
    contest, _round = _setup(make, freeze)
    entry = make.entry(contest, status="draft")
    path = _attach(entry, "a.pdf", commit=False)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()


def contest_organiser(contest):
    from app.services.setup.contests import contest_organisers

    return contest_organisers(contest)[0]


def _attach(entry, name: str, *, commit: bool = True) -> Path:
    """Stores a PDF on the entry through the service (as its entrant)."""
    import io

    from flask import current_app
    from werkzeug.datastructures import FileStorage

    field = next(f for f in entry.contest.form_fields if f.key == "presentation")
    upload = FileStorage(stream=io.BytesIO(h.pdf_bytes()), filename=name)
    attachment = entries.add_attachment(entry, field, upload, actor=entry.entrant)
    path = Path(current_app.config["STORAGE_DIR"]) / attachment.storage_key
    if commit:
        db.session.commit()
    return path


def test_attachment_rows_cascade_with_the_entry(app, make, freeze):
    contest, _round = _setup(make, freeze)
    entry = make.entry(contest, status="draft")
    _attach(entry, "a.pdf")
    db.session.delete(entry)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0
