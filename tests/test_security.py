"""Issue #16: each finding of the attack on the production set-up, reproduced, then refused."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import Attachment, Contest, Entry, User
from app.services import exchange
from app.services.platform import accounts, mail
from tests import entries_helpers as h
from tests import scoring_helpers as sh
from tests.factories import NOW, PASSWORD

PUBLIC = "https://jury.example.org"


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


# --- 1. links come from PUBLIC_URL, never from the request ---------------------------------------


def test_reset_link_ignores_the_request_host(app, client, make, outbox):
    app.config["PUBLIC_URL"] = PUBLIC
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email}, headers={"Host": "evil.example"})
    [link] = _links(outbox[-1]["body"])
    assert link.startswith(f"{PUBLIC}/auth/reset/")


class ProxiedConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    TRUSTED_PROXIES = 1
    PUBLIC_URL = PUBLIC


def test_forwarded_host_never_chooses_a_link():
    proxied = create_app(ProxiedConfig)
    with proxied.app_context():
        db.create_all()
        mail.outbox.clear()
        accounts.create_user(email="admin@example.org", name="A", password=PASSWORD, is_admin=True)
        db.session.commit()
        response = proxied.test_client().post(
            "/auth/forgot", data={"email": "admin@example.org"},
            headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9"})
        body = mail.outbox[-1]["body"]
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    assert response.status_code == 302
    assert "evil.example" not in body
    assert _links(body)[0].startswith(f"{PUBLIC}/auth/reset/")


def test_production_refuses_to_start_without_public_url():
    class Production(TestConfig):
        ENV_NAME = "production"
        SECRET_KEY = "s" * 32
        PUBLIC_URL = None

    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app(Production)


def test_cli_assign_notifies_judges_outside_a_request(app, make, runner, outbox):
    app.config.update(SERVER_NAME=None, PUBLIC_URL=PUBLIC)  # as in production: no SERVER_NAME
    organiser = make.user()
    contest = make.contest(organiser=organiser)
    round_obj = make.round_(contest, reviews_per_entry=1)
    judge = make.jury_member(round_obj).user
    make.entry(contest, rounds=[round_obj])
    result = runner.invoke(args=["assign", contest.slug, round_obj.key])
    assert result.exit_code == 0, result.output
    [message] = [m for m in outbox if m["to"] == judge.email]
    assert _links(message["body"])[0] == f"{PUBLIC}/jury/"


# --- 2. sessions end: log out everywhere, password change and reset --------------------------------


def _copy_cookies(source, target, names=("session", "remember_token")) -> None:
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    return client.get("/auth/password").status_code == 200


def test_logout_everywhere_ends_copied_sessions_and_remember_cookies(app, client, make):
    user = make.user()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    thief, remembered = app.test_client(), app.test_client()
    _copy_cookies(client, thief)
    _copy_cookies(client, remembered, names=("remember_token",))
    assert _signed_in(thief) and _signed_in(remembered)

    page = client.get("/auth/password").get_data(as_text=True)
    assert 'data-testid="logout-everywhere"' in page
    client.post("/auth/logout-everywhere")
    assert not _signed_in(client)
    assert not _signed_in(thief)
    fresh = app.test_client()
    _copy_cookies(client, fresh, names=())
    _copy_cookies(thief, fresh, names=("remember_token",))
    assert not _signed_in(fresh)
    assert not _signed_in(remembered)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, make, login):
    user = login(make.user())
    other = app.test_client()
    _copy_cookies(client, other)
    response = client.post("/auth/password", data={
        "current": PASSWORD, "password": "a-new-long-phrase", "password2": "a-new-long-phrase"})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other)
    assert db.session.get(User, user.id).session_version == 2


def test_password_reset_ends_sessions(app, client, make, login):
    user = login(make.user())
    token = accounts.make_reset_token(user)
    app.test_client().post(f"/auth/reset/{token}", data={
        "password": "a-new-long-phrase", "password2": "a-new-long-phrase"})
    assert not _signed_in(client)


def test_plain_logout_keeps_other_devices(app, client, make, login):
    login(make.user())
    other = app.test_client()
    _copy_cookies(client, other)
    client.post("/auth/logout")
    assert _signed_in(other)  # "log out everywhere" is the button that ends them


# --- 3. attachments ask the score page's rule ---------------------------------------------------------


@pytest.fixture
def judged_file(app, make, freeze):
    freeze(sh.JUDGING)
    scene = sh.scene()
    item = Attachment(entry_id=scene.entry.id, field_key="budget", storage_key="k/budget.pdf",
                      filename="budget.pdf", size=4, sha256="0" * 64, content_type="application/pdf",
                      uploaded_at=NOW)
    db.session.add(item)
    db.session.commit()
    from app.services.platform import storage

    storage.store("k/budget.pdf", io.BytesIO(b"%PDF"), content_type="application/pdf")
    return scene, item


@pytest.mark.parametrize("case, expected", [
    ("assigned", 200), ("unsigned", 404), ("conflicted", 404), ("unassigned", 404),
])
def test_attachment_follows_the_score_page_rule(client, login, make, judged_file, case, expected):
    scene, item = judged_file
    judge = scene.judge
    if case == "unsigned":
        judge = sh.judge(scene.round, signed=False, name="Unsigned")
        sh.assign(scene.round, scene.entry, judge)
    elif case == "conflicted":
        sh.conflict(scene.entry, judge)
    elif case == "unassigned":
        judge = sh.judge(scene.round, name="Other judge")
    login(judge)
    response = client.get(f"/apply/files/{item.id}")
    response.close()
    assert response.status_code == expected
    score_page = client.get(scene.url()).status_code
    assert (score_page == 200) == (expected == 200)


# --- 5. no account enumeration --------------------------------------------------------------------


def test_login_of_an_unknown_address_costs_a_password_check(app, make):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:300000"
    user = make.user(email="known@example.org")
    accounts.authenticate("warm@example.org", "x")  # the dummy hash is built once

    user.password_hash = accounts.hash_password(PASSWORD)
    db.session.commit()
    timings: dict[str, list[float]] = {"known@example.org": [], "nobody@example.org": []}
    for _ in range(4):  # interleaved, the fastest of each: the machine's load moves both alike
        for email, seen in timings.items():
            started = time.perf_counter()
            assert accounts.authenticate(email, "wrong-password") is None
            seen.append(time.perf_counter() - started)
    known, unknown = min(timings["known@example.org"]), min(timings["nobody@example.org"])
    # Without the dummy check an unknown address answered in about 1 % of the time.
    assert unknown > known * 0.3, (known, unknown)


# --- 6. brute force ------------------------------------------------------------------------------------


class LimitedConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "3 per minute"


@pytest.fixture
def limited():
    """An app whose rate limits are on (the limiter is set up when the app is made)."""
    from app.extensions import limiter
    from tests.conftest import IsolatedClient

    limited_app = create_app(LimitedConfig)
    limited_app.test_client_class = IsolatedClient
    with limited_app.app_context():
        db.create_all()
        limiter.reset()
        yield limited_app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _account() -> User:
    # Not the `make` fixture: it builds the usual test app, which would set the limiter up again (off).
    user = accounts.create_user(email="limited@example.org", name="L", password=PASSWORD, confirmed=True)
    db.session.commit()
    return user


def test_login_limit_counts_per_account_across_addresses(limited):
    client = limited.test_client()
    user = _account()
    codes = [client.post("/auth/login", data={"email": user.email, "password": "wrong-password"},
                         environ_base={"REMOTE_ADDR": f"198.51.100.{n}"}).status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    # The right password from a fresh address is refused too while the account is locked.
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_current_password_check_is_limited(limited):
    client = limited.test_client()
    user = _account()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                environ_base={"REMOTE_ADDR": "198.51.100.1"})
    codes = [client.post("/auth/password", environ_base={"REMOTE_ADDR": f"198.51.100.{n + 2}"}, data={
        "current": f"guess-{n}", "password": "a-new-long-phrase", "password2": "a-new-long-phrase"}).status_code
        for n in range(4)]
    assert codes == [200, 200, 429, 429]  # the login was the account's first password check of three


@pytest.mark.parametrize("password, message", [
    ("12345678", "10 to 128 characters"),
    ("password", "10 to 128 characters"),
    ("1234567890", "most common"),
    ("qwertyuiop", "most common"),
    ("password12345", None),  # long and not on the list: accepted
    ("mary.smith@example.org", "not be your e-mail"),
    ("mary.smith", "not be your e-mail"),
])
def test_password_rules_at_registration(client, password, message):
    response = client.post("/auth/register", data={
        "email": "mary.smith@example.org", "name": "Mary", "password": password, "password2": password})
    if message is None:
        assert response.status_code == 302
    else:
        assert message in response.get_data(as_text=True)


# --- 7. odd input ------------------------------------------------------------------------------------


def test_nul_in_a_name_is_a_message_at_the_field(client):
    response = client.post("/auth/register", data={
        "email": "nul@example.org", "name": "Ann\x00a", "password": "longenough", "password2": "longenough"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "control character" in page
    assert 'value="nul@example.org"' in page


def test_nul_in_an_application_is_a_message_and_the_rest_is_kept(app, client, make, freeze, login):
    freeze(NOW)
    contest = make.contest(organiser=make.user())
    make.round_(contest)
    h.add_form(contest)
    entrant = login(make.user())
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, title="Bad\x00title", a_organisation="Kept org",
                                          action="save"))
    assert response.status_code == 200
    assert "control character" in response.get_data(as_text=True)
    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    assert entry.answers["organisation"] == "Kept org" and "\x00" not in entry.title


def test_nul_in_a_review_comment_is_a_message(client, login, freeze):
    scene = sh.scene()
    freeze(sh.JUDGING)
    login(scene.judge)
    response = client.post(scene.url(), data=sh.form(scene.round, [5, 5], ["fine", "a\x00b"], action="submit"))
    assert response.status_code < 500
    assert "control character" in response.get_data(as_text=True)


def test_huge_query_numbers_fall_back_to_the_default(client, make, login):
    organiser = make.user()
    contest = make.contest(organiser=organiser)
    make.round_(contest)
    login(organiser)
    for path in ("results", "progress", "entries", "jury", "audit"):
        for query in ("?round=99999999999", "?page=9223372036854775808", "?nomination=-99999999999",
                      "?judges=1e9", "?page=%00"):
            response = client.get(f"/manage/{contest.slug}/{path}{query}")
            assert response.status_code in (200, 404), (path, query, response.status_code)


def test_nul_in_a_path_is_404(client, make):
    contest = make.contest()
    assert client.get(f"/contests/{contest.slug}%00").status_code == 404
    assert client.get("/manage/x%00y/").status_code in (302, 404)


# --- 8. contest import -----------------------------------------------------------------------------


def _import_cli(runner, tmp_path, data: bytes):
    path = tmp_path / "contest.bin"
    path.write_bytes(data)
    return runner.invoke(args=["contest", "import", str(path)])


def _exported(make) -> str:
    contest = make.contest(slug="exported")
    make.round_(contest)
    # Another address, so the import would otherwise go ahead.
    return exchange.export_json(contest).replace('"exported"', '"imported"')


def _with(text: str, old: str, new: str) -> bytes:
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize("change, problem", [
    (lambda t: _with(t, '"version": 2', '"version": ' + "9" * 5000), "version: version 9999"),
    (lambda t: ("[" * 100_000 + "]" * 100_000).encode(), "nested more than 32 levels"),
    (lambda t: _with(t, '"Contest"', '"Con\\u0000test"'), "contest.title.en: contains a control character"),
    (lambda t: re.sub(r'"intake_opens_at": "[^"]*"', '"intake_opens_at": "9999-12-31T23:00:00-03:00"', t,
                      count=1).encode(),
     "rounds[0].intake_opens_at: \"9999-12-31T23:00:00-03:00\" is outside the years"),
])
def test_import_refuses_hostile_documents_by_path(runner, tmp_path, make, change, problem):
    data = change(_exported(make))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Contest))
    result = _import_cli(runner, tmp_path, data)
    assert result.exit_code == 1, result.output
    assert "Refused, nothing imported." in result.output and problem in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contest)) == before


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_import_refuses_a_zip_bomb_before_unpacking(runner, tmp_path, monkeypatch):
    from app.services.exchange import document

    monkeypatch.setattr(document, "MAX_UNPACKED_BYTES", 10 * 2**20)  # the limit, made small
    bomb = _zip({"contest.json": b"{}", "files/big": b"\0" * (20 * 2**20)})
    assert len(bomb) < 100_000
    result = _import_cli(runner, tmp_path, bomb)
    assert result.exit_code == 1 and "unpacks to 20 MB" in result.output


def test_import_refuses_too_many_members(runner, tmp_path, monkeypatch):
    from app.services.exchange import document

    monkeypatch.setattr(document, "MAX_ARCHIVE_MEMBERS", 5)
    result = _import_cli(runner, tmp_path, _zip({"contest.json": b"{}", **{f"files/{n}": b"x" for n in range(5)}}))
    assert result.exit_code == 1 and "holds 6 files" in result.output


# --- 9. attachment counts --------------------------------------------------------------------------


def test_file_counts_per_field_and_per_entry(app, client, make, freeze, login):
    freeze(NOW)
    app.config.update(FIELD_MAX_FILES=2, ENTRY_MAX_FILES=3)
    contest = make.contest(organiser=make.user())
    make.round_(contest)
    h.add_form(contest)
    entrant = login(make.user())
    photos = [h.upload(h.png_bytes(), f"p{n}.png") for n in range(5)]
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data",
                           data=h.answers(contest, action="save", a_photos=photos))
    assert "at most 2 files" in response.get_data(as_text=True)
    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    assert len(entry.attachments) == 2
    response = client.post(f"/apply/entries/{entry.id}/edit", content_type="multipart/form-data",
                           data=h.answers(contest, action="save", a_presentation=[
                               h.upload(h.pdf_bytes(), "a.pdf"), h.upload(h.pdf_bytes(), "b.pdf")]))
    assert "An application holds at most 3 files" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Entry, entry.id).attachments) == 3


# --- 10. a confirmed address to submit ----------------------------------------------------------------


def test_unconfirmed_entrant_saves_drafts_but_cannot_submit(app, client, make, freeze, login, outbox):
    freeze(NOW)
    contest = make.contest(organiser=make.user())
    make.round_(contest)
    h.add_form(contest)
    entrant = login(make.user(confirmed=False))
    form_page = client.get(f"/apply/{contest.slug}/new").get_data(as_text=True)
    assert 'data-testid="resend-confirmation"' in form_page
    data = h.answers(contest, action="submit", a_presentation=h.upload(h.pdf_bytes(), "p.pdf"))
    response = client.post(f"/apply/{contest.slug}/new", content_type="multipart/form-data", data=data)
    assert "Confirm your e-mail address before submitting" in response.get_data(as_text=True)
    entry = db.session.scalar(sa.select(Entry).where(Entry.entrant_id == entrant.id))
    assert entry.status == "draft" and entry.title == data["title"]

    response = client.post("/auth/confirm", data={"next": f"/apply/entries/{entry.id}/edit"})
    assert response.headers["Location"] == f"/apply/entries/{entry.id}/edit"
    link = _links(outbox[-1]["body"])[0].replace("http://localhost", "")
    client.get(link)
    response = client.post(f"/apply/entries/{entry.id}/edit", content_type="multipart/form-data",
                           data=h.answers(contest, action="submit"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "submitted"


def test_every_form_of_the_app_refuses_control_characters(app):
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import app as package
    from app.form_base import AppForm

    for module in pkgutil.walk_packages(package.__path__, "app."):
        importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("app.")}
    assert len(ours) > 30
    assert {cls.__qualname__ for cls in ours if not issubclass(cls, AppForm)} == set()
