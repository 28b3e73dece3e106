"""`next` parameters may only lead back to this site."""

from urllib.parse import urlsplit

from flask import redirect, url_for


def is_safe_next(target: str | None) -> bool:
    if not target:
        return False
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    # Only a path on this site: no scheme, no host, and not protocol-relative (//evil.example).
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")


def redirect_next(target: str | None, default_endpoint: str = "public.index", **values):
    if is_safe_next(target):
        return redirect(target)
    return redirect(url_for(default_endpoint, **values))
