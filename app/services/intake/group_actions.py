"""Acting on several people at once (issue 21): screening a selection of entries, and a message to
a chosen group (the entrants of selected entries or of a nomination, the judges of a round).

A message is written once per language from a template with placeholders ({name}, {contest},
{number}, {title}); each person gets it in their own language (the other one when theirs is empty),
queued like every mail (platform.mail), and the sending is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db
from app.models import Contest, Entry, JuryMember, Round, User
from app.services.intake.entries import EntryError, Problems, screen_entry
from app.services.platform.audit import record_event
from app.services.platform.mail import send_mail

PLACEHOLDERS = ("name", "contest", "number", "title")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_RECIPIENTS = 5000


class GroupError(ValueError):
    """A group action that cannot be done; the message is translated."""


@dataclass
class ScreeningOutcome:
    done: list[int] = field(default_factory=list)  # entry numbers screened
    skipped: list[tuple[int | None, str]] = field(default_factory=list)  # (number, why)


def selected_entries(contest: Contest, entry_ids) -> list[Entry]:
    """The contest's entries among `entry_ids` (others are ignored), in number order."""
    ids = {int(i) for i in entry_ids if str(i).isdigit()}
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Entry).where(Entry.contest_id == contest.id, Entry.id.in_(ids))
                                   .order_by(Entry.number, Entry.id)))


def screen_entries(contest: Contest, entry_ids, *, eligible: bool, reason: str | None,
                   actor: User) -> ScreeningOutcome:
    """Screens each selected entry as screen_entry does (one audit event and one e-mail each);
    an entry that cannot be screened is skipped with its reason, the others are done."""
    if not eligible and not (reason or "").strip():
        raise GroupError(_("Give the reason; the entrant will see it."))
    outcome = ScreeningOutcome()
    for entry in selected_entries(contest, entry_ids):
        try:
            screen_entry(entry, eligible=eligible, reason=reason, actor=actor)
        except EntryError as error:
            outcome.skipped.append((entry.number, str(error)))
        except Problems as error:
            outcome.skipped.append((entry.number, " ".join(m for ms in error.errors.values() for m in ms)))
        else:
            outcome.done.append(entry.number)
    return outcome


@dataclass
class Recipient:
    user: User
    number: int | None = None
    title: str = ""


def group_recipients(contest: Contest, *, group: str, entry_ids=(), nomination_id: int | None = None,
                     round_id: int | None = None) -> list[Recipient]:
    """The people of a group, each once: "entries" (the entrants of the selected entries),
    "nomination" (the entrants of its submitted entries), "entrants" (of every submitted entry),
    "judges" (the accepted judges of a round)."""
    if group == "judges":
        round_ = db.session.get(Round, round_id) if round_id else None
        if round_ is None or round_.contest_id != contest.id:
            raise GroupError(_("Choose a round of this contest."))
        users = db.session.scalars(sa.select(User).join(JuryMember, JuryMember.user_id == User.id).where(
            JuryMember.round_id == round_.id, JuryMember.status == "accepted").order_by(User.email))
        return [Recipient(user) for user in users]
    if group == "entries":
        entries = selected_entries(contest, entry_ids)
    elif group in ("nomination", "entrants"):
        query = sa.select(Entry).where(Entry.contest_id == contest.id, Entry.status == "submitted")
        if group == "nomination":
            if nomination_id not in {n.id for n in contest.nominations}:
                raise GroupError(_("Choose a nomination of this contest."))
            query = query.where(Entry.nomination_id == nomination_id)
        entries = list(db.session.scalars(query.order_by(Entry.number)))
    else:
        raise GroupError(_("Choose who gets the message."))
    seen, recipients = set(), []
    users = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_({e.entrant_id for e in entries})))} if entries else {}
    for entry in entries:
        if entry.entrant_id in seen:
            continue
        seen.add(entry.entrant_id)
        recipients.append(Recipient(users[entry.entrant_id], entry.number, entry.title))
    return recipients


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def fill(template: str, values: dict) -> str:
    """The template with its placeholders filled; text in other braces is left as written."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), template or "")


def send_group_message(contest: Contest, recipients: list[Recipient], *, texts: dict[str, tuple[str, str]],
                       group: str, actor: User) -> int:
    """Sends the message to each recipient in their language. `texts`: language → (subject, body);
    a language with an empty body falls back to the other. Returns how many were sent."""
    texts = {code: (subject.strip(), body.strip()) for code, (subject, body) in texts.items()
             if (body or "").strip()}
    if not texts:
        raise GroupError(_("Write the message in at least one language."))
    for subject, body in texts.values():
        bad = unknown_placeholders(subject + body)
        if bad:
            raise GroupError(_("Unknown placeholders: %(names)s. Use {name}, {contest}, {number} or {title}.",
                               names=", ".join(f"{{{name}}}" for name in bad)))
        if not subject:
            raise GroupError(_("Give the message a subject."))
    if not recipients:
        raise GroupError(_("Nobody is in this group."))
    if len(recipients) > MAX_RECIPIENTS:
        raise GroupError(_("At most %(count)s recipients at once.", count=MAX_RECIPIENTS))
    for recipient in recipients:
        language = recipient.user.locale if recipient.user.locale in texts else next(iter(texts))
        subject, body = texts[language]
        values = {"name": recipient.user.name, "contest": contest.loc("title", language),
                  "number": recipient.number if recipient.number is not None else "—",
                  "title": recipient.title or "—"}
        with force_locale(language):
            send_mail(to=recipient.user.email, subject=fill(subject, values), body=fill(body, values))
    record_event(contest_id=contest.id, actor_id=actor.id, action="message.send", object_type="contest",
                 object_id=contest.id, new={"group": group, "recipients": len(recipients),
                                            "subject": next(iter(texts.values()))[0]})
    return len(recipients)
