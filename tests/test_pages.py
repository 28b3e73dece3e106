"""Layout, error pages, time zones and language selection."""

from datetime import UTC, datetime

from app.i18n import format_decimal_half_up, format_local_datetime, round_half_up
from tests import factories


def test_home_lists_contests(client, make):
    make.contest(slug="visible")
    page = client.get("/").get_data(as_text=True)
    assert "/c/visible/" in page
    assert "vendor/bootstrap/bootstrap.min.css" in page  # served from static/, no CDN
    assert "cdn" not in page.lower()


def test_contest_page_shows_times_in_contest_zone(client, make):
    contest = make.contest(slug="kras", timezone="Asia/Krasnoyarsk")
    make.round_(contest, intake=(datetime(2026, 3, 1, 0, 0, tzinfo=UTC),
                                 datetime(2026, 3, 31, 16, 59, tzinfo=UTC)))
    page = client.get("/c/kras/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "March 31, 2026, 11:59\u202fPM (MSK+4)" in page and "Asia/Krasnoyarsk" not in page
    page = client.get("/c/kras/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "31 марта 2026 г., 23:59 (МСК+4)" in page


def test_error_pages(client, make, login):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "This page does not exist." in response.get_data(as_text=True)
    make.contest(slug="locked")
    login(make.user())
    response = client.get("/manage/locked/")
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_unknown_contest_404(client):
    assert client.get("/c/nothing-here/").status_code == 404


def test_accept_language_picks_language(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    assert '<html lang="ru">' in client.get("/", headers={"Accept-Language": "ru-RU,ru"}).get_data(as_text=True)
    assert '<html lang="ru">' in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_language_switch_remembered_for_account(client, make, login):
    user = login(make.user(locale="ru"))
    client.post("/auth/language/en", data={"next": "/"})
    assert user.locale == "en"
    client.post("/auth/logout")
    login(user)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_login_message_in_the_accounts_language(client, make):
    user = make.user(locale="ru")
    client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD},
                headers={"Accept-Language": "en"})
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in page and "Вы вошли в систему." in page


def test_language_picked_before_login_goes_to_the_account(client, make):
    user = make.user(locale="ru")
    client.post("/auth/language/en", data={"next": "/"})
    client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD})
    page = client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "You are logged in." in page
    assert user.locale == "en"
    client.post("/auth/logout")
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_language_switch_for_visitor_kept_in_session(client):
    client.post("/auth/language/en", data={"next": "https://evil.example/"})
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)


def test_language_switch_next_stays_on_site(client):
    response = client.post("/auth/language/ru", data={"next": "//evil.example"})
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_round_half_up_is_exact():
    assert str(round_half_up("2.675")) == "2.68"  # a binary float would give 2.67
    assert str(round_half_up("2.665")) == "2.67"
    assert format_decimal_half_up(None) == "—"


def test_local_datetime_format(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = format_local_datetime(datetime(2026, 4, 30, 20, 59, tzinfo=UTC), "Europe/Moscow")
    assert text == "April 30, 2026, 11:59\u202fPM (MSK)"
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("ru"):
        text = format_local_datetime(datetime(2026, 11, 11, 23, 0, tzinfo=UTC), "Europe/Moscow")
    assert text == "12 ноября 2026 г., 02:00 (МСК)"
