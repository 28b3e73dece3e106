"""Accounts: registration, confirmation, passwords, language."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ApiToken, ContestOrganiser, JuryMember, User
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail

CONFIRM_SALT = "confirm-email"
RESET_SALT = "reset-password"


@dataclass(frozen=True)
class Roles:
    """What the navigation offers an account besides its own applications."""

    organises: bool  # organises at least one contest
    judges: bool  # an accepted member of at least one jury


def role_questions(user_id) -> list[sa.Exists]:
    """The questions of Roles, in its order, as SQL. `user_id` may be the column User.id, to ask
    them of the rows a query reads."""
    return [sa.exists().where(ContestOrganiser.user_id == user_id),
            sa.exists().where(JuryMember.user_id == user_id, JuryMember.status == "accepted")]


# Built once at import: every request that has a signed-in account runs it, and building it measured
# 0.6 ms a call on this 2-core machine under load (timeit, 2,000 calls).
_SIGNED_IN = sa.select(User, *role_questions(User.id)).where(User.id == sa.bindparam("user_id"))


def load_signed_in(user_id: int) -> User | None:
    """A session's account with its roles, in one query: every page's navigation shows them.
    The roles are as they were when the request began."""
    row = db.session.execute(_SIGNED_IN, {"user_id": user_id}).first()
    if row is None:
        return None
    user, organises, judges = row
    user.roles = Roles(organises=bool(organises), judges=bool(judges))
    return user


def parse_session_id(session_id: str | None) -> tuple[int, int] | None:
    """(account id, session version) from what a session or remember-me cookie holds (User.get_id)."""
    account, _sep, version = (session_id or "").partition(":")
    if not (account.isdigit() and version.isdigit()) or len(account) > 10 or len(version) > 10:
        return None
    return int(account), int(version)


def load_session_account(session_id: str | None) -> User | None:
    """The account a session (or remember-me cookie) is signed in as, or None when it has ended:
    the account is gone, or its sessions were ended after this one began (end_sessions)."""
    parsed = parse_session_id(session_id)
    if parsed is None or parsed[0] > 2**31 - 1:
        return None
    user = load_signed_in(parsed[0])
    if user is None or user.session_version != parsed[1]:
        return None
    return user


def end_sessions(user: User) -> None:
    """Ends every session and remember-me cookie of the account, on every device (each holds the
    session version, which no longer matches). The caller signs the current browser in again if
    it should stay signed in."""
    user.session_version = (user.session_version or 1) + 1


def log_out_everywhere(user: User) -> int:
    """"Log out everywhere": ends every session (end_sessions) and revokes every API token of the
    account — a person cutting off all access expects their scripts cut off too. Returns how many
    tokens it revoked. (A password change or reset ends the sessions only: tokens are separate
    secrets, revoked one by one on the tokens page or all at once here.)"""
    end_sessions(user)
    moment = now()
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id,
                                                          ApiToken.revoked_at.is_(None))
                                .order_by(ApiToken.id)).all()
    for token in tokens:
        token.revoked_at = moment
        record_event(contest_id=None, actor_id=user.id, action="api_token.revoke", object_type="api_token",
                     object_id=token.id, old={"name": token.name}, reason="log out everywhere")
    db.session.flush()
    return len(tokens)


def roles_of(user: User) -> Roles:
    """The account's roles: as read with it for the session, else asked now (an account that has
    just logged in was read by its e-mail address)."""
    if user.roles is None:
        user.roles = Roles(*db.session.execute(sa.select(*role_questions(user.id))).one())
    return user.roles


class TokenError(Exception):
    """A link that is invalid, expired or already used."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    return generate_password_hash(password, method) if method else generate_password_hash(password)


def set_password(user: User, password: str) -> None:
    """Sets the password and ends the account's sessions everywhere (a stolen cookie dies with the
    old password)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now()
    if user.id is not None:
        end_sessions(user)


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


@cache
def _dummy_hash(method: str | None) -> str:
    return generate_password_hash("not-a-real-password", method) if method else \
        generate_password_hash("not-a-real-password")


def _spend_a_password_check(password: str) -> None:
    """As long as checking a real password: an unknown address answers no faster than a known one,
    so the login's timing does not tell who has an account."""
    check_password_hash(_dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD")), password)


PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list of the 30,000 most common passwords (from leaked password sets), maintained
    # with the library; a password on it falls to the first guesses of any attack.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why a new password is refused (translated), or None: the rule of every password set by a
    page or a command."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        return _("The password must have %(low)s to %(high)s characters.",
                 low=PASSWORD_MIN_LENGTH, high=PASSWORD_MAX_LENGTH)
    folded = password.strip().lower()
    if folded in _common_passwords():
        return _("This password is one of the most common ones; choose one that is harder to guess.")
    if email:
        address = normalise_email(email)
        if folded in (address, address.partition("@")[0]):
            return _("The password must not be your e-mail address.")
    return None


def create_user(*, email: str, name: str, password: str | None = None, locale: str = "ru",
                confirmed: bool = False, is_admin: bool = False,
                organisation: str | None = None) -> User:
    moment = now()
    user = User(
        email=normalise_email(email), name=name.strip(), locale=locale, is_admin=is_admin,
        organisation=organisation, created_at=moment,
        email_confirmed_at=moment if confirmed else None,
    )
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        _spend_a_password_check(password)
        return None
    return user if check_password(user, password) else None


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    # Part of every reset token: once the password changes, old links stop working.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_confirmation_token(user: User) -> str:
    return _serializer(CONFIRM_SALT).dumps({"user": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"user": user.id, "pw": _password_fingerprint(user)})


def _load(token: str, salt: str) -> dict:
    try:
        return _serializer(salt).loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except SignatureExpired as error:
        raise TokenError(_("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise TokenError(_("This link is not valid.")) from error


def confirm_email(token: str) -> User:
    data = _load(token, CONFIRM_SALT)
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        raise TokenError(_("This link is not valid."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now()
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, password)
    if user.email_confirmed_at is None:
        # The reset link arrived by e-mail, which proves the address.
        user.email_confirmed_at = now()
    return user


def user_for_reset_token(token: str) -> User:
    data = _load(token, RESET_SALT)
    user = db.session.get(User, data.get("user"))
    if user is None or data.get("pw") != _password_fingerprint(user):
        raise TokenError(_("This link has already been used or is not valid."))
    return user


def send_confirmation_mail(user: User) -> None:
    link = external_url("auth.confirm", token=make_confirmation_token(user))
    with force_locale(user.locale):
        send_mail(
            to=user.email,
            subject=_("Confirm your e-mail address"),
            body=render_template("mail/confirm.txt", user=user, link=link),
        )


def send_reset_mail(user: User) -> None:
    link = external_url("auth.reset_password", token=make_reset_token(user))
    with force_locale(user.locale):
        send_mail(
            to=user.email,
            subject=_("Reset your password"),
            body=render_template("mail/reset.txt", user=user, link=link),
        )


def register_account(*, email: str, name: str, password: str, locale: str) -> User | None:
    """Registration that does not tell whether the address has an account: a new address gets an
    account and a confirmation link; an address that has one gets a message saying so (with a
    login and a reset link) and nothing changes. Returns the new account, or None."""
    existing = find_user_by_email(email)
    if existing is not None:
        with force_locale(existing.locale):
            send_mail(
                to=existing.email,
                subject=_("Your Formula Jury account"),
                body=render_template("mail/account_exists.txt", user=existing,
                                     login_link=external_url("auth.login"),
                                     reset_link=external_url("auth.forgot_password")),
            )
        return None
    user = create_user(email=email, name=name, password=password, locale=locale)
    send_confirmation_mail(user)
    return user
