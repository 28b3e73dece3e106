"""An entry as a judge reads it: its answers in form order and its attachments, with the
entrant's identity hidden where the round is blind."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _

from app.models import Entry
from app.services.anonymity.redaction import entry_identity, hidden_field_keys, redact
from app.services.intake.application_form import INLINE_TYPES, display_value, form_fields

# The entrants' area serves attachments (to assigned judges too); `inline=1` shows PDFs and images.
ATTACHMENT_ENDPOINT = "apply.attachment"


@dataclass
class Answer:
    label: str
    value: str
    long: bool = False
    hidden: bool = False


@dataclass
class AttachmentLink:
    label: str
    name: str
    content_type: str
    size: int
    download_url: str | None
    inline_url: str | None
    kind: str  # "pdf", "image" or "other"


def _attachment_url(attachment, **extra) -> str | None:
    if ATTACHMENT_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(ATTACHMENT_ENDPOINT, attachment_id=attachment.id, **extra)


def entry_answers(entry: Entry, contest, *, show_identity: bool) -> tuple[list[Answer], list[AttachmentLink]]:
    """The entry's answers in form order, and its attachments, as the judge may see them."""

    fields = form_fields(contest)
    identity = None if show_identity else entry_identity(entry, fields)
    hidden_keys = frozenset() if show_identity else hidden_field_keys(fields)
    answers = []
    labels = {}
    if show_identity and entry.organisation and not any(f.key == "organisation" for f in fields):
        # An organisation not asked for by this form (e.g. imported): show it with the answers.
        answers.append(Answer(label=_("Organisation"), value=entry.organisation, long=False,
                              hidden=False))
    for form_field in fields:
        labels[form_field.key] = form_field.loc("label")
        if form_field.type == "file":
            continue
        value = (entry.answers or {}).get(form_field.key)
        if value is None or value == "":
            shown = "—"
        else:
            # Amounts, numbers, choices as the reader's language writes them (one formatter for all pages).
            shown = display_value(form_field, value)
        hidden = not show_identity and value not in (None, "") and form_field.key in hidden_keys
        if not show_identity and not hidden:
            shown = redact(shown, identity)
        answers.append(Answer(label=form_field.loc("label"), value="" if hidden else shown,
                              long=form_field.type == "textarea", hidden=hidden))
    links = []
    for number, attachment in enumerate(entry.attachments, start=1):
        content_type = attachment.content_type or ""
        kind = "pdf" if content_type == "application/pdf" else (
            "image" if content_type.startswith("image/") and content_type in INLINE_TYPES else "other")
        inline_url = _attachment_url(attachment, inline=1) if kind != "other" else None
        label = labels.get(attachment.field_key, attachment.field_key)
        name = attachment.filename if show_identity else _("Attachment %(number)s", number=number)
        links.append(AttachmentLink(label=label, name=name, content_type=content_type, size=attachment.size,
                                    download_url=_attachment_url(attachment), inline_url=inline_url,
                                    kind=kind))
    return answers, links
