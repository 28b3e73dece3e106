"""The organiser's decisions on the anonymity check: each finding, and each title. All audited."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db
from app.models import AnonymityFinding, Contest, Entry, User
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.links import external_url
from app.services.platform.mail import send_mail

DECISIONS = ("open", "harmless", "accepted")


class DecisionError(ValueError):
    """A decision that cannot be taken; the message is translated."""


def contest_findings(contest: Contest) -> list[AnonymityFinding]:
    """The contest's findings with their entries and files, by entry number (two queries)."""
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        sa.select(AnonymityFinding)
        .options(joinedload(AnonymityFinding.entry), joinedload(AnonymityFinding.attachment))
        .join(Entry, Entry.id == AnonymityFinding.entry_id)
        .where(AnonymityFinding.contest_id == contest.id)
        .order_by(Entry.number, Entry.id, AnonymityFinding.id)))


def decide_finding(finding: AnonymityFinding, *, decision: str, actor: User) -> None:
    """Marks a finding harmless, accepts it as is, or opens it again."""
    if decision not in DECISIONS:
        raise DecisionError(_("Choose a decision."))
    old = {"status": finding.status}
    finding.status = decision
    finding.decided_by_id = actor.id
    finding.decided_at = now()
    if decision != "replace":
        finding.replace_by = None
    db.session.flush()
    record_event(contest_id=finding.contest_id, actor_id=actor.id, action="anonymity.decide",
                 object_type="entry", object_id=finding.entry_id, old=old,
                 new={"status": decision, "finding": finding.id, "source": finding.source,
                      "snippet": finding.snippet[:200]})


def request_replacement(finding: AnonymityFinding, *, replace_by: datetime, message: str, actor: User) -> None:
    """Asks the entrant to replace the file by `replace_by`, with the organiser's message, by e-mail."""
    if finding.attachment_id is None:
        raise DecisionError(_("Only a finding in a file can be sent back for a new file."))
    if replace_by <= now():
        raise DecisionError(_("The deadline must be in the future."))
    message = (message or "").strip()
    if not message:
        raise DecisionError(_("Tell the entrant what to change."))
    finding.status = "replace"
    finding.replace_by = replace_by
    finding.message = message
    finding.decided_by_id = actor.id
    finding.decided_at = now()
    db.session.flush()
    entry = finding.entry
    entrant = entry.entrant
    with force_locale(entrant.locale):
        send_mail(to=entrant.email,
                  subject=_("Please replace a file of your application No. %(number)s", number=entry.number),
                  body=render_template("mail/anonymity_replace.txt", entrant=entrant, entry=entry,
                                       contest=entry.contest, finding=finding,
                                       link=external_url("apply.entry_view", entry_id=entry.id)))
    record_event(contest_id=finding.contest_id, actor_id=actor.id, action="anonymity.replace_request",
                 object_type="entry", object_id=finding.entry_id,
                 new={"finding": finding.id, "file": finding.attachment.filename if finding.attachment else None,
                      "replace_by": replace_by.isoformat(), "message": message})


def check_title(entry: Entry, *, names_no_one: bool, actor: User) -> None:
    """Records that the organiser has checked the title (judges of blind rounds may read it while it
    stays as it is), or withdraws the check."""
    old = {"title_checked": entry.title_checked}
    entry.title_checked = entry.title if names_no_one else None
    db.session.flush()
    record_event(contest_id=entry.contest_id, actor_id=actor.id, action="anonymity.title_check",
                 object_type="entry", object_id=entry.id, old=old, new={"title_checked": entry.title_checked})


def titles_to_check(contest: Contest) -> list[Entry]:
    """Submitted entries whose title judges of a blind round cannot yet read."""
    return list(db.session.scalars(
        sa.select(Entry).where(Entry.contest_id == contest.id, Entry.status == "submitted",
                               sa.or_(Entry.title_checked.is_(None), Entry.title_checked != Entry.title))
        .order_by(Entry.number, Entry.id)))
