"""Numbers, money, sizes, dates and exports in the reader's language (issue 21): one set of
helpers in app.i18n, used by every page, e-mail and export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from app import i18n
from app.extensions import db
from app.services.platform import spreadsheet
from app.services.platform.money import format_amount
from app.services.setup.rules import key_from_title
from tests import entries_helpers as h
from tests.factories import NOW

NNBSP = "\u202f"


def _in(app, language):
    return app.test_request_context(), force_locale(language)


@pytest.mark.parametrize(("language", "expected"), [
    ("ru", ["60,00", "0,7", f"1{NNBSP}292{NNBSP}000", f"1{NNBSP}292{NNBSP}000\xa0₽", "512 байт", "1,5 КБ",
            "3,2 МБ", "10 МБ"]),
    ("en", ["60.00", "0.7", "1,292,000", "1,292,000\xa0₽", "512 bytes", "1.5 KB", "3.2 MB", "10 MB"]),
])
def test_numbers_money_and_sizes(app, language, expected):
    request, locale = _in(app, language)
    with request, locale:
        shown = [i18n.format_decimal_half_up(Decimal("60")), i18n.format_number(Decimal("0.70")),
                 i18n.format_number(1292000), format_amount("1292000"), i18n.format_size(512),
                 i18n.format_size(1536), i18n.format_size(int(3.2 * 1024 * 1024)), i18n.format_size(10 * 1024 * 1024)]
    assert shown == expected


def test_dates_to_the_minute_with_zones_as_people_say_them(app):
    moment = datetime(2026, 11, 11, 23, 0, tzinfo=UTC)
    request, locale = _in(app, "ru")
    with request, locale:
        assert i18n.format_local_datetime(moment, "Europe/Moscow") == "12 ноября 2026 г., 02:00 (МСК)"
        assert i18n.format_local_datetime(moment, "Asia/Krasnoyarsk") == "12 ноября 2026 г., 06:00 (МСК+4)"
        assert i18n.format_local_datetime(datetime(2026, 12, 1, 23, 44, tzinfo=UTC), "Europe/Moscow",
                                          "moment") == "2 декабря в 02:44"
        assert i18n.zone_name("Asia/Krasnoyarsk") == "Красноярск (МСК+4)"
        assert i18n.zone_name("Europe/Moscow") == "Москва (МСК)"
    request, locale = _in(app, "en")
    with request, locale:
        assert i18n.zone_name("Asia/Krasnoyarsk") == "Krasnoyarsk (MSK+4)"


@pytest.mark.parametrize("text", ["0,7", "0.7", " 0,70 ", "0,7\u202f"])
def test_typed_numbers_accept_comma_and_point(text):
    assert i18n.parse_decimal(text) == Decimal("0.7")


def test_typed_numbers_with_thousands():
    assert i18n.parse_decimal("1 292 000,50") == Decimal("1292000.50")
    assert i18n.parse_decimal("1,292,000.50") == Decimal("1292000.50")
    with pytest.raises(ValueError):
        i18n.parse_decimal("сто тысяч")


def test_keys_derived_from_titles():
    assert key_from_title("", "Экология города") == "ekologiya-goroda"
    assert key_from_title("Relevance", "Актуальность") == "relevance"
    assert key_from_title("Relevance", "", taken={"relevance"}) == "relevance-2"


def test_sheet_titles_from_titles():
    assert spreadsheet.sheet_title("Тур 1: очный [финал]") == "Тур 1  очный  финал"
    assert len(spreadsheet.sheet_title("Очень длинное название конкурса на три строки")) == 31


def _export(client, contest, language):
    response = client.get(f"/manage/{contest.slug}/entries/export.csv", headers={"Accept-Language": language})
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with a byte-order mark
    return raw.decode("utf-8").lstrip("\ufeff")


def test_entries_csv_for_russian_excel(client, make, freeze, login):
    freeze(NOW)
    organiser = make.user(name="Olga", locale="ru")
    contest = make.contest(organiser=organiser)
    make.round_(contest)
    h.add_form(contest)
    make.entry(contest, title="Сад", organisation="АНО «Сад»",
               answers={"summary": "Кратко", "legal_form": "ano", "consent": True, "budget": "1500000.5"})
    login(organiser)
    text = _export(client, contest, "ru")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    assert header.count("Организация") == 1 and header.count("ИНН") == 1  # no duplicated columns
    row = dict(zip(header, rows[1], strict=True))
    assert row["Бюджет"] == "1500000,5"  # a number Russian Excel reads as a number
    assert row["Форма"] == "АНО"  # the option's label, not its key
    assert "ano" not in rows[1]


def test_results_xlsx_sheet_named_by_round_title(app, make, freeze):
    from openpyxl import load_workbook

    from app.services.results.export import results_xlsx

    freeze(NOW)
    contest = make.contest()
    round_ = make.round_(contest)
    round_.title_ru = "Заочный тур"
    with app.test_request_context(), force_locale("ru"):
        workbook = load_workbook(io.BytesIO(results_xlsx(round_)))
    assert workbook.sheetnames == ["Заочный тур"]


def test_screening_decision_is_emailed_in_the_entrants_language(client, make, freeze, login, outbox):
    freeze(NOW)
    organiser = make.user(name="Olga")
    contest = make.contest(organiser=organiser)
    round1 = make.round_(contest)
    entrant = make.user(name="Пётр", locale="ru")
    entry = make.entry(contest, entrant=entrant, eligible=None)
    login(organiser)
    outbox.clear()
    client.post(f"/manage/{contest.slug}/entries/{entry.id}",
                data={"decision": "ineligible", "reason": "Проект вне географии конкурса."})
    assert len(outbox) == 1 and outbox[0]["to"] == entrant.email
    assert "не допущена" in outbox[0]["subject"]
    assert "Проект вне географии конкурса." in outbox[0]["body"]
    # the same decision saved again sends nothing; a changed one is told
    client.post(f"/manage/{contest.slug}/entries/{entry.id}",
                data={"decision": "ineligible", "reason": "Проект вне географии конкурса."})
    assert len(outbox) == 1
    client.post(f"/manage/{contest.slug}/entries/{entry.id}", data={"decision": "eligible", "reason": ""})
    assert len(outbox) == 2 and "допущена" in outbox[1]["subject"] and round1.id


def test_no_withdrawal_once_the_contest_moved_on_and_the_result_is_found(client, make, freeze, login):
    from datetime import timedelta

    freeze(NOW)
    contest = make.contest()
    round1 = make.round_(contest, intake=(NOW - timedelta(days=30), NOW - timedelta(days=20)),
                         judging=(NOW - timedelta(days=19), NOW - timedelta(days=5)))
    round2 = make.round_(contest, intake=(NOW - timedelta(days=2), NOW + timedelta(days=5)),
                         judging=(NOW + timedelta(days=6), NOW + timedelta(days=10)))
    entrant = make.user(name="Пётр")
    entry = make.entry(contest, entrant=entrant, rounds=[round1, round2])
    login(entrant)
    page = client.get(f"/apply/entries/{entry.id}/").get_data(as_text=True)
    assert 'data-testid="edit"' in page  # a later round's intake: material may be added
    assert 'data-testid="withdraw"' not in page
    client.post(f"/apply/entries/{entry.id}/withdraw")
    db.session.refresh(entry)
    assert entry.status == "submitted"  # refused on the server too
    assert "my-result" not in client.get("/apply/").get_data(as_text=True)
    contest.results_published_at = NOW
    db.session.commit()
    assert f'data-testid="my-result-{entry.id}"' in client.get("/apply/").get_data(as_text=True)


def test_text_in_a_number_field_of_a_draft_is_kept_and_flagged(client, make, freeze, login):
    import sqlalchemy as sa

    from app.models import Entry

    freeze(NOW)
    contest = make.contest()
    make.round_(contest)
    h.add_form(contest)
    entrant = login(make.user(locale="ru"))
    page = client.post(f"/apply/{contest.slug}/new", data={"title": "Черновик", "a_budget": "сто тысяч",
                                                          "action": "save"},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    assert entry.answers["budget"] == "сто тысяч"  # the draft keeps what was typed
    assert "«сто тысяч» — не число" in page


def test_csv_separator_can_be_chosen(client, make, freeze, login):
    freeze(NOW)
    organiser = make.user(name="Olga", locale="ru")
    contest = make.contest(organiser=organiser)
    make.round_(contest)
    make.entry(contest, title="Сад")
    login(organiser)
    response = client.get(f"/manage/{contest.slug}/entries/export.csv?sep=comma")
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("№,") or header.count(",") >= 5
