"""Limits on password guessing: every password check counts against the account and the address.

Counted in the rate limiter's storage (Redis when REDIS_URL is set, so the limit holds across
workers and machines; in process otherwise), with the LOGIN_RATE_LIMIT rate.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from limits import parse

from app.extensions import limiter

log = logging.getLogger(__name__)


def _key(text: str) -> str:
    # A digest, so the storage (Redis) never holds e-mail addresses.
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()[:32]


def allow_password_attempt(*, account: str, address: str | None) -> bool:
    """Counts one password check for `account` (an e-mail address or an account id, known or not)
    and for the client `address`; False once either is over LOGIN_RATE_LIMIT."""
    if not limiter.enabled:  # RATELIMIT_ENABLED off when the app was made (tests)
        return True
    rate = parse(current_app.config["LOGIN_RATE_LIMIT"])
    try:
        by_account = limiter.limiter.hit(rate, "password-account", _key(account))
        by_address = limiter.limiter.hit(rate, "password-address", _key(address or "unknown"))
    except Exception:  # the storage is down: as the route limits do (RATELIMIT_SWALLOW_ERRORS)
        log.warning("password attempt limit not counted: the rate-limit storage failed", exc_info=True)
        return True
    return by_account and by_address
