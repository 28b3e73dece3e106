"""Importing a validated exchange document: everything is written in one savepoint, so a refused
document leaves the database as it was."""

from __future__ import annotations

import hashlib
import io
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import (
    Assignment,
    Attachment,
    Conflict,
    Contest,
    Criterion,
    Entry,
    EntryRound,
    FormField,
    Fund,
    JuryExpertise,
    JuryMember,
    Nomination,
    Review,
    Round,
    Score,
    TieBreak,
    User,
)
from app.services.exchange.document import ExchangeError
from app.services.exchange.results_part import import_results_part
from app.services.exchange.validation import _Plan, validate_document
from app.services.platform import storage
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.scoring.reviews import review_total

# --- import ----------------------------------------------------------------------------------

def import_contest(document, *, files: dict[str, bytes] | None = None, actor: User | None = None) -> Contest:
    """Validates, then writes the contest in one savepoint. With `files` (from a zip), the files
    must match their hashes. Raises ExchangeError; writes nothing then."""
    plan = validate_document(document)
    if files is not None:
        _check_files(plan, files)
    with db.session.begin_nested():
        contest = _write(plan, files or {}, actor)
    return contest


def _check_files(plan: _Plan, files: dict[str, bytes]) -> None:
    """Files in the archive must match their attachment's hash and size. A file the archive
    lacks (one the exporting installation no longer had) leaves the attachment as metadata only."""
    for index, entry in enumerate(plan.entries):
        for i, attachment in enumerate(entry["attachments"]):
            content = files.get(attachment["sha256"])
            if content is None:
                continue
            if hashlib.sha256(content).hexdigest() != attachment["sha256"] or len(content) != attachment["size"]:
                raise ExchangeError(f"entries[{index}].attachments[{i}].sha256",
                                    _("the file in the archive does not match its hash or size"))
    for name, content in files.items():
        if hashlib.sha256(content).hexdigest() != name:
            raise ExchangeError(f"files/{name}", _("the file does not match the hash it is named by"))


def _write(plan: _Plan, files: dict[str, bytes], actor: User | None) -> Contest:
    moment = now()
    info = plan.contest
    contest = Contest(
        slug=info["slug"], timezone=info["timezone"], languages=info["languages"], created_at=moment,
        announced_at=moment,  # an imported contest is visible as before (drafts are for new ones)
        title_ru=info["title"].get("ru", ""), title_en=info["title"].get("en", ""),
        description_ru=info["description"].get("ru", ""), description_en=info["description"].get("en", ""),
        declaration_ru=info["declaration"].get("ru", ""), declaration_en=info["declaration"].get("en", ""),
    )
    db.session.add(contest)
    db.session.flush()

    nominations = {}
    for position, item in enumerate(plan.nominations):
        nominations[item["key"]] = Nomination(
            contest_id=contest.id, key=item["key"], position=position,
            title_ru=item["title"].get("ru", ""), title_en=item["title"].get("en", ""))
    for position, item in enumerate(plan.form):
        db.session.add(FormField(
            contest_id=contest.id, key=item["key"], type=item["type"], position=position,
            label_ru=item["label"].get("ru", ""), label_en=item["label"].get("en", ""),
            help_ru=item["help"].get("ru", ""), help_en=item["help"].get("en", ""),
            required=item["required"], max_length=item["max_length"], options=item["options"],
            accept=item["accept"], max_size=item["max_size"], identifying=item["identifying"],
            currency=item["currency"], requested=item["requested"], max_amount=item["max_amount"],
            min_share_of=item["min_share_of"], min_share=item["min_share"]))
    db.session.add_all(nominations.values())
    db.session.flush()
    for item in plan.funds:
        nomination = nominations[item["nomination"]] if item["nomination"] is not None else None
        db.session.add(Fund(contest_id=contest.id, nomination_id=nomination.id if nomination else None,
                            amount=item["amount"], currency=item["currency"], min_grant=item["min_grant"],
                            max_grant=item["max_grant"]))

    rounds: dict[str, Round] = {}
    criteria: dict[tuple[str, str], Criterion] = {}
    for position, item in enumerate(plan.rounds):
        round_ = Round(
            contest_id=contest.id, key=item["key"], position=position,
            title_ru=item["title"].get("ru", ""), title_en=item["title"].get("en", ""),
            intake_opens_at=item["intake_opens_at"], intake_closes_at=item["intake_closes_at"],
            judging_opens_at=item["judging_opens_at"], judging_closes_at=item["judging_closes_at"],
            reviews_per_entry=item["reviews_per_entry"], method=item["method"], pass_mark=item["pass_mark"],
            disagreement_threshold=item["disagreement_threshold"], blind=item["blind"], weight=item["weight"],
            titles_safe=item["titles_safe"])
        rounds[item["key"]] = round_
        for number, c in enumerate(item["criteria"]):
            criterion = Criterion(
                key=c["key"], position=number, weight=c["weight"], min_score=c["min"], max_score=c["max"],
                comment_required=c["comment_required"],
                title_ru=c["title"].get("ru", ""), title_en=c["title"].get("en", ""),
                description_ru=c["description"].get("ru", ""), description_en=c["description"].get("en", ""),
                anchors_ru=c["anchors"].get("ru", ""), anchors_en=c["anchors"].get("en", ""))
            round_.criteria.append(criterion)
            criteria[item["key"], c["key"]] = criterion
    db.session.add_all(rounds.values())
    db.session.flush()
    for item in plan.rounds:
        for position, key in enumerate(item["tie_break"]):
            db.session.add(TieBreak(round_id=rounds[item["key"]].id, criterion_id=criteria[item["key"], key].id,
                                    position=position))

    users = {u.email: u for u in db.session.scalars(
        sa.select(User).where(User.email.in_(list(plan.people))))} if plan.people else {}
    for email, person in plan.people.items():
        if email not in users:
            # Accounts come without passwords: people set one through "forgot password".
            users[email] = User(email=email, name=person["name"], locale=person["locale"],
                                organisation=person["organisation"], inn=person["inn"], created_at=moment)
            db.session.add(users[email])
    db.session.flush()

    members = []
    for item in plan.jury:
        member = JuryMember(
            round_id=rounds[item["round"]].id, email=item["email"], status=item["status"],
            user_id=None if item["status"] == "invited" else users[item["email"]].id,
            token=secrets.token_urlsafe(32), organisation=item["organisation"], inn=item["inn"],
            max_load=item["max_load"], invited_at=moment,
            responded_at=None if item["status"] == "invited" else moment)
        members.append((member, item["nominations"]))
        db.session.add(member)
    db.session.flush()
    for member, keys in members:
        for key in keys:
            db.session.add(JuryExpertise(jury_member_id=member.id, nomination_id=nominations[key].id))

    entries: dict[int, Entry] = {}
    for item in plan.entries:
        entry = Entry(
            contest_id=contest.id, number=item["number"],
            nomination_id=nominations[item["nomination"]].id if item["nomination"] else None,
            entrant_id=users[item["entrant"]].id, title=item["title"], organisation=item["organisation"],
            inn=item["inn"], status=item["status"], submitted_at=item["submitted_at"],
            eligible=item["eligible"], ineligible_reason=item["ineligible_reason"], title_checked=item["title_checked"],
            screened_at=moment if item["eligible"] is not None else None, answers=item["answers"],
            created_at=item["submitted_at"] or moment, updated_at=item["submitted_at"] or moment)
        db.session.add(entry)
        db.session.flush()
        if item["number"] is not None:
            entries[item["number"]] = entry
        for key in item["rounds"]:
            db.session.add(EntryRound(entry_id=entry.id, round_id=rounds[key].id, added_at=moment))
        for attachment in item["attachments"]:
            key = storage.new_key(f"contest-{contest.id}/entry-{entry.id}")
            if attachment["sha256"] in files:
                storage.store(key, io.BytesIO(files[attachment["sha256"]]),
                              content_type=attachment["content_type"])
            db.session.add(Attachment(
                entry_id=entry.id, field_key=attachment["field"], storage_key=key, filename=attachment["name"],
                size=attachment["size"], sha256=attachment["sha256"], content_type=attachment["content_type"],
                uploaded_at=item["submitted_at"] or moment))

    for item in plan.conflicts:
        db.session.add(Conflict(entry_id=entries[item["entry"]].id, user_id=users[item["email"]].id,
                                source=item["source"], reason=item["reason"], created_at=moment))
    for item in plan.assignments:
        db.session.add(Assignment(round_id=rounds[item["round"]].id, entry_id=entries[item["entry"]].id,
                                  judge_id=users[item["email"]].id, created_at=moment, notified_at=moment))
    round_criteria = {key: list(r.criteria) for key, r in rounds.items()}
    for item in plan.reviews:
        round_criterion = {c.key: c for c in round_criteria[item["round"]]}
        submitted_at = item["submitted_at"] or (moment if item["status"] == "submitted" else None)
        review = Review(
            round_id=rounds[item["round"]].id, entry_id=entries[item["entry"]].id,
            judge_id=users[item["email"]].id, status=item["status"], submitted_at=submitted_at,
            comment=item["comment"], feedback=item["feedback"], updated_at=item["submitted_at"] or moment)
        for key in sorted(set(item["scores"]) | set(item["comments"]),
                          key=lambda k: round_criterion[k].position):
            criterion = round_criterion[key]
            review.scores.append(Score(criterion_id=criterion.id, scale_min=criterion.min_score,
                                       scale_max=criterion.max_score, value=item["scores"].get(key),
                                       comment=item["comments"].get(key, "")))
        if item["status"] == "submitted":
            review.total = review_total(criteria=round_criteria[item["round"]],
                                        values={round_criterion[k].id: v for k, v in item["scores"].items()})
        db.session.add(review)
    db.session.flush()
    import_results_part(contest, plan.results)
    db.session.flush()
    record_event(contest_id=contest.id, actor_id=actor.id if actor else None, action="contest.import",
                 object_type="contest", object_id=contest.id,
                 new={"slug": contest.slug, "entries": len(plan.entries), "reviews": len(plan.reviews)})
    db.session.flush()
    return contest

