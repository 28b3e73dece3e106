"""Blind judging (issue 22): identifying fields, titles, redaction and the anonymity check.

Files are made in the tests with the libraries the check reads them with (pypdf, python-docx,
Pillow); the database and the storage are real.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from app.extensions import db
from app.models import AnonymityFinding, Attachment, AuditEvent, FormField
from app.services.anonymity import check
from app.services.anonymity.redaction import REDACTED, IdentityBuilder, entry_identity, redact
from app.services.intake import application_form
from app.services.platform import storage
from tests import factories
from tests import scoring_helpers as sh

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TITLE = "Иван Блинов / Фонд «Заря»: чистая вода"


# --- files made with the libraries ---------------------------------------------------------------

def pdf_file(pages: list[str], *, author: str | None = None) -> bytes:
    writer = PdfWriter()
    for text in pages:
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


def docx_file(text: str, *, author: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.core_properties.author = author
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (16, 16), "green")
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def attach(entry, data: bytes, *, filename: str, content_type: str, field_key: str = "files") -> Attachment:
    stored = storage.store(storage.new_key(f"contest-{entry.contest_id}/entry-{entry.id}"), io.BytesIO(data),
                           content_type=content_type)
    attachment = Attachment(entry_id=entry.id, field_key=field_key, storage_key=stored.key, filename=filename,
                            size=stored.size, sha256=stored.sha256, content_type=content_type,
                            uploaded_at=factories.NOW)
    db.session.add(attachment)
    db.session.commit()
    return attachment


# --- redaction ----------------------------------------------------------------------------------

def _identity():
    builder = IdentityBuilder()
    builder.person("Иван Блинов")
    builder.organisation("Фонд «Заря»")
    builder.email("ivan@zarya-fund.ru")
    builder.number("7701234567")
    builder.value("ОГРН 1027700132195, https://www.zarya-fund.ru/about")
    return builder.build()


@pytest.mark.parametrize("text, expected", [
    ("Блинов", REDACTED), ("Блинова", REDACTED), ("с Блиновым", f"с {REDACTED}"),
    ("Блиновой Анны", f"{REDACTED} Анны"), ("Ивану", REDACTED),
    ("Фонд Заря", REDACTED), ("АНО «Заря»", REDACTED), ('ООО "Заря"', REDACTED), ("«Заря»", REDACTED),
    ("фонда «Зари»", f"фонда {REDACTED}"),
    ("пишите ivan@zarya-fund.ru", f"пишите {REDACTED}"),
    ("сайт zarya-fund.ru/team и https://zarya-fund.ru", f"сайт {REDACTED} и {REDACTED}"),
    ("ИНН 770 123 45 67", f"ИНН {REDACTED}"), ("ИНН 7701234567.", f"ИНН {REDACTED}."),
    ("ОГРН 1 02 7700 132195", f"ОГРН {REDACTED}"),
    ("ИНН 77012345670 и 17701234567", "ИНН 77012345670 и 17701234567"),  # part of a longer number
    ("ИНН (770) 123-45.67; 2026", f"ИНН ({REDACTED}; 2026"),
    ("блины и блинов тесто", "блины и " + REDACTED + " тесто"),  # «блинов» is also the surname's form
    ("Пекли блины на заре", "Пекли блины на " + REDACTED),
])
def test_redact_catches_the_identity_in_its_variants(text, expected):
    assert redact(text, _identity()) == expected


def test_redact_title_with_a_name_and_an_organisation():
    assert redact(TITLE, _identity()) == f"{REDACTED} {REDACTED} / {REDACTED}: чистая вода"


def test_redact_leaves_other_text_alone():
    text = "Очистка реки силами 40 волонтёров в 2026 году; бюджет 150 000 ₽."
    assert redact(text, _identity()) == text


def test_identity_of_entry_reads_the_fields_the_organiser_marked(make):
    contest = make.contest()
    application_form.add_field(contest, key="team", type="textarea", label_en="Team")
    application_form.add_field(contest, key="summary", type="textarea", label_en="Summary")
    entrant = make.user(name="Иван Блинов", email="ivan@zarya-fund.ru")
    entry = make.entry(contest, entrant=entrant, organisation="АНО «Заря»", inn="7701234567",
                       answers={"team": "Петрова Анна Сергеевна, Сидоров Пётр", "summary": "Сидоров пишет"})
    identity = entry_identity(entry)
    assert redact("Анной Петровой и Петром Сидоровым из «Зари»", identity) == (
        f"{REDACTED} {REDACTED} и {REDACTED} {REDACTED} из {REDACTED}")


# --- the form builder's flag ----------------------------------------------------------------------

def test_new_field_takes_the_default_for_its_key_and_the_organiser_decides(client, make, login):
    organiser = make.user(name="Org")
    contest = make.contest(organiser=organiser)
    login(organiser)
    base = {"label_en": "L", "label_ru": "Л"}
    for key, choice in (("organisation", "default"), ("summary", "default"), ("motto", "yes"), ("inn", "no")):
        response = client.post(f"/manage/{contest.slug}/form/new", data={**base, "key": key, "type": "text",
                                                                          "identifying": choice})
        assert response.status_code == 302, key
    flags = dict(db.session.execute(sa.select(FormField.key, FormField.identifying)).all())
    assert flags == {"organisation": True, "summary": False, "motto": True, "inn": False}
    summary = db.session.scalar(sa.select(FormField).where(FormField.key == "summary"))
    client.post(f"/manage/{contest.slug}/form/{summary.id}/edit", data={**base, "identifying": "yes"})
    db.session.refresh(summary)
    assert summary.identifying is True
    page = client.get(f"/manage/{contest.slug}/form").get_data(as_text=True)
    assert 'data-testid="identifying-summary">yes: hidden in blind rounds' in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "form_field.update"))
    assert event.new["identifying"] is True and event.old["identifying"] is False


def _blind_scene(*, titles_safe=False, locale="en"):
    scene = sh.scene(blind=True, titles_safe=titles_safe)
    entry = scene.entry
    entry.title = TITLE
    entry.entrant.name = "Иван Блинов"
    entry.organisation = "Фонд «Заря»"
    application_form.add_field(scene.contest, key="organisation", type="text", label_en="Organisation")
    application_form.add_field(scene.contest, key="motto", type="text", label_en="Motto", identifying=True)
    application_form.add_field(scene.contest, key="summary", type="textarea", label_en="Summary")
    entry.answers = {"organisation": "Фонд «Заря»", "motto": "Чистая вода — наш девиз",
                     "summary": "Фонд Заря и Блинов с 2010 года чистят реки; пишите ivan@zarya-fund.ru"}
    scene.judge.locale = locale
    db.session.commit()
    return scene


SECRETS = ("Блинов", "Заря", "Зари", "ivan@zarya-fund.ru", "Иван", "Чистая вода — наш девиз")


def test_blind_score_page_hides_marked_fields_and_redacts_the_rest(client, login, freeze):
    scene = _blind_scene()
    freeze(sh.JUDGING)
    login(scene.judge)
    page = client.get(scene.url()).get_data(as_text=True)
    assert [secret for secret in SECRETS if secret in page] == []
    assert f"{REDACTED} и {REDACTED} с 2010 года чистят реки; пишите {REDACTED}" in page
    assert f"Application No. {scene.entry.number}" in page


# Russian groups thousands by a thin space and puts a no-break space before the sign (one formatter).
@pytest.mark.parametrize("locale, amount", [("en", "1,500,000\u00a0₽"), ("ru", "1\u202f500\u202f000\u00a0₽")])
def test_blind_score_page_writes_an_amount_as_the_judge_reads_it(client, login, freeze, locale, amount):
    scene = _blind_scene(locale=locale)
    application_form.add_field(scene.contest, key="requested", type="amount", label_en="Requested", currency="RUB")
    scene.entry.answers = {**scene.entry.answers, "requested": "1500000.00"}
    db.session.commit()
    freeze(sh.JUDGING)
    login(scene.judge)
    page = client.get(scene.url()).get_data(as_text=True)
    assert amount in page.replace("&nbsp;", "\u00a0")
    assert "1500000.00" not in page


@pytest.mark.parametrize("locale, placeholder", [("en", "Application No. {n}"), ("ru", "Заявка № {n}")])
def test_blind_title_is_a_number_until_checked_then_redacted(client, login, freeze, locale, placeholder):
    scene = _blind_scene(locale=locale)
    freeze(sh.JUDGING)
    login(scene.judge)
    client.post(f"/auth/language/{locale}")
    number = scene.entry.number
    dashboard = client.get("/jury/").get_data(as_text=True)
    assert placeholder.format(n=number) in dashboard and "Блинов" not in dashboard
    # The organiser checks the title: judges now read it, with the identity blacked out.
    login(scene.organiser)
    response = client.post(f"/manage/{scene.contest.slug}/anonymity/entries/{scene.entry.id}/title",
                           data={"decision": "safe"})
    assert response.status_code == 302
    login(scene.judge)
    client.post(f"/auth/language/{locale}")
    shown = f"{REDACTED} {REDACTED} / {REDACTED}: чистая вода"
    assert shown in client.get("/jury/").get_data(as_text=True)
    assert shown in client.get(scene.url()).get_data(as_text=True)
    # The entrant changes the title after the check: hidden again.
    scene.entry.title = "Иван Блинов: новая вода"
    db.session.commit()
    assert placeholder.format(n=number) in client.get("/jury/").get_data(as_text=True)


def test_titles_safe_round_shows_titles_redacted_in_the_assignment_mail(make, outbox, freeze):
    from app.services.jury.assignment import notify_new_assignments

    scene = _blind_scene(titles_safe=True)
    notify_new_assignments(scene.round)
    body = outbox[-1]["body"]
    assert f"{REDACTED} {REDACTED} / {REDACTED}: чистая вода" in body and "Блинов" not in body


def test_not_safe_round_mail_gives_only_the_number(make, outbox):
    from app.services.jury.assignment import notify_new_assignments

    scene = _blind_scene(titles_safe=False)
    notify_new_assignments(scene.round)
    body = outbox[-1]["body"]
    assert f"No. {scene.entry.number}\n" in body and "чистая вода" not in body


def test_dashboard_queries_do_not_grow_with_blind_entries(client, login, freeze, count_queries):
    freeze(sh.JUDGING)

    def queries(entries):
        scene = sh.scene(blind=True, titles_safe=True, entries=entries)
        login(scene.judge)
        with count_queries() as counter:
            assert client.get("/jury/").status_code == 200
        return counter.count

    assert queries(2) == queries(10)


# --- the anonymity check -----------------------------------------------------------------------

def _checked_scene():
    scene = _blind_scene()
    entry = scene.entry
    pdf = attach(entry, pdf_file(["Budget of the project", "Fund Zarya will clean the river, says Ivan Blinov"],
                                 author="Ivan Blinov"), filename="budget.pdf", content_type="application/pdf")
    word = attach(entry, docx_file("Проект фонда «Зари» и Блиновой", author="Блинов И."),
                  filename="plan.docx", content_type=DOCX)
    photo = attach(entry, jpeg_with_gps(), filename="zarya-team.jpg", content_type="image/jpeg")
    entry.entrant.name = "Иван Блинов Ivan Blinov"
    entry.organisation = "Фонд «Заря» (Fund Zarya)"
    db.session.commit()
    return scene, pdf, word, photo


def test_check_finds_text_metadata_gps_and_file_names(client, login):
    scene, pdf, word, photo = _checked_scene()
    login(scene.organiser)
    response = client.post(f"/manage/{scene.contest.slug}/anonymity/run")
    assert response.status_code == 302
    found = {(f.source, f.location, f.page, f.attachment_id) for f in db.session.scalars(sa.select(AnonymityFinding))}
    assert ("file_meta", "Author", None, pdf.id) in found
    assert ("file_text", "", 2, pdf.id) in found and ("file_text", "", 1, pdf.id) not in found
    assert ("file_meta", "author", None, word.id) in found
    assert ("file_text", "", None, word.id) in found
    assert ("file_meta", "GPS", None, photo.id) in found
    assert ("file_name", "", None, photo.id) in found
    assert ("title", "", None, None) in found
    assert ("answer", "summary", None, None) in found
    assert not any(location in ("organisation", "motto") for _, location, _, _ in found)
    gps = db.session.scalar(sa.select(AnonymityFinding).where(AnonymityFinding.location == "GPS"))
    assert gps.snippet == "55.75000, 37.61667"
    text = db.session.scalar(sa.select(AnonymityFinding).where(AnonymityFinding.page == 2))
    assert "Fund Zarya will clean the river" in text.snippet
    page = client.get(f"/manage/{scene.contest.slug}/anonymity").get_data(as_text=True)
    assert "page 2" in page and "55.75000, 37.61667" in page
    assert "Answer “Summary”" in page  # the field's label, not its key


def test_decisions_are_kept_on_a_new_run_and_audited(client, login, outbox, freeze):
    freeze(factories.NOW)
    scene, pdf, word, photo = _checked_scene()
    login(scene.organiser)
    slug = scene.contest.slug
    client.post(f"/manage/{slug}/anonymity/run")
    gps = db.session.scalar(sa.select(AnonymityFinding).where(AnonymityFinding.location == "GPS"))
    author = db.session.scalar(sa.select(AnonymityFinding).where(AnonymityFinding.location == "Author"))
    assert client.post(f"/manage/{slug}/anonymity/findings/{gps.id}", data={"decision": "harmless"}).status_code == 302
    deadline = (factories.NOW + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/manage/{slug}/anonymity/findings/{author.id}/replace",
                           data={"replace_by": deadline, "message": "Уберите автора из свойств файла"})
    assert response.status_code == 302
    mail = outbox[-1]
    assert mail["to"] == scene.entry.entrant.email and "Уберите автора" in mail["body"] and "budget.pdf" in mail["body"]
    client.post(f"/manage/{slug}/anonymity/run")
    db.session.expire_all()
    assert db.session.get(AnonymityFinding, gps.id).status == "harmless"
    assert db.session.get(AnonymityFinding, author.id).status == "replace"
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("anonymity.%"))))
    assert actions.count("anonymity.check") == 2 and "anonymity.decide" in actions
    assert "anonymity.replace_request" in actions
    for language, words in (("en", "marked a finding of the anonymity check"), ("ru", "как безвредную")):
        client.post(f"/auth/language/{language}")
        assert words in client.get(f"/manage/{slug}/audit").get_data(as_text=True)


def test_replace_request_refuses_a_past_deadline_and_keeps_the_message(client, login, freeze):
    scene, pdf, _word, _photo = _checked_scene()
    freeze(factories.NOW)
    login(scene.organiser)
    client.post(f"/manage/{scene.contest.slug}/anonymity/run")
    author = db.session.scalar(sa.select(AnonymityFinding).where(AnonymityFinding.location == "Author"))
    past = (factories.NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/manage/{scene.contest.slug}/anonymity/findings/{author.id}/replace",
                           data={"replace_by": past, "message": "Мой текст"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The deadline must be in the future." in page and "Мой текст" in page
    assert db.session.get(AnonymityFinding, author.id).status == "open"


def test_other_contests_organiser_cannot_decide_a_finding(client, login, make):
    scene, *_ = _checked_scene()
    login(scene.organiser)
    client.post(f"/manage/{scene.contest.slug}/anonymity/run")
    finding = db.session.scalar(sa.select(AnonymityFinding))
    other = make.user(name="Other org")
    other_contest = make.contest(organiser=other)
    login(other)
    for url in (f"/manage/{other_contest.slug}/anonymity/findings/{finding.id}",
                f"/manage/{scene.contest.slug}/anonymity/findings/{finding.id}"):
        assert client.post(url, data={"decision": "harmless"}).status_code in (403, 404)
    login(scene.judge)
    assert client.post(f"/manage/{scene.contest.slug}/anonymity/findings/{finding.id}",
                       data={"decision": "harmless"}).status_code == 403
    assert db.session.get(AnonymityFinding, finding.id).status == "open"


def test_check_survives_a_damaged_file():
    identity = _identity()
    found = check.file_findings(b"%PDF-1.4 not really", content_type="application/pdf",
                                filename="Блинов-бюджет.pdf", identity=identity)
    assert [f.source for f in found] == ["file_name"]


# --- contest exchange --------------------------------------------------------------------------------

def test_exchange_carries_the_flags_the_title_checks_and_reads_old_documents(app):
    import json

    from flask_babel import force_locale

    from app.models import Contest, Entry, Round
    from app.services import exchange
    from tests.conftest import _reset_database

    contest = factories.contest(slug="blind-x")
    application_form.add_field(contest, key="organisation", type="text", label_en="Org")
    application_form.add_field(contest, key="motto", type="text", label_en="Motto", identifying=True)
    application_form.add_field(contest, key="summary", type="textarea", label_en="Summary")
    factories.round_(contest, key="experts", blind=True, titles_safe=True)
    entry = factories.entry(contest, title="Чистая вода")
    entry.title_checked = "Чистая вода"
    db.session.commit()
    document = json.loads(exchange.export_json(contest))
    assert [f["identifying"] for f in document["form"]] == [True, True, False]
    assert document["rounds"][0]["titles_safe"] is True
    assert document["entries"][0]["title_checked"] == "Чистая вода"
    db.session.remove()
    _reset_database()
    exchange.import_contest(document)
    db.session.commit()
    flags = dict(db.session.execute(sa.select(FormField.key, FormField.identifying)).all())
    assert flags == {"organisation": True, "motto": True, "summary": False}
    assert db.session.scalar(sa.select(Round.titles_safe)) is True
    assert db.session.scalar(sa.select(Entry.title_checked)) == "Чистая вода"
    assert json.loads(exchange.export_json(db.session.scalar(sa.select(Contest)))) == document

    # A document from before the flag: the form builder's default for each key.
    older = json.loads(json.dumps(document))
    older["contest"]["slug"] = "blind-y"
    for item in older["form"]:
        del item["identifying"]
    del older["rounds"][0]["titles_safe"]
    exchange.import_contest(older)
    db.session.commit()
    flags = dict(db.session.execute(sa.select(FormField.key, FormField.identifying).join(Contest).where(
        Contest.slug == "blind-y")).all())
    assert flags == {"organisation": True, "motto": False, "summary": False}

    bad = json.loads(json.dumps(document))
    bad["contest"]["slug"] = "blind-z"
    bad["form"][0]["identifying"] = "yes"
    with force_locale("en"), pytest.raises(exchange.ExchangeError, match=r"form\[0\]\.identifying"):
        exchange.import_contest(bad)


# --- the entrant replaces the file ---------------------------------------------------------------

def _asked_to_replace(client, login, freeze):
    freeze(factories.NOW)
    scene, pdf, _word, _photo = _checked_scene()
    application_form.add_field(scene.contest, key="files", type="file", label_en="Files",
                               accept=["pdf", "docx", "jpg"])
    db.session.commit()
    login(scene.organiser)
    client.post(f"/manage/{scene.contest.slug}/anonymity/run")
    author = db.session.scalar(sa.select(AnonymityFinding).where(AnonymityFinding.location == "Author"))
    deadline = (sh.JUDGING + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/manage/{scene.contest.slug}/anonymity/findings/{author.id}/replace",
                data={"replace_by": deadline, "message": "Remove the author"})
    freeze(sh.JUDGING)  # the intake deadline has passed
    return scene, pdf, author


def test_entrant_replaces_the_file_after_the_intake_deadline(client, login, freeze):
    scene, pdf, author = _asked_to_replace(client, login, freeze)
    old_key, old_hash = pdf.storage_key, pdf.sha256
    login(scene.entry.entrant)
    page = client.get(f"/apply/entries/{scene.entry.id}/").get_data(as_text=True)
    assert "Remove the author" in page and f"/apply/entries/{scene.entry.id}/replace/{author.id}" in page
    clean = pdf_file(["Budget of the project"])
    response = client.post(f"/apply/entries/{scene.entry.id}/replace/{author.id}",
                           data={"file": (io.BytesIO(clean), "budget-v2.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True).split('id="file-error">')[-1][:300]
    names = sorted(a.filename for a in db.session.scalars(sa.select(Attachment)))
    assert names == ["budget-v2.pdf", "plan.docx", "zarya-team.jpg"]
    assert not storage.get_storage().exists(old_key)
    finding = db.session.get(AnonymityFinding, author.id)
    assert finding.status == "open" and finding.attachment.filename == "budget-v2.pdf"
    assert finding.attachment.sha256 != old_hash
    # The next check no longer finds anything in the clean file.
    login(scene.organiser)
    client.post(f"/manage/{scene.contest.slug}/anonymity/run")
    new_id = db.session.scalar(sa.select(Attachment.id).where(Attachment.filename == "budget-v2.pdf"))
    assert db.session.scalars(sa.select(AnonymityFinding).where(AnonymityFinding.attachment_id == new_id)).all() == []
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "anonymity.file_replaced"))


def test_replacement_refuses_other_people_a_wrong_file_and_a_late_one(client, login, freeze, make):
    scene, pdf, author = _asked_to_replace(client, login, freeze)
    url = f"/apply/entries/{scene.entry.id}/replace/{author.id}"
    login(make.user(name="Stranger"))
    assert client.get(url).status_code == 404
    login(scene.entry.entrant)
    response = client.post(url, data={"file": (io.BytesIO(b"MZ\x90\x00not a pdf"), "budget.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and 'id="file-error"' in response.get_data(as_text=True)
    freeze(sh.JUDGING + timedelta(days=3))
    assert client.get(url).status_code == 404
    assert db.session.get(Attachment, pdf.id) is not None


# --- clean copies for judges ----------------------------------------------------------------------

def _download(client, url: str) -> bytes:
    response = client.get(url)
    try:
        assert response.status_code == 200
        return response.get_data()
    finally:
        response.close()


def test_judge_of_a_blind_round_downloads_clean_copies_the_originals_stay(client, login, freeze):
    import hashlib

    import docx
    from pypdf import PdfReader

    scene, pdf, word, photo = _checked_scene()
    freeze(sh.JUDGING)
    login(scene.judge)
    got = {}
    for item in (pdf, word, photo):
        got[item.id] = _download(client, f"/apply/files/{item.id}")
    reader = PdfReader(io.BytesIO(got[pdf.id]))
    assert "/Author" not in (reader.metadata or {}) and "Fund Zarya" in reader.pages[1].extract_text()
    assert docx.Document(io.BytesIO(got[word.id])).core_properties.author == ""
    with Image.open(io.BytesIO(got[photo.id])) as image:
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo) and image.size == (16, 16)
    for item in (pdf, word, photo):
        stored = b"".join(storage.get_storage().iter_chunks(item.storage_key))
        assert hashlib.sha256(stored).hexdigest() == item.sha256
    # The organiser (and the entrant) get the original.
    login(scene.organiser)
    assert hashlib.sha256(_download(client, f"/apply/files/{pdf.id}")).hexdigest() == pdf.sha256


def test_judge_of_an_open_round_gets_the_original(client, login, freeze):
    import hashlib

    scene, pdf, _word, _photo = _checked_scene()
    scene.round.blind = False
    db.session.commit()
    freeze(sh.JUDGING)
    login(scene.judge)
    assert hashlib.sha256(_download(client, f"/apply/files/{pdf.id}")).hexdigest() == pdf.sha256


def test_anonymity_page_queries_do_not_grow_with_findings(client, login, count_queries):
    def queries(entries):
        scene = sh.scene(blind=True, entries=entries)
        for entry in scene.entries:
            for location in ("Author", "GPS"):
                db.session.add(AnonymityFinding(contest_id=scene.contest.id, entry_id=entry.id, source="file_meta",
                                                location=location, snippet="Ivan", status="open", message="",
                                                found_at=factories.NOW))
        db.session.commit()
        login(scene.organiser)
        with count_queries() as counter:
            response = client.get(f"/manage/{scene.contest.slug}/anonymity")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('data-testid="finding-') == 2 * entries
        return counter.count

    assert queries(2) == queries(8)


def test_prose_in_an_identifying_answer_does_not_black_out_common_words():
    builder = IdentityBuilder()
    builder.value("Мы работаем с 2010 года в Красноярске и помогаем детям, и т. д., пишите team@zarya.ru")
    identity = builder.build()
    assert redact("и т. д. мы помогаем детям; team@zarya.ru", identity) == f"и т. д. мы помогаем детям; {REDACTED}"
