"""Who the API caller is and what they may touch: the pages' rules (platform.permissions), narrowed
by the token's scopes (services.api.tokens.allows)."""

from __future__ import annotations

import base64
import binascii
from functools import wraps

import sqlalchemy as sa
from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from app.api.errors import ApiError
from app.extensions import db
from app.models import Contest, Round, User
from app.services.api import tokens
from app.services.platform import permissions

ORGANISER_AREAS = ("entries", "jury", "results", "funding")


def caller() -> User:
    if not current_user.is_authenticated:
        raise ApiError(401)
    return current_user._get_current_object()


def need_scope(area: str, level: str) -> None:
    if not tokens.allows(g.get("api_token"), area, level):
        raise ApiError(403, "insufficient_scope",
                       _("This token's scopes do not allow %(scope)s.", scope=f"{area}:{level}"))


def need_any_read() -> None:
    """Reading a contest's set-up: any organiser area's read scope."""
    token = g.get("api_token")
    if not any(tokens.allows(token, area, "read") for area in ORGANISER_AREAS):
        raise ApiError(403, "insufficient_scope",
                       _("This token's scopes do not allow %(scope)s.", scope="entries|jury|results|funding:read"))


def organised_contest(slug: str, area: str | None = None, level: str = "read") -> Contest:
    """The contest the caller organises: 401 without a caller, 403 for a scope the token lacks,
    404 for no such contest, 403 for someone who does not organise it (as the pages answer)."""
    user = caller()
    if area is None:
        need_any_read()
    else:
        need_scope(area, level)
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == slug))
    if contest is None:
        raise ApiError(404)
    if not permissions.is_organiser(user, contest):
        raise ApiError(403, "not_organiser", _("You do not organise this contest."))
    return contest


def round_of(contest: Contest, round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.contest_id != contest.id:
        raise ApiError(404)
    return round_


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"e{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value = int(text[1:]) if text.startswith("e") else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value = -1
    if not 0 <= value < 2**31:
        raise ApiError(422, fields={"cursor": [_("This cursor is not one we gave.")]})
    return value


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def checked_first(check):
    """Runs `check(**view_kwargs)` before the request body or query is parsed (put it between
    @bp.route and @bp.arguments): a caller who may not use the endpoint is told so (401/403/404),
    never what was wrong with what they sent."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check(**kwargs)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def organiser_of(area: str, level: str):
    """checked_first's check for /contests/<slug>/… endpoints."""

    def check(slug, **_kwargs):
        organised_contest(slug, area, level)

    return check
