"""Navigation links by role, for the templates."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.services.platform.accounts import roles_of

METHOD_LABELS = {
    "mean": _l("Mean"),
    "median": _l("Median"),
    "trimmed": _l("Trimmed mean"),
    "zscore": _l("Z-score normalised"),
}


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False


def _has(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def role_navigation() -> list[NavItem]:
    """The links of the account's roles (read with the account: no query of their own)."""
    roles = roles_of(current_user)
    items = []
    if _has("apply.my_entries"):
        items.append(NavItem(str(_l("My applications")), url_for("apply.my_entries")))
    if roles.judges and _has("jury.dashboard"):
        items.append(NavItem(str(_l("Jury")), url_for("jury.dashboard")))
    if roles.organises or current_user.is_admin:
        items.append(NavItem(str(_l("Manage")), url_for("manage.index")))
    return items


# Tabs of the organiser's contest pages: (endpoint, label); a tab shows once its blueprint exists.
CONTEST_TABS = [
    ("manage.contest", _l("Set-up")),
    ("manage.form_builder", _l("Application form")),
    ("manage.entries", _l("Entries")),
    ("manage.jury", _l("Jury")),
    ("manage.progress", _l("Judging")),
    ("manage.results", _l("Results")),
    ("manage.audit_log", _l("Audit log")),
    ("ops.exports", _l("Exports")),
    ("hooks.webhooks", _l("Webhooks")),
    ("manage.anonymity", _l("Anonymity")),
    ("manage.documents", _l("Documents")),
    ("manage.funds_page", _l("Funds")),
]


def contest_tabs(contest) -> list[NavItem]:
    items = []
    for endpoint, label in CONTEST_TABS:
        if _has(endpoint):
            items.append(NavItem(str(label), url_for(endpoint, slug=contest.slug),
                                 active=request.endpoint == endpoint))
    return items


def method_label(method: str) -> str:
    return str(METHOD_LABELS.get(method, method))
