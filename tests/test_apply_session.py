"""Nothing typed is lost when the login expires: the values wait on the server for the same account
to log in again. A browser that was never signed in keeps nothing (services/intake/stash.py)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa

from app.extensions import db
from app.models import Entry, User
from app.services.platform import accounts
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


def _end_sessions_elsewhere(user) -> None:
    """The login expires while the form is open: the entrant logged out everywhere on another device."""
    accounts.end_sessions(db.session.get(User, user.id))
    db.session.commit()


def test_post_after_login_expired_keeps_values_through_login(app, client, make, freeze, login, tmp_path):
    contest = _setup(app, make, freeze, tmp_path)
    entrant = login(make.user())
    client.post(f"/apply/{contest.slug}/new", data={"title": "Saved title", "action": "save"},
                content_type="multipart/form-data")
    entry = _entry(entrant)
    _end_sessions_elsewhere(entrant)

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


def test_new_application_kept_through_login(app, client, make, freeze, tmp_path, login):
    contest = _setup(app, make, freeze, tmp_path)
    entrant = login(make.user())
    _end_sessions_elsewhere(entrant)
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, title="Before logging in", action="save"))
    location = unquote(response.headers["Location"])
    assert location.startswith(f"/auth/login?next=/apply/{contest.slug}/new?restore=")
    target = client.post(location, data={"email": entrant.email, "password": PASSWORD}).headers["Location"]
    page = client.get(target).get_data(as_text=True)
    assert 'value="Before logging in"' in page
    assert _entry(entrant) is None


def test_never_signed_in_browser_stashes_nothing(app, client, make, freeze, tmp_path):
    contest = _setup(app, make, freeze, tmp_path)
    for _attempt in range(5):
        response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                               data=h.answers(contest, title="x" * 100_000, action="save"))
        assert unquote(response.headers["Location"]) == f"/auth/login?next=/apply/{contest.slug}/new"
    response = client.post("/apply/entries/999999/edit", data={"title": "planted"})
    assert "restore=" not in response.headers["Location"]
    assert list((tmp_path / "stash").glob("*.json")) == []


def test_stash_only_for_the_account_that_made_it(app, client, make, freeze, tmp_path, login):
    contest = _setup(app, make, freeze, tmp_path)
    entrant = login(make.user())
    _end_sessions_elsewhere(entrant)
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, title="Private draft", action="save"))
    target = unquote(response.headers["Location"]).split("next=", 1)[1]
    stranger = make.user()
    # Another account logging in in the same browser does not get it.
    page = client.get(client.post("/auth/login?next=" + target, data={
        "email": stranger.email, "password": PASSWORD}).headers["Location"]).get_data(as_text=True)
    assert "Private draft" not in page
    # Nor another browser.
    other = app.test_client()
    other.post("/auth/login", data={"email": entrant.email, "password": PASSWORD})
    assert "Private draft" not in other.get(target).get_data(as_text=True)


def test_stashes_per_account_are_capped(app, client, make, freeze, tmp_path, login):
    from app.services.intake import stash

    contest = _setup(app, make, freeze, tmp_path)
    entrant = login(make.user())
    _end_sessions_elsewhere(entrant)
    for index in range(stash.MAX_PER_ACCOUNT + 4):
        client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                    data=h.answers(contest, title=f"Attempt {index}", action="save"))
    files = list((tmp_path / "stash").glob("*.json"))
    assert len(files) == stash.MAX_PER_ACCOUNT
    assert all(path.name.startswith(f"{entrant.id}-") for path in files)


def test_expired_csrf_token_keeps_values(app, client, make, freeze, tmp_path):
    contest = _setup(app, make, freeze, tmp_path)
    app.config["WTF_CSRF_ENABLED"] = True
    entrant = make.user()
    token = _csrf(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"email": entrant.email, "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/apply/{contest.slug}/new").get_data(as_text=True)
    old_token = _csrf(page)

    _end_sessions_elsewhere(entrant)  # the login expired (logged out everywhere on another device)
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


def test_old_stashes_are_swept(app, client, make, freeze, tmp_path, login):
    import os
    import time

    contest = _setup(app, make, freeze, tmp_path)
    _end_sessions_elsewhere(login(make.user()))
    folder = tmp_path / "stash"
    folder.mkdir()
    old = folder / "oldoldoldoldoldoldoldold.json"
    old.write_text("{}")
    os.utime(old, (time.time() - 3 * 24 * 3600,) * 2)
    client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                data=h.answers(contest, action="save"))
    assert not old.exists()
    assert len(list(Path(folder).glob("*.json"))) == 1
