"""Links that leave the site (e-mails, CLI output, jobs), built from the PUBLIC_URL setting.

Never from the request: its Host header (or a proxy's X-Forwarded-Host) is chosen by the client,
so a password-reset link built from it could point at an attacker's host. And a link built this
way needs no request at all, so a `flask` command or a job worker builds the same link.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute address of `endpoint` on the site's public address (PUBLIC_URL)."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
