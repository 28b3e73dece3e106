"""Nothing typed is lost when the session expires: the values wait on the server for the login."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa

from app.extensions import db
from app.models import Entry
from tests import entries_helpers as h
from tests.factories import NOW, PASSWORD


def _setup(app, make, freeze, tmp_path):
    app.config["STASH_DIR"] = str(tmp_path / "stash")
    freeze(NOW)
    contest = make.contest(organiser=make.user())
    make.round_(contest)
    h.add_form(contest)
    return contest


def _entry(user) -> Entry:
    return db.session.scalar(sa.select(Entry).where(Entry.entrant_id == user.id))


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_post_after_logout_keeps_values_through_login(app, client, make, freeze, login, tmp_path):
    contest = _setup(app, make, freeze, tmp_path)
    entrant = login(make.user())
    client.post(f"/apply/{contest.slug}/new", data={"title": "Saved title", "action": "save"},
                content_type="multipart/form-data")
    entry = _entry(entrant)
    client.post("/auth/logout")  # the session ends while the form is open

    typed = h.answers(contest, title="Typed after expiry", a_summary="Long text\nthat must survive",
                      action="submit")
    response = client.post(f"/apply/entries/{entry.id}/edit", data=typed, content_type="multipart/form-data")
    assert response.status_code == 302
    location = unquote(response.headers["Location"])
    assert location.startswith("/auth/login?next=/apply/entries/")
    assert "restore=" in location
    assert len(list((tmp_path / "stash").glob("*.json"))) == 1
    assert _entry(entrant).title == "Saved title"  # nothing was saved without a session

    response = client.post(location, data={"email": entrant.email, "password": PASSWORD})
    target = response.headers["Location"]
    assert target.startswith(f"/apply/entries/{entry.id}/edit?restore=")
    page = client.get(target).get_data(as_text=True)
    assert 'value="Typed after expiry"' in page
    assert "Long text\nthat must survive" in page
    assert "We restored what you typed" in page
    assert list((tmp_path / "stash").glob("*.json")) == []


def test_new_application_kept_through_login(app, client, make, freeze, tmp_path):
    contest = _setup(app, make, freeze, tmp_path)
    entrant = make.user()
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, title="Before logging in", action="save"))
    location = unquote(response.headers["Location"])
    assert location.startswith(f"/auth/login?next=/apply/{contest.slug}/new?restore=")
    target = client.post(location, data={"email": entrant.email, "password": PASSWORD}).headers["Location"]
    page = client.get(target).get_data(as_text=True)
    assert 'value="Before logging in"' in page
    assert _entry(entrant) is None


def test_stash_only_for_the_browser_that_made_it(app, client, make, freeze, tmp_path, login):
    contest = _setup(app, make, freeze, tmp_path)
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, title="Private draft", action="save"))
    target = unquote(response.headers["Location"]).split("next=", 1)[1]
    other = app.test_client()
    stranger = make.user()
    other.post("/auth/login", data={"email": stranger.email, "password": PASSWORD})
    page = other.get(target).get_data(as_text=True)
    assert "Private draft" not in page


def test_expired_csrf_token_keeps_values(app, client, make, freeze, tmp_path):
    contest = _setup(app, make, freeze, tmp_path)
    app.config["WTF_CSRF_ENABLED"] = True
    entrant = make.user()
    token = _csrf(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"email": entrant.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/apply/{contest.slug}/new").get_data(as_text=True)
    old_token = _csrf(page)

    client.delete_cookie("session")  # the browser lost the session (expired, or the server restarted)
    typed = h.answers(contest, title="Typed with a stale token", action="save", csrf_token=old_token)
    response = client.post(f"/apply/{contest.slug}/new", data=typed, content_type="multipart/form-data")
    location = unquote(response.headers["Location"])
    assert location.startswith(f"/auth/login?next=/apply/{contest.slug}/new?restore=")

    token = _csrf(client.get(location).get_data(as_text=True))
    response = client.post(location, data={"email": entrant.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Typed with a stale token"' in page


def test_bad_csrf_token_while_logged_in_returns_to_the_form(app, client, make, freeze, tmp_path, login):
    contest = _setup(app, make, freeze, tmp_path)
    login(make.user())
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, title="Kept", action="save", csrf_token="stale"))
    location = response.headers["Location"]
    assert location.startswith(f"/apply/{contest.slug}/new?restore=")
    page = client.get(location).get_data(as_text=True)
    assert 'value="Kept"' in page
    assert "Your session had expired" in page


def test_old_stashes_are_swept(app, client, make, freeze, tmp_path):
    import os
    import time

    contest = _setup(app, make, freeze, tmp_path)
    folder = tmp_path / "stash"
    folder.mkdir()
    old = folder / "oldoldoldoldoldoldoldold.json"
    old.write_text("{}")
    os.utime(old, (time.time() - 3 * 24 * 3600,) * 2)
    client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                data=h.answers(contest, action="save"))
    assert not old.exists()
    assert len(list(Path(folder).glob("*.json"))) == 1
