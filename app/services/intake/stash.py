"""Keeping what an entrant typed when their login has expired.

A form posted by a browser whose login has ended (its session names an account that is no longer
signed in, or the CSRF token no longer matches) is written to a short-lived file under
instance/stash/ — the values only, never files — tied to that account. Its random id is kept in
the browser's session and put in the form's address. After logging in again as that account the
entrant lands on the form, filled with the stashed values; the stash is then deleted.

Nothing is kept for a browser that was never signed in: anyone could otherwise fill the disk, or
plant text (a cookie-less cross-site post) for a victim's session to "restore". Each account keeps
at most MAX_PER_ACCOUNT stashes (the oldest goes), and stashes older than a day are swept away
whenever a new one is written.
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
MAX_BYTES = 512 * 1024
MAX_PER_ACCOUNT = 3
SESSION_KEY = "form_stashes"
_ID = re.compile(r"^[0-9]{1,10}-[A-Za-z0-9_-]{20,40}$")
# Never kept: the spent CSRF token and the button that was pressed.
_SKIPPED = {"csrf_token", "action", "remove"}


def _folder() -> Path:
    folder = Path(current_app.config.get("STASH_DIR") or Path(current_app.instance_path) / "stash")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path, owner_id: int) -> None:
    """Removes stashes older than a day, and the owner's oldest beyond their quota."""
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
    own = sorted(folder.glob(f"{owner_id}-*.json"), key=lambda p: p.stat().st_mtime)
    for path in own[:max(0, len(own) - MAX_PER_ACCOUNT + 1)]:
        path.unlink(missing_ok=True)


def stash_form(form: MultiDict, *, owner_id: int) -> str | None:
    """Writes the posted values for the account `owner_id`; returns the stash id (None if there is
    nothing or too much)."""
    items = [(key, value) for key, value in form.items(multi=True) if key not in _SKIPPED]
    if not items:
        return None
    text = json.dumps({"created": time.time(), "owner": owner_id, "items": items}, ensure_ascii=False)
    if len(text.encode()) > MAX_BYTES:
        return None
    folder = _folder()
    _sweep(folder, owner_id)
    stash_id = f"{owner_id}-{secrets.token_urlsafe(18)}"
    (folder / f"{stash_id}.json").write_text(text, encoding="utf-8")
    ids = [*session.get(SESSION_KEY, []), stash_id][-MAX_PER_ACCOUNT:]
    session[SESSION_KEY] = ids
    return stash_id


def take_stash(stash_id: str | None, *, owner_id: int) -> MultiDict | None:
    """The stashed values, once, only in the browser that stashed them, and only for its account."""
    if not stash_id or not _ID.match(stash_id) or stash_id not in session.get(SESSION_KEY, []):
        return None
    if stash_id.partition("-")[0] != str(owner_id):
        return None
    session[SESSION_KEY] = [i for i in session.get(SESSION_KEY, []) if i != stash_id]
    path = _folder() / f"{stash_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path.unlink(missing_ok=True)
    if data.get("owner") != owner_id or time.time() - data.get("created", 0) > MAX_AGE_SECONDS:
        return None
    return MultiDict([(str(key), str(value)) for key, value in data.get("items", [])])
