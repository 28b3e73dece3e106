"""Test data for the API tests: tokens made through the service, requests with or without them."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.api import tokens

ALL_SCOPES = {"entries:write", "jury:write", "results:write", "funding:write", "reviews:write"}


def token(user: User, scopes: set[str] | None = None, *, days: int | None = 30) -> str:
    made = tokens.create_token(user=user, name="script", scopes=scopes or ALL_SCOPES, expires_in_days=days)
    db.session.commit()
    return made.secret


def call(client, method: str, path: str, secret: str | None = None, *, language: str = "en", **kwargs):
    headers = dict(kwargs.pop("headers", {}))
    headers.setdefault("Accept-Language", language)
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    return client.open(path, method=method, headers=headers, **kwargs)
