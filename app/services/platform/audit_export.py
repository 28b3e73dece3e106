"""Reading the audit log: filtered pages for the organiser's screen and a CSV export."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import AuditEvent, Contest, Criterion, Entry, FormField, Review, Round
from app.services.platform import spreadsheet
from app.services.platform.audit_text import AuditNames, describe_event

PER_PAGE = 50
CSV_COLUMNS = ("id", "at_utc", "actor_email", "actor_name", "action", "object_type", "object_id",
               "old", "new", "reason")


@dataclass
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def _query(contest: Contest, action: str | None):
    query = sa.select(AuditEvent).where(AuditEvent.contest_id == contest.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def audit_actions(contest: Contest) -> list[str]:
    return list(db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.contest_id == contest.id)
        .distinct().order_by(AuditEvent.action)
    ))


def audit_page(contest: Contest, *, action: str | None = None, page: int = 1,
               per_page: int = PER_PAGE) -> AuditPage:
    """Newest first; three queries whatever the page size (count, page, actors joined)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(_query(contest, action).subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    events = list(db.session.scalars(
        _query(contest, action).options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ))
    return AuditPage(events=events, page=page, pages=pages, total=total)


def as_json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is prefixed with a quote (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv_rows(contest: Contest, *, action: str | None = None) -> Iterator[str]:
    """The CSV export, oldest first, as text chunks (header first)."""
    buffer = io.StringIO()
    writer = spreadsheet.csv_writer(buffer)  # `;` for Russian Excel, `,` in English

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()  # a BOM, so spreadsheet programs read the Cyrillic text as UTF-8
    query = (_query(contest, action).options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.at, AuditEvent.id))
    for event in db.session.scalars(query):
        writer.writerow((
            event.id, event.at.isoformat(), event.actor.email if event.actor else "",
            _cell(event.actor.name) if event.actor else "", event.action, event.object_type,
            "" if event.object_id is None else event.object_id,
            as_json(event.old), as_json(event.new), _cell(event.reason or ""),
        ))
        yield flush()


def audit_names(contest: Contest, events: list[AuditEvent]) -> AuditNames:
    """The titles the sentences of `events` need, in the current language (three queries, and one
    for the entries the events are about)."""
    names = AuditNames()
    for round_ in db.session.scalars(sa.select(Round).where(Round.contest_id == contest.id)):
        names.rounds[round_.key] = names.rounds_by_id[round_.id] = round_.loc("title")
    for criterion, round_key in db.session.execute(
            sa.select(Criterion, Round.key).join(Round, Round.id == Criterion.round_id)
            .where(Round.contest_id == contest.id)):
        names.criteria[round_key, criterion.key] = criterion.loc("title")
        names.criteria_by_id[criterion.id] = (round_key, criterion.key)
    for form_field in db.session.scalars(sa.select(FormField).where(FormField.contest_id == contest.id)):
        names.form_fields[form_field.key] = form_field.loc("label")
    review_ids = {event.object_id for event in events if event.action == "review.score" and event.object_id
                  and not (event.new or {}).get("round")}
    if review_ids:
        names.review_rounds = dict(db.session.execute(
            sa.select(Review.id, Round.key).join(Round, Round.id == Review.round_id)
            .where(Review.id.in_(review_ids))).all())
    entry_ids = {event.object_id for event in events if event.object_type == "entry" and event.object_id}
    if entry_ids:
        names.entries = dict(db.session.execute(sa.select(Entry.id, Entry.number).where(Entry.id.in_(entry_ids))).all())
    return names


def audit_sentences(contest: Contest, events: list[AuditEvent]) -> list[str]:
    """Each event as sentences in the current language, in the order given."""
    names = audit_names(contest, events)
    return [describe_event(event, names) for event in events]
