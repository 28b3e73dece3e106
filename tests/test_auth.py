"""Accounts: registration, confirmation, login, passwords, redirects, rate limits, CSRF."""

import re

import pytest
import sqlalchemy as sa

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models import User
from app.services.platform import accounts


def _link(outbox, path_part):
    body = outbox[-1]["body"]
    match = re.search(r"https?://\S*" + path_part + r"\S*", body)
    assert match, body
    return match.group(0).replace("http://localhost", "")


def test_register_creates_unconfirmed_user_and_mails_link(client, outbox):
    response = client.post("/auth/register", data={
        "email": "New@Example.org", "name": "Nina", "password": "longenough",
        "password2": "longenough"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user is not None and not user.is_confirmed
    assert outbox[-1]["to"] == "new@example.org"
    assert "/auth/confirm/" in outbox[-1]["body"]


def test_register_existing_email_answers_as_for_a_new_one_and_mails_the_owner(client, make, outbox):
    owner = make.user(email="taken@example.org")
    answers = []
    for email in ("taken@example.org", "fresh@example.org"):
        response = client.post("/auth/register", data={
            "email": email, "name": "X", "password": "longenough", "password2": "longenough"},
            follow_redirects=True)
        answers.append(response.get_data(as_text=True).replace(email, "ADDRESS"))
    assert answers[0] == answers[1]
    assert "already exists" not in answers[0]
    assert [m["to"] for m in outbox] == ["taken@example.org", "fresh@example.org"]
    assert "You already have an account" in outbox[0]["body"]
    assert accounts.authenticate("taken@example.org", "longenough") is None  # nothing changed
    assert db.session.get(User, owner.id).name == "Test Person"


def test_register_keeps_typed_values_on_error(client):
    response = client.post("/auth/register", data={
        "email": "keep@example.org", "name": "Kept Name", "password": "short", "password2": "x"})
    page = response.get_data(as_text=True)
    assert 'value="keep@example.org"' in page and 'value="Kept Name"' in page
    assert "10 to 128 characters" in page


def test_confirmation_link_confirms(client, outbox):
    client.post("/auth/register", data={
        "email": "c@example.org", "name": "C", "password": "longenough", "password2": "longenough"})
    client.get(_link(outbox, "/auth/confirm/"))
    assert db.session.scalar(sa.select(User).where(User.email == "c@example.org")).is_confirmed


def test_confirmation_link_tampered_refused(client, make):
    user = make.user(confirmed=False)
    token = accounts.make_confirmation_token(user)
    response = client.get(f"/auth/confirm/{token[:-2]}xx", follow_redirects=True)
    assert "not valid" in response.get_data(as_text=True)
    assert not db.session.get(User, user.id).is_confirmed


def test_login_logout(client, make):
    user = make.user()
    response = client.post("/auth/login", data={"email": user.email, "password": "password123"})
    assert response.status_code == 302
    assert client.get("/auth/password").status_code == 200
    client.post("/auth/logout")
    assert client.get("/auth/password").status_code == 302


def test_login_wrong_password_message_at_field(client, make):
    user = make.user()
    response = client.post("/auth/login", data={"email": user.email, "password": "wrong-pass"})
    assert response.status_code == 200
    assert "Wrong e-mail or password" in response.get_data(as_text=True)


def test_remember_me_sets_cookie(client, make):
    user = make.user()
    response = client.post("/auth/login", data={
        "email": user.email, "password": "password123", "remember": "y"})
    assert "remember_token" in response.headers.get("Set-Cookie", "") or any(
        "remember_token" in h for h in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", " //evil.example",
])
def test_login_next_never_leaves_site(client, make, target):
    user = make.user()
    response = client.post("/auth/login", data={
        "email": user.email, "password": "password123", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_login_next_inside_site_followed(client, make):
    user = make.user()
    response = client.post("/auth/login", data={
        "email": user.email, "password": "password123", "next": "/auth/password"})
    assert response.headers["Location"] == "/auth/password"


def test_password_reset_flow_and_token_reuse(client, make, outbox):
    user = make.user(email="r@example.org")
    client.post("/auth/forgot", data={"email": "r@example.org"})
    link = _link(outbox, "/auth/reset/")
    response = client.post(link, data={"password": "brand-new-pass", "password2": "brand-new-pass"})
    assert response.status_code == 302
    assert accounts.authenticate("r@example.org", "brand-new-pass") is not None
    # The same link a second time is refused.
    response = client.post(link, data={"password": "another-pass-12", "password2": "another-pass-12"},
                           follow_redirects=True)
    assert "already been used" in response.get_data(as_text=True)
    assert accounts.authenticate("r@example.org", "brand-new-pass").id == user.id


def test_password_reset_token_expires(client, make, app, freeze):
    user = make.user()
    token = accounts.make_reset_token(user)
    app.config["TOKEN_MAX_AGE"] = -1  # every token is already too old
    response = client.get(f"/auth/reset/{token}", follow_redirects=True)
    assert "expired" in response.get_data(as_text=True)


def test_forgot_password_does_not_reveal_accounts(client, outbox):
    response = client.post("/auth/forgot", data={"email": "nobody@example.org"},
                           follow_redirects=True)
    assert "If an account exists" in response.get_data(as_text=True)
    assert outbox == []


def test_change_password_requires_current(client, make, login):
    user = login(make.user())
    response = client.post("/auth/password", data={
        "current": "wrong", "password": "new-horse-battery", "password2": "new-horse-battery"})
    assert "not your current password" in response.get_data(as_text=True)
    client.post("/auth/password", data={
        "current": "password123", "password": "new-horse-battery", "password2": "new-horse-battery"})
    assert accounts.authenticate(user.email, "new-horse-battery") is not None


class RateLimitedConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "3 per minute"


class CsrfConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = True


def test_login_rate_limited():
    app = create_app(RateLimitedConfig)
    from app.extensions import limiter

    with app.app_context():
        db.create_all()
        limiter.reset()
        client = app.test_client()
        codes = [client.post("/auth/login", data={"email": "a@example.org", "password": "x"}
                             ).status_code for _ in range(4)]
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429


def test_csrf_enforced_when_enabled():
    app = create_app(CsrfConfig)
    with app.app_context():
        db.create_all()
        accounts.create_user(email="csrf@example.org", name="C", password="password123")
        db.session.commit()
        client = app.test_client()
        response = client.post("/auth/login", data={
            "email": "csrf@example.org", "password": "password123"})
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = client.post("/auth/login", data={
            "email": "csrf@example.org", "password": "password123", "csrf_token": token})
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    assert response.status_code == 400  # refused before the view runs
    assert ok.status_code == 302


def test_session_cookie_flags(client, make):
    user = make.user()
    response = client.post("/auth/login", data={"email": user.email, "password": "password123"})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unconfirmed_user_sees_banner(client, make, login):
    login(make.user(confirmed=False))
    assert "Please confirm your e-mail" in client.get("/").get_data(as_text=True)


def test_hash_is_cheap_only_in_tests():
    from app.config import Config, TestConfig

    assert Config.PASSWORD_HASH_METHOD is None
    assert TestConfig.PASSWORD_HASH_METHOD.startswith("pbkdf2")


def test_user_repr(make):
    user = make.user(email="repr@example.org")
    assert repr(user) == f"<User {user.id} repr@example.org>"


def test_tokens_expire_after_max_age(app, make):
    user = make.user()
    token = accounts.make_confirmation_token(user)
    app.config["TOKEN_MAX_AGE"] = -1
    with pytest.raises(accounts.TokenError):
        accounts.confirm_email(token)
