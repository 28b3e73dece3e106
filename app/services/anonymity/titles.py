"""An entry's title as a judge sees it.

In a blind round the title is shown as entered only when the organiser has said the round's titles
are safe (`Round.titles_safe`) or has checked this entry's title (`Entry.title_checked`, which must
still equal the title: an edit after the check hides it again); even then the identity is blacked
out of it. Otherwise the judge reads «Заявка № N» / "Application No. N". Every place a judge sees a
title (dashboard, score page, conflict page, e-mails) asks here.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.services.anonymity.redaction import Identity, entry_identity, redact


def title_visible(*, title: str, title_checked: str | None, blind: bool, titles_safe: bool) -> bool:
    """Whether a judge may read the title as entered (still redacted in a blind round)."""
    if not blind or titles_safe:
        return True
    return title_checked is not None and title_checked == title


def placeholder_title(number: int | None) -> str:
    return _("Application No. %(number)s", number=number if number is not None else "—")


def shown_title(*, number: int | None, title: str, title_checked: str | None, blind: bool, titles_safe: bool,
                identity: Identity | None) -> str | None:
    """The title the judge may read, redacted in a blind round; None when it stays hidden."""
    if not blind:
        return title
    if not title_visible(title=title, title_checked=title_checked, blind=blind, titles_safe=titles_safe):
        return None
    return redact(title, identity) if identity is not None else None


def judge_title(*, number: int | None, title: str, title_checked: str | None, blind: bool, titles_safe: bool,
                identity: Identity | None) -> str:
    """The title as the judge reads it: the shown title, or "Application No. N"."""
    shown = shown_title(number=number, title=title, title_checked=title_checked, blind=blind,
                        titles_safe=titles_safe, identity=identity)
    return shown if shown is not None else placeholder_title(number)


def entry_judge_title(entry, round_, *, show_identity: bool) -> str | None:
    """`shown_title` for one entry in one round. `show_identity` is the judge's right to see the
    entrant (`platform.permissions.can_see_entrant_identity`); without it the round is blind for them."""
    blind = not show_identity
    identity = entry_identity(entry) if blind else None
    return shown_title(number=entry.number, title=entry.title, title_checked=entry.title_checked, blind=blind,
                       titles_safe=bool(round_ and round_.titles_safe), identity=identity)
