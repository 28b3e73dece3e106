"""Webhooks: an organiser's URLs told about a contest's events, signed, retried with back-off.

A delivery's body is fixed when the event happens; each attempt sends the same bytes with
the headers

    X-FJ-Event: entry.submitted
    X-FJ-Delivery: 42
    X-FJ-Timestamp: 1796300000
    X-FJ-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the webhook's secret>

A receiver recomputes the HMAC and refuses a timestamp older than a few minutes (replay).
A failed attempt (no answer, or not 2xx) is retried after 1, 4, 16, 64 minutes…; a webhook
whose attempts fail WEBHOOK_MAX_FAILURES times in a row is disabled and its organisers told.
URLs that resolve to private, loopback, link-local or reserved addresses are refused (SSRF)
unless WEBHOOK_ALLOW_PRIVATE is set (tests; an intranet installation); multicast and 0.0.0.0
always. The check is made when the webhook is added and again at each attempt, and the attempt
connects to the addresses that were checked (pinned: no second DNS answer is asked for).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Contest, ContestOrganiser, User, Webhook, WebhookDelivery
from app.services.platform import jobs, mail
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.links import external_url

log = logging.getLogger("formula_jury.webhooks")

EVENTS = {
    "entry.submitted": _l("An application is submitted"),
    "review.submitted": _l("A review is submitted"),
    "round.finalised": _l("A round is finalised"),
    "results.published": _l("The results are published"),
}
DELIVER = "app.services.api.webhooks.deliver"
USER_AGENT = "FormulaJury-Webhook/1"


class WebhookError(Exception):
    """A refused webhook change; the message is translated."""


# --- signing -------------------------------------------------------------------------------------

def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-FJ-Signature value: HMAC-SHA256 of "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, timestamp: str, body: bytes, given: str, *, tolerance: int = 300,
                     at: float | None = None) -> bool:
    """What a receiver does (and the tests): the signature matches and the timestamp is recent."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((at if at is not None else time.time()) - stamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, stamp, body), given or "")


# --- the address ---------------------------------------------------------------------------------

def _public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                                 or ip.is_multicast or ip.is_unspecified)


def _never_a_target(address: str) -> bool:
    """Multicast and the unspecified address (0.0.0.0 reaches this machine): refused even on an
    intranet installation."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_multicast or ip.is_unspecified


def _url_form_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        return _("Give a full http:// or https:// address.")
    if parts.username or parts.password:
        return _("The address may not hold a user name or password.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return _("Give a full http:// or https:// address.")
    return None


def checked_address(url: str) -> tuple[list[str] | None, str | None]:
    """(addresses, problem): the URL's host resolved once, and the addresses to connect to (in the
    resolver's order) if every address it resolves to may be called (public ones only, unless
    WEBHOOK_ALLOW_PRIVATE).

    The delivery connects to exactly these addresses (pinned): a name that resolves to a public
    address for the check and to 127.0.0.1 a moment later (DNS rebinding) cannot reach inside."""
    url = (url or "").strip()
    problem = _url_form_problem(url)
    if problem:
        return None, problem
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError, OSError):
        return None, _("This host name does not resolve.")
    addresses = [info[4][0] for info in infos]
    allow_private = current_app.config.get("WEBHOOK_ALLOW_PRIVATE")
    if not addresses or any(_never_a_target(a) for a in addresses) \
            or not (allow_private or all(_public_address(a) for a in addresses)):
        return None, _("This address is on a private, loopback or link-local network; webhooks go to public "
                       "addresses only.")
    return list(dict.fromkeys(addresses)), None


def url_problem(url: str) -> str | None:
    """Why a webhook may not call this URL (translated), or None."""
    return checked_address(url)[1]


# --- organisers' set-up --------------------------------------------------------------------------

def contest_webhooks(contest: Contest) -> list[Webhook]:
    return list(db.session.scalars(
        sa.select(Webhook).where(Webhook.contest_id == contest.id).order_by(Webhook.id)))


def add_webhook(contest: Contest, *, url: str, events: list[str], actor: User) -> Webhook:
    url = (url or "").strip()
    problem = url_problem(url)
    if problem:
        raise WebhookError(problem)
    chosen = [event for event in EVENTS if event in set(events)]
    if not chosen:
        raise WebhookError(_("Choose at least one event."))
    hook = Webhook(contest_id=contest.id, created_by_id=actor.id, url=url, events=" ".join(chosen),
                   secret=secrets.token_hex(24), created_at=now())
    db.session.add(hook)
    db.session.flush()
    record_event(contest_id=contest.id, actor_id=actor.id, action="webhook.add", object_type="webhook",
                 object_id=hook.id, new={"url": url, "events": hook.events})
    return hook


def remove_webhook(hook: Webhook, *, actor: User) -> None:
    record_event(contest_id=hook.contest_id, actor_id=actor.id, action="webhook.remove", object_type="webhook",
                 object_id=hook.id, old={"url": hook.url, "events": hook.events})
    db.session.delete(hook)
    db.session.flush()


def enable_webhook(hook: Webhook, *, actor: User) -> None:
    """Turns a disabled webhook back on (its address checked again); failures count from zero."""
    problem = url_problem(hook.url)
    if problem:
        raise WebhookError(problem)
    hook.disabled_at, hook.failures = None, 0
    record_event(contest_id=hook.contest_id, actor_id=actor.id, action="webhook.enable", object_type="webhook",
                 object_id=hook.id, new={"url": hook.url})


def recent_deliveries(hook_ids: list[int], *, limit: int = 50) -> list[WebhookDelivery]:
    if not hook_ids:
        return []
    return list(db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.webhook_id.in_(hook_ids))
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


# --- events --------------------------------------------------------------------------------------

def announce(contest_id: int, event: str, data: dict) -> int:
    """Records a delivery of `event` for every active webhook of the contest that asked for it and
    queues them for after the commit. Called by the services where the event happens."""
    hooks = [hook for hook in db.session.scalars(
        sa.select(Webhook).where(Webhook.contest_id == contest_id, Webhook.disabled_at.is_(None)))
        if event in hook.events.split()]
    if not hooks:
        return 0
    slug = db.session.scalar(sa.select(Contest.slug).where(Contest.id == contest_id))
    moment = now()
    body = json.dumps({"event": event, "contest": slug, "occurred_at": moment.isoformat(), "data": data},
                      ensure_ascii=False, sort_keys=True)
    deliveries = [WebhookDelivery(webhook_id=hook.id, event=event, body=body, status="pending",
                                  created_at=moment, next_attempt_at=moment) for hook in hooks]
    db.session.add_all(deliveries)
    db.session.flush()
    for delivery in deliveries:
        _queue(delivery.id)
    return len(deliveries)


def _queue(delivery_id: int, *, delay: timedelta | None = None) -> None:
    """The first attempt goes after the commit (the queue's worker, or this process without one). A
    retry is scheduled on the queue (needs `rq worker --with-scheduler`); without a queue a cron runs
    `flask webhooks retry`, which makes every attempt that is due (it is also the fallback with one)."""
    if delay is None:
        jobs.perform_after_commit(DELIVER, delivery_id)
    elif jobs.queue_enabled():
        jobs.get_queue().enqueue_in(delay, jobs.perform, DELIVER, delivery_id)


def backoff(attempts: int) -> timedelta:
    """The wait before the next attempt after `attempts` failed ones: 1, 4, 16, 64 … minutes."""
    base = current_app.config.get("WEBHOOK_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=base * 4 ** max(attempts - 1, 0))


def _connect_pinned(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers (never a new lookup)."""
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            failure = error
    raise failure or OSError("no address")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked addresses; the Host header names the URL's host."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.pinned_addresses = addresses

    def connect(self):
        self.sock = _connect_pinned(self.pinned_addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As _PinnedHTTPConnection, with TLS for the URL's host name (SNI and the certificate's name)."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_addresses = addresses

    def connect(self):
        sock = _connect_pinned(self.pinned_addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, addresses: list[str], body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POSTs to `addresses` (resolved and checked once, by checked_address) for the URL's host.
    A redirect is not followed: it could point anywhere, a private address included; it counts as
    the answer."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, parts.port or (443 if https else 80), addresses=addresses,
                                  timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def deliver(delivery_id: int) -> str:
    """One attempt of a delivery (the job the queue runs); returns the delivery's status."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return delivery.status if delivery else "missing"
    hook = db.session.get(Webhook, delivery.webhook_id)
    if hook.disabled_at is not None:
        delivery.status, delivery.next_attempt_at = "failed", None
        delivery.error = "webhook disabled"
        return delivery.status
    config = current_app.config
    body = delivery.body.encode()
    stamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-FJ-Event": delivery.event,
               "X-FJ-Delivery": str(delivery.id), "X-FJ-Timestamp": str(stamp),
               "X-FJ-Signature": signature(hook.secret, stamp, body)}
    delivery.attempts += 1
    delivery.last_attempt_at = now()
    code, error = None, None
    # Checked again (a name may resolve elsewhere since it was registered), and the connection goes
    # to the address checked, never to a second resolution.
    addresses, problem = checked_address(hook.url)
    if problem:
        error = problem
    else:
        try:
            code = _post(hook.url, addresses, body, headers, config.get("WEBHOOK_TIMEOUT", 10))
        except (OSError, ValueError, http.client.HTTPException) as failure:
            error = type(failure).__name__
    delivery.response_code, delivery.error = code, (error or None) and str(error)[:300]
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.next_attempt_at = "delivered", None
        hook.failures = 0
        return delivery.status
    hook.failures += 1
    if delivery.attempts >= config.get("WEBHOOK_MAX_ATTEMPTS", 6):
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        wait = backoff(delivery.attempts)
        delivery.next_attempt_at = now() + wait
        _queue(delivery.id, delay=wait)
    if hook.failures >= config.get("WEBHOOK_MAX_FAILURES", 10):
        _disable(hook)
    return delivery.status


def _disable(hook: Webhook) -> None:
    hook.disabled_at = now()
    db.session.execute(sa.update(WebhookDelivery).where(
        WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status == "pending",
    ).values(status="failed", next_attempt_at=None, error="webhook disabled"))
    record_event(contest_id=hook.contest_id, actor_id=None, action="webhook.disable", object_type="webhook",
                 object_id=hook.id, new={"url": hook.url, "failures": hook.failures})
    contest = db.session.get(Contest, hook.contest_id)
    organisers = db.session.scalars(sa.select(User).join(ContestOrganiser, ContestOrganiser.user_id == User.id)
                                    .where(ContestOrganiser.contest_id == contest.id).order_by(User.id))
    link = external_url("hooks.webhooks", slug=contest.slug)
    for person in organisers:
        with force_locale(person.locale):
            mail.send_mail(to=person.email,
                           subject=_("A webhook of %(contest)s is disabled", contest=contest.loc("title")),
                           body=_("The webhook %(url)s failed %(count)d times in a row and is disabled. "
                                  "Check the receiver, then turn it on again: %(link)s",
                                  url=hook.url, count=hook.failures, link=link))


def retry_due_deliveries(limit: int = 200) -> int:
    """Makes the attempts that are due (a cron's `flask webhooks retry`, or after the queue's delay)."""
    due = list(db.session.scalars(
        sa.select(WebhookDelivery.id).where(WebhookDelivery.status == "pending",
                                            WebhookDelivery.next_attempt_at <= now())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
    for delivery_id in due:
        deliver(delivery_id)
    return len(due)
