"""The audit log read as sentences, in the reader's language (DESIGN §3a.5).

One implementation for every page that shows audit events: `describe_event(event, names)` turns an
event into a sentence ("Ivanova changed the weight of the criterion «Relevance» in the round «Expert
review» from 2 to 3."), never raw codes or JSON. The CSV export keeps the machine columns
(audit_export). `AuditNames` holds the titles the sentences need (rounds, criteria, form fields,
entries), read once per page.

Sentences follow Indico's log entries: one per change, each field with its old and new value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import AuditEvent

# Field names as they read inside a sentence ("changed <field> of <object>").
FIELD_NAMES = {
    "weight": _l("the weight"),
    "min_score": _l("the lowest score"),
    "max_score": _l("the highest score"),
    "method": _l("the aggregation method"),
    "pass_mark": _l("the pass mark"),
    "disagreement_threshold": _l("the disagreement threshold"),
    "blind": _l("blind review"),
    "tie_break": _l("the tie-break order"),
    "key": _l("the key"),
    "title_ru": _l("the Russian title"),
    "title_en": _l("the English title"),
    "description_ru": _l("the Russian description"),
    "description_en": _l("the English description"),
    "anchors_ru": _l("the Russian score anchors"),
    "anchors_en": _l("the English score anchors"),
    "comment_required": _l("whether a comment is required"),
    "reviews_per_entry": _l("the number of reviews per entry"),
    "intake_opens_at": _l("the opening of intake"),
    "intake_closes_at": _l("the intake deadline"),
    "judging_opens_at": _l("the opening of judging"),
    "judging_closes_at": _l("the close of judging"),
    "timezone": _l("the time zone"),
    "languages": _l("the languages of the contest"),
    "declaration_ru": _l("the Russian declaration"),
    "declaration_en": _l("the English declaration"),
    "label_ru": _l("the Russian label"),
    "label_en": _l("the English label"),
    "help_ru": _l("the Russian help text"),
    "help_en": _l("the English help text"),
    "required": _l("whether it is required"),
    "max_length": _l("the maximum length"),
    "max_size": _l("the maximum file size"),
    "options": _l("the options"),
    "accept": _l("the accepted file types"),
    "organisation": _l("the organisation"),
    "inn": _l("the INN"),
    "max_load": _l("the maximum load"),
    "value": _l("the score"),
    "comment": _l("the comment"),
    "identifying": _l("whether it identifies the entrant"),
    "titles_safe": _l("whether titles are shown to judges as entered"),
    "total": _l("the total"),
    "status": _l("the status"),
}

# Short names of the actions, for the audit page's filter.
ACTION_NAMES = {
    "contest.announce": _l("Contest published"),
    "contest.create": _l("Contest created"), "contest.update": _l("Contest settings changed"),
    "contest.import": _l("Contest imported"), "contest.round_weights": _l("Round weights changed"),
    "organiser.appoint": _l("Organiser appointed"), "organiser.remove": _l("Organiser removed"),
    "round.update": _l("Round changed"), "round.rules_change": _l("Rules of a round in progress changed"),
    "round.finalise": _l("Round finalised"), "round.reopen": _l("Round reopened"),
    "round.advance": _l("Entries advanced"), "criterion.add": _l("Criterion added"),
    "criterion.update": _l("Criterion changed"), "criterion.delete": _l("Criterion deleted"),
    "form_field.add": _l("Form field added"), "form_field.update": _l("Form field changed"),
    "form_field.delete": _l("Form field deleted"), "entry.screen": _l("Entry screened"),
    "entry.withdraw": _l("Entry withdrawn"), "entry.resubmit": _l("Entry submitted again"),
    "attachment.add": _l("Attachment added"), "attachment.remove": _l("Attachment removed"),
    "jury.invite": _l("Judge invited"), "jury.resend": _l("Invitation sent again"),
    "jury.accept": _l("Invitation accepted"), "jury.decline": _l("Invitation declined"),
    "jury.update": _l("Jury member changed"), "jury.remove": _l("Jury member removed"),
    "jury.remind": _l("Judge reminded"), "jury.declaration.sign": _l("Declaration signed"),
    "conflict.declare": _l("Conflict of interest declared"), "assignment.add": _l("Entries assigned"),
    "assignment.extra": _l("Extra judge assigned"), "assignment.remove": _l("Assignment removed"),
    "assignment.notify": _l("Judges told of assignments"), "review.create": _l("Review started"),
    "review.score": _l("Score changed"), "review.comment": _l("Review comment changed"),
    "review.feedback": _l("Feedback changed"), "review.submit": _l("Review submitted"),
    "review.revise": _l("Review revised"), "review.reopen": _l("Review reopened"),
    "award.add": _l("Award added"), "award.remove": _l("Award removed"),
    "results.publish": _l("Results published"), "results.unpublish": _l("Publication withdrawn"),
    "results.correct": _l("Published results corrected"),
    "fund.set": _l("Fund set"), "fund.delete": _l("Fund deleted"),
    "funding.rule": _l("Funding rule chosen"), "funding.cut": _l("Grant cut"),
    "funding.uncut": _l("Grant cut undone"), "funding.confirm": _l("Funding allocation confirmed"),
    "funding.withdraw": _l("Funding confirmation withdrawn"),
    "funding.show_amounts": _l("Showing granted amounts changed"),
    "message.send": _l("Message sent to a group"),
}

# The open items an organiser confirmed when finalising (results.finalising.ITEM_KEYS).
FINALISE_ITEMS = {
    "missing_reviews": _l("reviews not submitted"),
    "unsigned_declarations": _l("unsigned declarations"),
    "judging_open": _l("judging window still open"),
    "unresolved_flags": _l("disagreements not resolved"),
    "drafts": _l("judges with drafts"),
}

# Keys of old/new that say what the event is about, not what changed.
_CONTEXT_KEYS = {"round", "criterion", "recomputed"}
_FIELD_CHANGES = {"contest.update", "round.update", "round.rules_change", "criterion.update", "form_field.update",
                  "jury.update"}


@dataclass
class AuditNames:
    """Titles by key or id, in the reader's language, for the events of one page."""

    rounds: dict[str, str] = field(default_factory=dict)
    rounds_by_id: dict[int, str] = field(default_factory=dict)
    criteria: dict[tuple[str, str], str] = field(default_factory=dict)
    criteria_by_id: dict[int, tuple[str, str]] = field(default_factory=dict)
    form_fields: dict[str, str] = field(default_factory=dict)
    entries: dict[int, int | None] = field(default_factory=dict)
    review_rounds: dict[int, str] = field(default_factory=dict)  # review id → round key (score events)

    def criterion(self, round_key, key) -> str:
        """A criterion's title; its key only when the criterion no longer exists."""
        return self.criteria.get((round_key, key), key or "—")


def _gone_title(data: dict, name: str, key) -> str:
    """The title a deleted object had, as its event kept it, in the reader's language."""
    from app.i18n import current_language

    own, other = (f"{name}_ru", f"{name}_en") if current_language() == "ru" else (f"{name}_en", f"{name}_ru")
    return data.get(own) or data.get(other) or key or "—"


def action_name(action: str) -> str:
    name = ACTION_NAMES.get(action)
    return str(name) if name is not None else action


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(_show(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_show(item)}" for key, item in value.items())
    return str(value)


def _round_title(names: AuditNames, key) -> str:
    return names.rounds.get(key, key or "—")


def _object(event: AuditEvent, names: AuditNames) -> str:
    """What the event changed, as it reads after "changed the weight of …"."""
    old, new = event.old or {}, event.new or {}
    round_key = new.get("round", old.get("round"))
    if event.object_type == "criterion":
        round_key, criterion_key = names.criteria_by_id.get(event.object_id, (round_key, new.get("criterion")))
        criterion_key = new.get("criterion", criterion_key)
        title = names.criteria.get((round_key, criterion_key), criterion_key or "—")
        return _("the criterion «%(criterion)s» in the round «%(round)s»", criterion=title,
                 round=_round_title(names, round_key))
    if event.object_type == "round":
        title = names.rounds_by_id.get(event.object_id) or _round_title(names, round_key)
        return _("the round «%(round)s»", round=title)
    if event.object_type == "form_field":
        key = new.get("key", old.get("key"))
        return _("the form field «%(field)s»", field=names.form_fields.get(key, key or "—"))
    if event.object_type == "jury_member":
        return _("a jury member")
    return _("the contest")


def _changes(event: AuditEvent) -> list[tuple[str, object, object]]:
    old, new = event.old or {}, event.new or {}
    keys = [key for key in dict.fromkeys([*old, *new]) if key not in _CONTEXT_KEYS]
    return [(key, old.get(key), new.get(key)) for key in keys if old.get(key) != new.get(key)]


def _entry(event: AuditEvent, names: AuditNames) -> str:
    new, old = event.new or {}, event.old or {}
    number = new.get("entry", old.get("entry"))
    if event.object_type == "entry":
        number = names.entries.get(event.object_id, number)
    return _show(number)


def _award(data: dict) -> str:
    if data.get("place"):
        return _("place %(place)s", place=data["place"])
    return _("the prize «%(title)s»", title=data.get("title_ru") or data.get("title_en") or "—")


def _anonymity_decision(actor: str, event: AuditEvent, names: AuditNames, new: dict) -> str:
    number = _entry(event, names)
    snippet = _show(new.get("snippet"))
    if new.get("status") == "harmless":
        return _("%(actor)s marked a finding of the anonymity check in entry No. %(number)s harmless: %(snippet)s",
                 actor=actor, number=number, snippet=snippet)
    if new.get("status") == "accepted":
        return _("%(actor)s accepted a finding of the anonymity check in entry No. %(number)s as it is: %(snippet)s",
                 actor=actor, number=number, snippet=snippet)
    return _("%(actor)s opened again a finding of the anonymity check in entry No. %(number)s: %(snippet)s",
             actor=actor, number=number, snippet=snippet)


def describe_event(event: AuditEvent, names: AuditNames) -> str:
    """The event as one or more sentences in the current language."""
    actor = event.actor.name if event.actor else _("The system")
    old, new = event.old or {}, event.new or {}
    action = event.action
    if action in _FIELD_CHANGES:
        target = _object(event, names)
        parts = [
            _("%(actor)s changed %(field)s of %(object)s from %(old)s to %(new)s.", actor=actor,
              field=str(FIELD_NAMES.get(key, key)), object=target, old=_show(before), new=_show(after))
            for key, before, after in _changes(event)
        ]
        if not parts:
            parts = [_("%(actor)s saved %(object)s without changes.", actor=actor, object=target)]
        if action == "round.rules_change":
            parts.append(_("This was a change of the rules of a round in progress; %(count)s submitted totals "
                           "were recomputed and the judges were told.", count=new.get("recomputed", 0)))
        return " ".join(parts)
    if action == "contest.round_weights":
        return " ".join(
            _("%(actor)s changed the weight of the round «%(round)s» in the final score from %(old)s to %(new)s.",
              actor=actor, round=_round_title(names, key), old=_show(before), new=_show(after))
            for key, before, after in _changes(event))
    round_title = _round_title(names, new.get("round", old.get("round")))
    if event.object_type == "round" and event.object_id in names.rounds_by_id:
        round_title = names.rounds_by_id[event.object_id]
    sentences = {
        "contest.create": lambda: _("%(actor)s created the contest.", actor=actor),
        "message.send": lambda: _("%(actor)s sent the message «%(subject)s» to %(count)s people.", actor=actor,
                                  subject=new.get("subject", "—"), count=_show(new.get("recipients"))),
        "contest.announce": lambda: _("%(actor)s published the contest: everyone can see it now.", actor=actor),
        "contest.import": lambda: _("%(actor)s imported the contest (%(entries)s entries, %(reviews)s reviews).",
                                    actor=actor, entries=new.get("entries", 0), reviews=new.get("reviews", 0)),
        "organiser.appoint": lambda: _("%(actor)s appointed an organiser.", actor=actor),
        "organiser.remove": lambda: _("%(actor)s removed an organiser.", actor=actor),
        "criterion.add": lambda: _("%(actor)s added the criterion «%(criterion)s» to the round «%(round)s» with the "
                                   "weight %(weight)s and the scale %(low)s–%(high)s.", actor=actor,
                                   criterion=names.criterion(new.get("round"), new.get("key")),
                                   round=round_title, weight=_show(new.get("weight")), low=_show(new.get("min_score")),
                                   high=_show(new.get("max_score"))),
        "criterion.delete": lambda: _("%(actor)s deleted the criterion «%(criterion)s» (weight %(weight)s) from the "
                                      "round «%(round)s».", actor=actor,
                                      criterion=_gone_title(old, "title", old.get("key")),
                                      weight=_show(old.get("weight")), round=round_title),
        "round.finalise": lambda: _finalise_sentence(actor, round_title, new),
        "round.reopen": lambda: _("%(actor)s reopened the round «%(round)s»; its frozen ranking is kept for the "
                                  "record.", actor=actor, round=round_title),
        "round.advance": lambda: _("%(actor)s advanced entries %(entries)s from the round «%(round)s» to «%(to)s».",
                                   actor=actor, entries=_show(new.get("entries")), round=round_title,
                                   to=_round_title(names, new.get("to"))),
        "form_field.add": lambda: _("%(actor)s added the form field «%(field)s».", actor=actor,
                                    field=names.form_fields.get(new.get("key"), new.get("key", "—"))),
        "form_field.delete": lambda: _("%(actor)s deleted the form field «%(field)s».", actor=actor,
                                       field=_gone_title(old, "label", old.get("key"))),
        "entry.screen": lambda: (_("%(actor)s found entry No. %(number)s eligible.", actor=actor,
                                   number=_entry(event, names)) if new.get("eligible")
                                 else _("%(actor)s found entry No. %(number)s ineligible.", actor=actor,
                                        number=_entry(event, names))),
        "entry.withdraw": lambda: _("%(actor)s withdrew entry No. %(number)s.", actor=actor,
                                    number=_entry(event, names)),
        "entry.resubmit": lambda: _("%(actor)s submitted entry No. %(number)s again.", actor=actor,
                                    number=_entry(event, names)),
        "attachment.add": lambda: _("%(actor)s attached the file «%(name)s».", actor=actor, name=new.get("name", "—")),
        "attachment.remove": lambda: _("%(actor)s removed the file «%(name)s».", actor=actor,
                                       name=old.get("name", "—")),
        "jury.invite": lambda: _("%(actor)s invited %(email)s to the jury of the round «%(round)s».", actor=actor,
                                 email=new.get("email", "—"), round=round_title),
        "jury.resend": lambda: _("%(actor)s sent a jury invitation again.", actor=actor),
        "jury.accept": lambda: _("%(actor)s accepted the invitation to the jury.", actor=actor),
        "jury.decline": lambda: _("%(actor)s declined the invitation to the jury.", actor=actor),
        "jury.remove": lambda: _("%(actor)s removed %(email)s from the jury.", actor=actor,
                                 email=old.get("email", "—")),
        "jury.remind": lambda: _("%(actor)s reminded a judge of %(left)s reviews due in the round «%(round)s».",
                                 actor=actor, left=_show(new.get("left")), round=round_title),
        "jury.declaration.sign": lambda: _("%(actor)s signed the judges' declaration.", actor=actor),
        "conflict.declare": lambda: _("%(actor)s declared a conflict of interest with entry No. %(number)s.",
                                      actor=actor, number=_entry(event, names)),
        "assignment.add": lambda: _("%(actor)s assigned entries to judges.", actor=actor),
        "assignment.extra": lambda: _("%(actor)s assigned one more judge to flagged entries.", actor=actor),
        "assignment.remove": lambda: _("%(actor)s removed an assignment.", actor=actor),
        "assignment.notify": lambda: _("%(actor)s told %(judges)s judges of their new assignments.", actor=actor,
                                       judges=_show(new.get("judges"))),
        "review.create": lambda: _("%(actor)s started a review of entry No. %(number)s in the round «%(round)s».",
                                   actor=actor, number=_show(new.get("entry")), round=round_title),
        "review.score": lambda: _score_sentence(actor, event, old, new, names),
        "review.comment": lambda: _("%(actor)s changed the overall comment of review No. %(review)s.", actor=actor,
                                    review=event.object_id),
        "review.feedback": lambda: _("%(actor)s changed the feedback to the entrant in review No. %(review)s.",
                                     actor=actor, review=event.object_id),
        "review.submit": lambda: _("%(actor)s submitted review No. %(review)s with the total %(total)s.",
                                   actor=actor, review=event.object_id, total=_show(new.get("total"))),
        "review.revise": lambda: _("%(actor)s revised review No. %(review)s: the total went from %(old)s to "
                                   "%(new)s.", actor=actor, review=event.object_id, old=_show(old.get("total")),
                                   new=_show(new.get("total"))),
        "review.reopen": lambda: _("%(actor)s sent review No. %(review)s (total %(total)s) back to its judge as a "
                                   "draft.", actor=actor, review=event.object_id, total=_show(old.get("total"))),
        "award.add": lambda: _("%(actor)s gave %(award)s to entry No. %(number)s.", actor=actor, award=_award(new),
                               number=_show(new.get("entry"))),
        "award.remove": lambda: _("%(actor)s took %(award)s from entry No. %(number)s.", actor=actor,
                                  award=_award(old), number=_show(old.get("entry"))),
        "results.publish": lambda: _("%(actor)s published the results.", actor=actor),
        "results.unpublish": lambda: _("%(actor)s withdrew the publication of the results.", actor=actor),
        "results.correct": lambda: _correction_sentence(actor, old, new),
        "protocol.edit": lambda: " ".join(
            _("%(actor)s changed %(field)s in the protocol's details from %(old)s to %(new)s.", actor=actor,
              field=str(PROTOCOL_FIELD_NAMES.get(key, key)), old=_show(before), new=_show(after))
            for key, before, after in _changes(event)),
        "anonymity.check_start": lambda: _("%(actor)s started the anonymity check.", actor=actor),
        "anonymity.check": lambda: _("The anonymity check looked at %(entries)s entries and found %(findings)s "
                                     "things that may identify an entrant (%(new)s new).",
                                     entries=new.get("entries", 0), findings=new.get("findings", 0),
                                     new=new.get("new", 0)),
        "anonymity.decide": lambda: _anonymity_decision(actor, event, names, new),
        "anonymity.replace_request": lambda: _("%(actor)s asked the entrant of entry No. %(number)s to replace the "
                                               "file «%(file)s» by %(deadline)s: %(message)s", actor=actor,
                                               number=_entry(event, names), file=_show(new.get("file")),
                                               deadline=_show(new.get("replace_by")),
                                               message=_show(new.get("message"))),
        "anonymity.file_replaced": lambda: _("%(actor)s replaced the file «%(old)s» of entry No. %(number)s with "
                                             "«%(new)s», as the organisers asked.", actor=actor,
                                             old=_show(old.get("name")), new=_show(new.get("name")),
                                             number=_entry(event, names)),
        "anonymity.title_check": lambda: (
            _("%(actor)s checked the title of entry No. %(number)s: it names no one.", actor=actor,
              number=_entry(event, names)) if new.get("title_checked") is not None
            else _("%(actor)s withdrew the check of the title of entry No. %(number)s.", actor=actor,
                   number=_entry(event, names))),
        "fund.set": lambda: _fund_sentence(actor, old, new),
        "fund.delete": lambda: _("%(actor)s deleted the fund %(fund)s.", actor=actor, fund=_fund_name(old)),
        "funding.rule": lambda: _("%(actor)s chose the funding rule «%(rule)s» for the round «%(round)s» "
                                  "(it was «%(old)s»).", actor=actor, rule=_rule_name(new), round=round_title,
                                  old=_rule_name(old)),
        "funding.cut": lambda: _("%(actor)s cut the grant of entry No. %(number)s in the round «%(round)s» from "
                                 "%(old)s to %(new)s.", actor=actor, number=_show(new.get("entry")),
                                 round=round_title, old=_show(old.get("amount")), new=_show(new.get("amount"))),
        "funding.uncut": lambda: _("%(actor)s undid the cut of the grant of entry No. %(number)s (it was "
                                   "%(amount)s).", actor=actor, number=_show(old.get("entry")),
                                   amount=_show(old.get("amount"))),
        "funding.confirm": lambda: _("%(actor)s confirmed the funding of the round «%(round)s» by «%(rule)s»: "
                                     "%(funded)s entries, %(allocated)s allocated.", actor=actor, round=round_title,
                                     rule=_rule_name(new), funded=_show(new.get("funded")),
                                     allocated=_show(new.get("allocated"))),
        "funding.withdraw": lambda: _("%(actor)s withdrew the confirmation of the funding of the round "
                                      "«%(round)s».", actor=actor, round=round_title),
        "funding.show_amounts": lambda: (
            _("%(actor)s chose to show the granted amounts with the published results.", actor=actor)
            if new.get("show_amounts") else
            _("%(actor)s chose not to show the granted amounts with the published results.", actor=actor)),
    }
    sentence = sentences.get(action)
    if sentence is not None:
        return sentence()
    changes = "; ".join(f"{FIELD_NAMES.get(key, key)}: {_show(before)} → {_show(after)}"
                        for key, before, after in _changes(event))
    return _("%(actor)s: %(action)s. %(changes)s", actor=actor, action=action_name(action), changes=changes).strip()


def _finalise_sentence(actor: str, round_title: str, new: dict) -> str:
    sentence = _("%(actor)s finalised the round «%(round)s»: its ranking of %(entries)s entries is frozen.",
                 actor=actor, round=round_title, entries=_show(new.get("entries")))
    items = new.get("open_items") or []
    if items:
        sentence += " " + _("Confirmed as not done: %(items)s.", items="; ".join(
            f"{FINALISE_ITEMS.get(item.get('item'), item.get('item'))} ({_show(item.get('count'))})"
            for item in items))
    return sentence


def _score_sentence(actor: str, event: AuditEvent, old: dict, new: dict, names: AuditNames) -> str:
    round_key = new.get("round") or names.review_rounds.get(event.object_id)
    criterion = names.criterion(round_key, new.get("criterion", old.get("criterion")))
    if "value" in new or "value" in old:
        return _("%(actor)s changed the score on «%(criterion)s» in review No. %(review)s from %(old)s to %(new)s.",
                 actor=actor, criterion=criterion, review=event.object_id, old=_show(old.get("value")),
                 new=_show(new.get("value")))
    return _("%(actor)s changed the comment on «%(criterion)s» in review No. %(review)s.", actor=actor,
             criterion=criterion, review=event.object_id)


def _correction_sentence(actor: str, old: dict, new: dict) -> str:
    if new and "award" in new:
        return _("%(actor)s corrected the published results: gave %(award)s to entry No. %(number)s.", actor=actor,
                 award=_award(new["award"]), number=_show(new["award"].get("entry")))
    if old and "award" in old:
        return _("%(actor)s corrected the published results: took %(award)s from entry No. %(number)s.",
                 actor=actor, award=_award(old["award"]), number=_show(old["award"].get("entry")))
    if new and "awards" in new:
        return _("%(actor)s corrected the published results: named the places %(awards)s.", actor=actor,
                 awards=", ".join(f"{_show(a.get('entry'))} → {_show(a.get('place'))}" for a in new["awards"]))
    return _("%(actor)s corrected the published results.", actor=actor)


# The protocol's typed details (documents domain), as they read in "changed … in the protocol's details".
PROTOCOL_FIELD_NAMES = {
    "meeting_date": _l("the date of the meeting"), "place": _l("the place"), "present": _l("the members present"),
    "quorum": _l("the quorum"), "chair": _l("the chair"), "secretary": _l("the secretary"), "notes": _l("the notes"),
}
ACTION_NAMES["protocol.edit"] = _l("Protocol details changed")
def _rule_name(data: dict) -> str:
    names = {"strict": _("strict order"), "skip": _("order with skipping"), "best": _("best use of the fund")}
    rule = (data or {}).get("rule")
    name = names.get(rule, _show(rule))
    if rule == "best":
        name += " (" + (_("by number of entries") if data.get("objective") == "count" else _("by sum of scores")) + ")"
    return name


def _fund_name(data: dict) -> str:
    nomination = (data or {}).get("nomination")
    if nomination is None:
        return _("of the contest")
    return _("of the nomination «%(nomination)s»", nomination=nomination)


def _fund_sentence(actor: str, old: dict | None, new: dict) -> str:
    limits = _("grants from %(min)s to %(max)s", min=_show(new.get("min_grant")), max=_show(new.get("max_grant")))
    if not old:
        return _("%(actor)s set up the fund %(fund)s: %(amount)s %(currency)s, %(limits)s.", actor=actor,
                 fund=_fund_name(new), amount=_show(new.get("amount")), currency=_show(new.get("currency")),
                 limits=limits)
    return _("%(actor)s changed the fund %(fund)s from %(old)s %(currency)s to %(amount)s %(currency)s, %(limits)s.",
             actor=actor, fund=_fund_name(new), old=_show(old.get("amount")), amount=_show(new.get("amount")),
             currency=_show(new.get("currency")), limits=limits)
