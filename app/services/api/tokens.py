"""Personal API tokens: created by their owner, shown once, stored as a hash, scoped per area.

A token acts as its owner: every rule of the pages applies to what it reads and writes. Scopes only
narrow it further. A scope is "<area>:read" or "<area>:write"; write implies read.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import ApiToken, User
from app.services.platform.audit import record_event
from app.services.platform.clock import now

TOKEN_PREFIX = "fj_"
# The areas a token's scopes are given per: what an organiser's script reads and writes, and a judge's.
SCOPE_AREAS = {
    "entries": _l("Entries and screening"),
    "jury": _l("Jury, conflicts and assignments"),
    "results": _l("Progress, results, final score, advancement and awards"),
    "funding": _l("Funds, funding proposals and grants"),
    "reviews": _l("My assignments and reviews (judges)"),
}
LEVELS = ("read", "write")
# Expiry choices on the account page, in days (None: never).
EXPIRY_DAYS = (30, 90, 365, None)
# last_used_at is written at most once per this interval (a busy script does not write on every read).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    """A refused token change; the message is translated."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits: a plain SHA-256 cannot be reversed or guessed (unlike a password).
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str | None) -> set[str]:
    """The valid scopes in `text` (other words are dropped)."""
    words = set((text or "").split())
    return {f"{area}:{level}" for area in SCOPE_AREAS for level in LEVELS if f"{area}:{level}" in words}


def create_token(*, user: User, name: str, scopes: set[str], expires_in_days: int | None) -> NewToken:
    name = (name or "").strip()[:100]
    if not name:
        raise TokenError(_l("Give the token a name."))
    scopes = parse_scopes(" ".join(scopes))
    if not scopes:
        raise TokenError(_l("Choose at least one area the token may read."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    created = now()
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], secret_hash=hash_secret(secret),
                     scopes=" ".join(sorted(scopes)), created_at=created,
                     expires_at=created + timedelta(days=expires_in_days) if expires_in_days else None)
    db.session.add(token)
    db.session.flush()
    record_event(contest_id=None, actor_id=user.id, action="api_token.create", object_type="api_token",
                 object_id=token.id, new={"name": name, "scopes": token.scopes,
                                          "expires_at": token.expires_at.isoformat() if token.expires_at else None})
    return NewToken(token=token, secret=secret)


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(*, token: ApiToken, actor: User) -> None:
    if token.user_id != actor.id:
        raise TokenError(_l("This token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = now()
        record_event(contest_id=None, actor_id=actor.id, action="api_token.revoke", object_type="api_token",
                     object_id=token.id, old={"name": token.name})


def token_state(token: ApiToken, at: datetime | None = None) -> str:
    """active, expired or revoked."""
    at = at or now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= at:
        return "expired"
    return "active"


def authenticate(secret: str) -> tuple[ApiToken | None, str]:
    """The token a request presents and why it is refused: ("", token) when it may act;
    "invalid", "expired" or "revoked" otherwise. Marks the token used."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None, "invalid"
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret)))
    if token is None:
        return None, "invalid"
    state = token_state(token)
    if state != "active":
        return token, state
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = moment
    return token, ""


def allows(token: ApiToken | None, area: str, level: str) -> bool:
    """Whether the token's scopes let it `level` ("read"/"write") in `area`. No token (a cookie
    session on the site) is the person themselves: every area."""
    if token is None:
        return True
    scopes = set(token.scopes.split())
    if level == "read":
        return f"{area}:read" in scopes or f"{area}:write" in scopes
    return f"{area}:write" in scopes
