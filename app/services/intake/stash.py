"""Keeping what an entrant typed when their session has expired.

A form posted without a valid session (logged out, or the CSRF token no longer matches) is
written to a short-lived file under instance/stash/ — the values only, never files — and its
random id is kept in the browser's session and put in the form's address. After logging in
again the entrant lands on the form, filled with the stashed values; the stash is then
deleted. Stashes older than a day are swept away whenever a new one is written.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app, session
from werkzeug.datastructures import MultiDict

MAX_AGE_SECONDS = 24 * 3600
MAX_BYTES = 1024 * 1024
SESSION_KEY = "form_stashes"
_ID = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
# Never kept: the spent CSRF token and the button that was pressed.
_SKIPPED = {"csrf_token", "action", "remove"}


def _folder() -> Path:
    folder = Path(current_app.config.get("STASH_DIR") or Path(current_app.instance_path) / "stash")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def stash_form(form: MultiDict) -> str | None:
    """Writes the posted values; returns the stash id (None if there is nothing or too much)."""
    items = [(key, value) for key, value in form.items(multi=True) if key not in _SKIPPED]
    if not items:
        return None
    text = json.dumps({"created": time.time(), "items": items}, ensure_ascii=False)
    if len(text.encode()) > MAX_BYTES:
        return None
    folder = _folder()
    _sweep(folder)
    stash_id = secrets.token_urlsafe(18)
    (folder / f"{stash_id}.json").write_text(text, encoding="utf-8")
    ids = [*session.get(SESSION_KEY, []), stash_id][-5:]
    session[SESSION_KEY] = ids
    return stash_id


def take_stash(stash_id: str | None) -> MultiDict | None:
    """The stashed values, once, and only in the browser that stashed them."""
    if not stash_id or not _ID.match(stash_id) or stash_id not in session.get(SESSION_KEY, []):
        return None
    session[SESSION_KEY] = [i for i in session.get(SESSION_KEY, []) if i != stash_id]
    path = _folder() / f"{stash_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    if time.time() - data.get("created", 0) > MAX_AGE_SECONDS:
        return None
    return MultiDict([(str(key), str(value)) for key, value in data.get("items", [])])
