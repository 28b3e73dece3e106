"""Writing a contest as an exchange document: `export_contest` (a JSON-ready dict), `export_json`,
`export_zip` (the document and the attachments' files).

Beyond the fields of the spec, a few optional ones keep the export lossless and are left out
when empty: `contest.declaration`, `form[].help`, `rounds[].criteria[].anchors`, `people[].inn`,
`entries[].inn`, `jury[].status`/`organisation`/`inn` and `conflicts[].source`.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Assignment,
    Attachment,
    Conflict,
    Contest,
    Entry,
    EntryRound,
    FormField,
    Fund,
    JuryMember,
    Nomination,
    Review,
    Round,
    User,
)
from app.services.exchange.document import DOCUMENT_NAME, FORMAT, LANGUAGES, VERSION
from app.services.exchange.results_part import export_results_part, people_named
from app.services.platform import storage
from app.services.platform.money import amount_text
from app.services.results.ranking import plain_decimal

# --- export ----------------------------------------------------------------------------------

def _localised(obj, name: str) -> dict[str, str]:
    return {lang: value for lang in LANGUAGES if (value := getattr(obj, f"{name}_{lang}", "") or "")}


def _put_localised(target: dict, key: str, obj, name: str) -> None:
    value = _localised(obj, name)
    if value:
        target[key] = value


def export_contest(contest: Contest) -> dict:
    """The whole contest as an exchange document (lists in the order the spec gives)."""
    zone = ZoneInfo(contest.timezone)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

    nominations = list(db.session.scalars(
        sa.select(Nomination).where(Nomination.contest_id == contest.id)
        .order_by(Nomination.position, Nomination.id)))
    nomination_keys = {n.id: n.key for n in nominations}
    nomination_order = {n.id: i for i, n in enumerate(nominations)}
    fields = list(db.session.scalars(
        sa.select(FormField).where(FormField.contest_id == contest.id)
        .order_by(FormField.position, FormField.id)))
    rounds = list(db.session.scalars(
        sa.select(Round).where(Round.contest_id == contest.id)
        .options(selectinload(Round.criteria), selectinload(Round.tie_breaks))
        .order_by(Round.position, Round.id)))
    round_keys = {r.id: r.key for r in rounds}
    round_order = {r.id: i for i, r in enumerate(rounds)}
    criterion_keys = {c.id: c.key for r in rounds for c in r.criteria}
    criterion_order = {c.id: (c.position, c.id) for r in rounds for c in r.criteria}

    document: dict = {"format": FORMAT, "version": VERSION}
    document.update(_setup_part(contest, nominations, fields, rounds, criterion_keys, when))

    members = list(db.session.scalars(
        sa.select(JuryMember).where(JuryMember.round_id.in_(round_keys))
        .options(selectinload(JuryMember.expertise), selectinload(JuryMember.user))))
    entries = list(db.session.scalars(
        sa.select(Entry).where(Entry.contest_id == contest.id)
        .options(selectinload(Entry.attachments), selectinload(Entry.entrant))))
    entry_numbers = {e.id: e.number for e in entries}
    # Conflicts, assignments and reviews name entries by number: drafts have none, so none of those.
    entry_rounds: dict[int, list[int]] = {}
    for entry_id, round_id in db.session.execute(
            sa.select(EntryRound.entry_id, EntryRound.round_id).where(EntryRound.round_id.in_(round_keys))):
        entry_rounds.setdefault(entry_id, []).append(round_id)
    numbered = Entry.number.is_not(None)
    conflicts = db.session.execute(
        sa.select(Conflict, User.email).join(User, User.id == Conflict.user_id)
        .join(Entry, Entry.id == Conflict.entry_id).where(Entry.contest_id == contest.id, numbered)).all()
    assignments = db.session.execute(
        sa.select(Assignment.round_id, Assignment.entry_id, User.email)
        .join(User, User.id == Assignment.judge_id).join(Entry, Entry.id == Assignment.entry_id)
        .where(Assignment.round_id.in_(round_keys), numbered)).all()
    reviews = db.session.execute(
        sa.select(Review, User.email).join(User, User.id == Review.judge_id)
        .join(Entry, Entry.id == Review.entry_id)
        .where(Review.round_id.in_(round_keys), numbered).options(selectinload(Review.scores))).all()

    # People: everyone the document names, by e-mail.
    emails = {e.entrant.email for e in entries} | {m.email for m in members}
    emails |= {email for _c, email in conflicts} | {a[2] for a in assignments} | {email for _r, email in reviews}
    # The results part names snapshot authors, judges and the audit log's actors too.
    emails |= people_named(contest)
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))} \
        if emails else {}
    people = []
    for email in sorted(emails):
        user = users.get(email)
        person = {"email": email, "name": user.name if user else ""}
        if user is not None and user.organisation:
            person["organisation"] = user.organisation
        if user is not None and user.inn:
            person["inn"] = user.inn
        person["locale"] = user.locale if user else "ru"
        people.append(person)
    document["people"] = people

    jury = []
    for m in sorted(members, key=lambda m: (round_order[m.round_id], m.email)):
        item = {"round": round_keys[m.round_id], "email": m.email,
                "nominations": [nomination_keys[x.nomination_id] for x in
                                sorted(m.expertise, key=lambda x: nomination_order.get(x.nomination_id, 0))]}
        if m.max_load is not None:
            item["max_load"] = m.max_load
        if m.status != "accepted":
            item["status"] = m.status
        if m.organisation:
            item["organisation"] = m.organisation
        if m.inn:
            item["inn"] = m.inn
        jury.append(item)
    document["jury"] = jury

    entry_docs = []
    for e in sorted(entries, key=lambda e: (e.number is None, e.number or 0, e.entrant.email, e.title, e.id)):
        item = {}
        if e.number is not None:
            item["number"] = e.number
        if e.nomination_id is not None:
            item["nomination"] = nomination_keys[e.nomination_id]
        item.update({"entrant": e.entrant.email, "title": e.title, "organisation": e.organisation})
        if e.inn:
            item["inn"] = e.inn
        item["status"] = e.status
        if e.submitted_at is not None:
            item["submitted_at"] = when(e.submitted_at)
        if e.eligible is not None:
            item["eligible"] = e.eligible
        if e.ineligible_reason is not None:
            item["ineligible_reason"] = e.ineligible_reason
        if e.title_checked is not None:
            item["title_checked"] = e.title_checked
        item["answers"] = dict(e.answers or {})
        item["rounds"] = [round_keys[r] for r in sorted(entry_rounds.get(e.id, []), key=round_order.get)]
        if e.attachments:
            item["attachments"] = [
                {"field": a.field_key, "name": a.filename, "size": a.size, "sha256": a.sha256,
                 "content_type": a.content_type} for a in e.attachments]
        entry_docs.append(item)
    document["entries"] = entry_docs

    conflict_docs = []
    for conflict, email in sorted(conflicts, key=lambda c: (entry_numbers[c[0].entry_id] or 0, c[1])):
        item = {"email": email, "entry": entry_numbers[conflict.entry_id], "reason": conflict.reason}
        if conflict.source != "organiser":
            item["source"] = conflict.source
        conflict_docs.append(item)
    document["conflicts"] = conflict_docs

    document["assignments"] = [
        {"round": round_keys[round_id], "entry": entry_numbers[entry_id], "email": email}
        for round_id, entry_id, email in sorted(
            assignments, key=lambda a: (round_order[a[0]], entry_numbers[a[1]] or 0, a[2]))
    ]

    review_docs = []
    for review, email in sorted(reviews, key=lambda r: (round_order[r[0].round_id],
                                                        entry_numbers[r[0].entry_id] or 0, r[1])):
        item = {"round": round_keys[review.round_id], "entry": entry_numbers[review.entry_id],
                "email": email, "status": review.status}
        if review.submitted_at is not None:
            item["submitted_at"] = when(review.submitted_at)
        ordered_scores = sorted(review.scores, key=lambda s: criterion_order[s.criterion_id])
        item["scores"] = {criterion_keys[s.criterion_id]: s.value for s in ordered_scores
                          if s.value is not None}
        item["comments"] = {criterion_keys[s.criterion_id]: s.comment for s in ordered_scores if s.comment}
        item["comment"] = review.comment or ""
        item["feedback"] = review.feedback or ""
        review_docs.append(item)
    document["reviews"] = review_docs
    document.update(export_results_part(contest, when))
    return document



def _setup_part(contest: Contest, nominations, fields, rounds, criterion_keys: dict, when) -> dict:
    """The set-up keys of the document: contest, nominations, form, rounds with their criteria."""
    document: dict = {}
    contest_doc = {"slug": contest.slug, "title": _localised(contest, "title")}
    _put_localised(contest_doc, "description", contest, "description")
    contest_doc["timezone"] = contest.timezone
    if contest.language_list != ["ru", "en"]:
        # A one-language contest (issue 21); absent means both, as in every older document.
        contest_doc["languages"] = contest.language_list
    _put_localised(contest_doc, "declaration", contest, "declaration")
    document["contest"] = contest_doc
    document["nominations"] = [{"key": n.key, "title": _localised(n, "title")} for n in nominations]

    form = []
    for f in fields:
        item = {"key": f.key, "label": _localised(f, "label"), "type": f.type, "required": f.required}
        _put_localised(item, "help", f, "help")
        if f.max_length is not None:
            item["max_length"] = f.max_length
        if f.options is not None:
            item["options"] = f.options
        if f.max_size is not None:
            item["max_size"] = f.max_size
        if f.accept is not None:
            item["accept"] = f.accept
        item["identifying"] = f.identifying
        if f.type == "amount":
            item["currency"] = f.currency or "RUB"
            if f.requested:
                item["requested"] = True
            if f.max_amount is not None:
                item["max_amount"] = amount_text(f.max_amount)
            if f.min_share is not None:
                item["min_share"] = plain_decimal(f.min_share)
                item["min_share_of"] = f.min_share_of
        form.append(item)
    document["form"] = form
    funds = list(db.session.scalars(sa.select(Fund).where(Fund.contest_id == contest.id)))
    if funds:
        nomination_keys = {n.id: n.key for n in nominations}
        nomination_order = {n.id: i for i, n in enumerate(nominations)}
        document["funds"] = [
            {"nomination": nomination_keys.get(fund.nomination_id), "amount": amount_text(fund.amount),
             "currency": fund.currency,
             **({"min_grant": amount_text(fund.min_grant)} if fund.min_grant is not None else {}),
             **({"max_grant": amount_text(fund.max_grant)} if fund.max_grant is not None else {})}
            for fund in sorted(funds, key=lambda f: (f.nomination_id is None,
                                                     nomination_order.get(f.nomination_id, 0), f.id))]

    round_docs = []
    for r in rounds:
        item = {"key": r.key, "title": _localised(r, "title")}
        for name in ("intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at"):
            if getattr(r, name) is not None:
                item[name] = when(getattr(r, name))
        item["reviews_per_entry"] = r.reviews_per_entry
        item["method"] = r.method
        for name in ("pass_mark", "disagreement_threshold"):
            if getattr(r, name) is not None:
                item[name] = plain_decimal(getattr(r, name))
        item["blind"] = r.blind
        if r.titles_safe:
            item["titles_safe"] = True
        if r.weight is not None:
            item["weight"] = plain_decimal(r.weight)
        item["tie_break"] = [criterion_keys[tb.criterion_id] for tb in r.tie_breaks]
        criteria = []
        for c in r.criteria:
            criterion = {"key": c.key, "title": _localised(c, "title")}
            _put_localised(criterion, "description", c, "description")
            _put_localised(criterion, "anchors", c, "anchors")
            criterion.update({"weight": plain_decimal(c.weight), "min": c.min_score, "max": c.max_score,
                              "comment_required": c.comment_required})
            criteria.append(criterion)
        item["criteria"] = criteria
        round_docs.append(item)
    document["rounds"] = round_docs
    return document


def export_setup(contest: Contest) -> dict:
    """The contest's set-up as the exchange document writes it (contest, nominations, form, rounds):
    what the API shows as a contest, without its people, entries or reviews."""
    zone = ZoneInfo(contest.timezone)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

    nominations = db.session.scalars(
        sa.select(Nomination).where(Nomination.contest_id == contest.id)
        .order_by(Nomination.position, Nomination.id)).all()
    fields = db.session.scalars(
        sa.select(FormField).where(FormField.contest_id == contest.id)
        .order_by(FormField.position, FormField.id)).all()
    rounds = db.session.scalars(
        sa.select(Round).where(Round.contest_id == contest.id)
        .options(selectinload(Round.criteria), selectinload(Round.tie_breaks))
        .order_by(Round.position, Round.id)).all()
    criterion_keys = {c.id: c.key for r in rounds for c in r.criteria}
    return _setup_part(contest, nominations, fields, rounds, criterion_keys, when)


def export_json(contest: Contest) -> str:
    return json.dumps(export_contest(contest), ensure_ascii=False, indent=2) + "\n"


def export_zip(contest: Contest) -> bytes:
    """The document and the attachments' files (named by their SHA-256) in one zip."""
    document = export_contest(contest)
    attachments = db.session.scalars(
        sa.select(Attachment).join(Entry, Entry.id == Attachment.entry_id)
        .where(Entry.contest_id == contest.id).order_by(Attachment.id)).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT_NAME, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
        written = set()
        backend = storage.get_storage()
        for attachment in attachments:
            if attachment.sha256 in written:
                continue
            if not backend.exists(attachment.storage_key):
                continue
            with archive.open(f"files/{attachment.sha256}", "w") as target:
                for chunk in backend.iter_chunks(attachment.storage_key):
                    target.write(chunk)
            written.add(attachment.sha256)
    return buffer.getvalue()



