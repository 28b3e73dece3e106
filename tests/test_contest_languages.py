"""A contest held in one language (issue 21): its public pages and forms speak only it, the
language switch offers only it, and set-up asks for no texts in the other language."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Nomination


@pytest.fixture
def organiser(make):
    return make.user(name="Olga Organiser", locale="en")


@pytest.fixture
def contest(make, organiser):
    return make.contest(organiser=organiser, slug="spring")


def test_settings_choose_one_language_and_titles_follow(client, login, contest, organiser):
    login(organiser)
    page = client.post("/manage/spring/settings", data={
        "languages": "ru,en", "title_ru": "Весна", "title_en": "", "timezone": "Europe/Moscow"}).get_data(as_text=True)
    assert "Give a title in this language: the contest is held in it." in page
    response = client.post("/manage/spring/settings", data={
        "languages": "ru", "title_ru": "Весна", "title_en": "", "timezone": "Europe/Moscow"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (contest.languages, contest.language_list, contest.offers("en")) == ("ru", ["ru"], False)
    page = client.get("/manage/spring/settings").get_data(as_text=True)
    assert "Russian only" in page and "Languages of the contest" in page


def test_one_language_contest_public_page_speaks_it_and_offers_no_switch(client, login, make, contest):
    contest.languages = "ru"
    db.session.commit()
    page = client.get("/c/spring/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in page and 'data-testid="lang-switch"' not in page
    login(make.user(locale="en"))
    page = client.get("/c/spring/").get_data(as_text=True)
    assert '<html lang="ru">' in page
    contest.languages = "ru,en"
    db.session.commit()
    page = client.get("/c/spring/").get_data(as_text=True)
    assert '<html lang="en">' in page and 'data-testid="lang-switch"' in page


def test_english_only_contest_application_form_speaks_english(client, login, make, freeze, contest):
    from tests import entries_helpers as h
    from tests.factories import NOW

    freeze(NOW)
    make.round_(contest)
    h.add_form(contest)
    contest.languages = "en"
    db.session.commit()
    login(make.user(locale="ru"))
    page = client.get("/apply/spring/new").get_data(as_text=True)
    assert '<html lang="en">' in page and "Application" in page
    assert 'data-testid="lang-switch"' not in page


def test_one_language_set_up_asks_for_no_texts_in_the_other(client, login, contest, organiser):
    contest.languages = "ru"
    db.session.commit()
    login(organiser)
    page = client.get("/manage/spring/nominations/new").get_data(as_text=True)
    assert 'name="title_ru"' in page and 'name="title_en"' not in page
    response = client.post("/manage/spring/nominations/new", data={"key": "", "title_ru": "Экология"})
    assert response.status_code == 302
    nomination = db.session.scalar(sa.select(Nomination).where(Nomination.title_ru == "Экология"))
    assert nomination.title_en == "" and nomination.key  # the key derived from the Russian title
    nomination.title_en = "Ecology (kept)"
    db.session.commit()
    response = client.post(f"/manage/spring/nominations/{nomination.id}/edit",
                           data={"key": nomination.key, "title_ru": "Экология и город"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (nomination.title_ru, nomination.title_en) == ("Экология и город", "Ecology (kept)")
    page = client.get("/manage/spring/form/new").get_data(as_text=True)
    assert 'name="label_ru"' in page and 'name="label_en"' not in page


def test_admin_creates_a_russian_only_contest_without_an_english_title(client, make, login):
    from app.models import Contest

    login(make.user(is_admin=True, locale="en"))
    page = client.post("/admin/contests/new", data={
        "slug": "vesna-2027", "languages": "ru,en", "title_ru": "Весна", "title_en": "",
        "timezone": "Europe/Moscow"}).get_data(as_text=True)
    assert "Give a title in this language: the contest is held in it." in page
    response = client.post("/admin/contests/new", data={
        "slug": "vesna-2027", "languages": "ru", "title_ru": "Весна", "title_en": "", "timezone": "Europe/Moscow"})
    assert response.status_code == 302
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == "vesna-2027"))
    assert (contest.languages, contest.title_en) == ("ru", "")
    assert "Choose the languages of the contest." in client.post("/admin/contests/new", data={
        "slug": "other-2027", "languages": "de", "title_ru": "Х", "timezone": "Europe/Moscow"}).get_data(as_text=True)


def test_a_one_language_contest_keeps_its_languages_through_the_exchange(app, contest):
    """Export → import → export: `contest.languages` travels; absent means both (older documents)."""
    import copy

    from app.models import Contest
    from app.services import exchange

    contest.languages = "ru"
    db.session.commit()
    document = exchange.export_contest(contest)
    assert document["contest"]["languages"] == ["ru"]
    moved = copy.deepcopy(document)
    moved["contest"]["slug"] = "moved"
    imported = exchange.import_contest(moved)
    db.session.commit()
    assert imported.languages == "ru"
    again = exchange.export_contest(db.session.get(Contest, imported.id))
    assert again["contest"] == moved["contest"]
    both = copy.deepcopy(document)
    both["contest"].update(slug="both")
    del both["contest"]["languages"]
    assert exchange.import_contest(both).languages == "ru,en"
    for bad in (["de"], [], ["ru", "ru"], "ru"):
        wrong = copy.deepcopy(document)
        wrong["contest"].update(slug="wrong", languages=bad)
        with pytest.raises(exchange.ExchangeError) as error:
            exchange.import_contest(wrong)
        db.session.rollback()
        assert str(error.value).startswith("contest.languages")


def test_settings_and_awards_of_a_one_language_contest_ask_only_its_language(client, login, make, contest,
                                                                             organiser):
    contest.languages = "ru"
    contest.description_en = "Kept as it was"
    db.session.commit()
    login(organiser)
    page = client.get("/manage/spring/settings").get_data(as_text=True)
    assert 'name="description_ru"' in page and 'name="description_en"' not in page
    assert 'name="declaration_en"' not in page
    # Both titles stay: choosing both languages here asks for the English title at once.
    assert 'name="title_en"' in page
    awards = client.get("/manage/spring/awards").get_data(as_text=True)
    assert 'name="title_ru"' in awards and 'name="title_en"' not in awards
    response = client.post("/manage/spring/settings", data={
        "languages": "ru", "title_ru": "Весна", "title_en": "", "description_ru": "Описание",
        "timezone": contest.timezone, "declaration_ru": "Заявляю."})
    assert response.status_code == 302
    db.session.expire_all()
    assert (contest.description_ru, contest.description_en) == ("Описание", "Kept as it was")
