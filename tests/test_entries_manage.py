"""Organisers: the entries list with filters and search, screening, export; and who may see them."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, EntryRound
from tests import entries_helpers as h
from tests.factories import NOW


def _setup(make, freeze):
    freeze(NOW)
    organiser = make.user(name="Olga")
    contest = make.contest(organiser=organiser)
    round1 = make.round_(contest)
    h.add_form(contest)
    return contest, organiser, round1


def test_entries_list_filters_and_search(client, make, freeze, login):
    contest, organiser, _round = _setup(make, freeze)
    nom1, nom2 = contest.nominations
    make.entry(contest, title="Зелёный двор", nomination=nom1, organisation="АНО «Сад»", eligible=None)
    make.entry(contest, title="Школа вожатых", nomination=nom2, eligible=True, inn="2460000010")
    make.entry(contest, title="Спорт для всех", nomination=nom2, eligible=False)
    make.entry(contest, title="Черновик", status="draft", eligible=None)
    make.entry(contest, title="Отозванная", status="withdrawn", eligible=None)
    login(organiser)

    def titles(**args):
        page = client.get(f"/manage/{contest.slug}/entries", query_string=args).get_data(as_text=True)
        return [t for t in ("Зелёный двор", "Школа вожатых", "Спорт для всех", "Черновик", "Отозванная")
                if t in page]

    assert titles() == ["Зелёный двор", "Школа вожатых", "Спорт для всех", "Отозванная"]
    assert titles(status="all") == ["Зелёный двор", "Школа вожатых", "Спорт для всех", "Черновик", "Отозванная"]
    assert titles(status="draft") == ["Черновик"]
    assert titles(nomination=nom2.id) == ["Школа вожатых", "Спорт для всех"]
    assert titles(eligibility="eligible") == ["Школа вожатых"]
    assert titles(eligibility="ineligible") == ["Спорт для всех"]
    assert titles(eligibility="unscreened") == ["Зелёный двор", "Отозванная"]
    assert titles(q="сад") == ["Зелёный двор"]
    assert titles(q="2460000010") == ["Школа вожатых"]
    assert titles(q="спорт", nomination=nom1.id) == []


def test_search_by_number_and_entrant(client, make, freeze, login):
    contest, organiser, _round = _setup(make, freeze)
    entrant = make.user(name="Пётр Иванов", email="petr@example.org")
    entry = make.entry(contest, entrant=entrant, title="Проект Петра")
    make.entry(contest, title="Чужой проект")
    login(organiser)
    for query in (f"№{entry.number}", str(entry.number), "petr@", "Иванов"):
        page = client.get(f"/manage/{contest.slug}/entries", query_string={"q": query}).get_data(as_text=True)
        assert "Проект Петра" in page and "Чужой проект" not in page, query


def test_entries_list_query_count_does_not_grow(client, make, freeze, login, count_queries):
    contest, organiser, _round = _setup(make, freeze)
    login(organiser)
    for _index in range(2):
        make.entry(contest)
    with count_queries() as few:
        assert client.get(f"/manage/{contest.slug}/entries").status_code == 200
    for _index in range(18):
        make.entry(contest, entrant=make.user())
    with count_queries() as many:
        page = client.get(f"/manage/{contest.slug}/entries").get_data(as_text=True)
    assert "20 entries" in page
    assert many.count == few.count


def test_screen_eligible_adds_entry_to_the_first_round(client, make, freeze, login):
    contest, organiser, round1 = _setup(make, freeze)
    make.round_(contest, key="final")
    entry = make.entry(contest, eligible=None)
    login(organiser)
    response = client.post(f"/manage/{contest.slug}/entries/{entry.id}", data={"decision": "eligible"})
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.eligible is True and entry.screened_at == NOW
    assert db.session.scalars(sa.select(EntryRound.round_id).where(EntryRound.entry_id == entry.id)).all() == [
        round1.id]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "entry.screen"))
    assert event.actor_id == organiser.id and event.new == {"eligible": True, "reason": None}


def test_screen_ineligible_needs_reason_and_leaves_the_round(client, make, freeze, login):
    contest, organiser, round1 = _setup(make, freeze)
    entry = make.entry(contest, eligible=True, rounds=[round1])
    login(organiser)
    page = client.post(f"/manage/{contest.slug}/entries/{entry.id}",
                       data={"decision": "ineligible", "reason": " "}).get_data(as_text=True)
    assert "Give the reason; the entrant will see it." in page
    db.session.refresh(entry)
    assert entry.eligible is True
    client.post(f"/manage/{contest.slug}/entries/{entry.id}",
                data={"decision": "ineligible", "reason": "Проект вне географии конкурса."})
    db.session.refresh(entry)
    assert entry.eligible is False and entry.ineligible_reason == "Проект вне географии конкурса."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntryRound)) == 0
    login(entry.entrant)
    assert "Проект вне географии конкурса." in client.get(f"/apply/entries/{entry.id}/").get_data(as_text=True)


def test_screen_eligible_again_clears_the_reason(client, make, freeze, login):
    contest, organiser, round1 = _setup(make, freeze)
    entry = make.entry(contest, eligible=False)
    entry.ineligible_reason = "Old reason"
    db.session.commit()
    login(organiser)
    client.post(f"/manage/{contest.slug}/entries/{entry.id}", data={"decision": "eligible", "reason": "x"})
    db.session.refresh(entry)
    assert entry.eligible is True and entry.ineligible_reason is None
    assert db.session.get(EntryRound, (entry.id, round1.id)) is not None


def test_drafts_and_withdrawn_cannot_be_screened(client, make, freeze, login):
    contest, organiser, _round = _setup(make, freeze)
    draft = make.entry(contest, status="draft", eligible=None)
    login(organiser)
    page = client.post(f"/manage/{contest.slug}/entries/{draft.id}", data={"decision": "eligible"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Only submitted applications are screened." in page
    db.session.refresh(draft)
    assert draft.eligible is None


def test_entry_detail_shows_answers_and_real_file_names(client, make, freeze, login):
    contest, organiser, _round = _setup(make, freeze)
    entrant = login(make.user(name="Анна Entrant"))
    body = h.answers(contest, action="submit")
    body["a_presentation"] = h.upload(h.pdf_bytes(), "Презентация.pdf")
    client.post(f"/apply/{contest.slug}/new", data=body, content_type="multipart/form-data")
    from app.models import Entry

    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    login(organiser)
    page = client.get(f"/manage/{contest.slug}/entries/{entry.id}").get_data(as_text=True)
    for text in ("Школа юного эколога", "Учим школьников", "Презентация.pdf", "Анна Entrant", "ANO"):
        assert text in page


def test_export_csv_has_a_row_per_entry_and_a_column_per_field(client, make, freeze, login):
    contest, organiser, _round = _setup(make, freeze)
    make.entry(contest, title="=HYPERLINK(\"http://evil\")", organisation="АНО «Сад»",
               answers={"summary": "Кратко", "legal_form": "fund", "consent": True, "budget": "-5"})
    make.entry(contest, title="Второй", eligible=False)
    login(organiser)
    response = client.get(f"/manage/{contest.slug}/entries/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{contest.slug}-entries.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = rows[0]
    assert header[:6] == ["No.", "Status", "Screening", "Reason", "Nomination", "Title"]
    # the form's organisation and INN fields fill the entry's own columns, not two more
    assert header[6:8] == ["Organisation", "INN"] and header.count("Organisation") == 1
    assert header[11:] == ["Summary", "Budget", "Start date", "Legal form",
                           "I agree to the rules", "Presentation", "Photos"]
    assert len(rows) == 3
    first = dict(zip(header, rows[1], strict=True))
    assert first["Title"] == "'=HYPERLINK(\"http://evil\")"  # never a formula
    assert first["Summary"] == "Кратко" and first["Legal form"] == "Foundation"
    assert first["I agree to the rules"] == "yes" and first["Budget"] == "-5"
    assert dict(zip(header, rows[2], strict=True))["Screening"] == "ineligible"


def test_export_xlsx_respects_filters(client, make, freeze, login):
    from openpyxl import load_workbook

    contest, organiser, _round = _setup(make, freeze)
    nom1, nom2 = contest.nominations
    make.entry(contest, title="Первый", nomination=nom1)
    make.entry(contest, title="Второй", nomination=nom2)
    login(organiser)
    response = client.get(f"/manage/{contest.slug}/entries/export.xlsx", query_string={"nomination": nom2.id})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Status", "Screening")
    assert [row[5] for row in rows[1:]] == ["Второй"]


def test_entries_pages_refuse_non_organisers(client, make, freeze, login):
    contest, _organiser, _round = _setup(make, freeze)
    entry = make.entry(contest)
    urls = [f"/manage/{contest.slug}/entries", f"/manage/{contest.slug}/entries/{entry.id}",
            f"/manage/{contest.slug}/entries/export.csv", f"/manage/{contest.slug}/entries/export.xlsx"]
    for url in urls:
        assert client.get(url).status_code == 302, url
    login(entry.entrant)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(urls[1], data={"decision": "eligible"}).status_code == 403
    db.session.refresh(entry)
    assert entry.eligible is True  # unchanged from the factory's value


def test_entry_of_another_contest_is_404_for_an_organiser(client, make, freeze, login):
    contest, organiser, _round = _setup(make, freeze)
    other = make.contest()
    foreign = make.entry(other, eligible=None)
    login(organiser)
    assert client.get(f"/manage/{contest.slug}/entries/{foreign.id}").status_code == 404
    assert client.post(f"/manage/{contest.slug}/entries/{foreign.id}",
                       data={"decision": "eligible"}).status_code == 404
    db.session.refresh(foreign)
    assert foreign.eligible is None
