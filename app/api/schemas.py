"""The API's request and response shapes (marshmallow): the OpenAPI document is made from them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.input_limits import DB_INT_MAX

# An id or number sent to the API fits the database's integer columns (else 422, never a 500).
ID_RANGE = validate.Range(min=1, max=DB_INT_MAX)


def _storable(value) -> None:
    """Text that can be stored (no NUL, no control characters): the pages' rule (app.form_base)."""
    from marshmallow import ValidationError

    from app.services.platform.text import FORBIDDEN_CHARACTER_MESSAGE, has_forbidden_characters

    if has_forbidden_characters(value):
        raise ValidationError(str(FORBIDDEN_CHARACTER_MESSAGE))


def Text(*, max_length: int = 10000, **kwargs):  # noqa: N802 - a field factory, read like a field class
    return fields.String(validate=[validate.Length(max=max_length), _storable], **kwargs)

# --- shared --------------------------------------------------------------------------------------


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "machine code, e.g. not_found, token_expired"})
    message = fields.String(required=True, metadata={"description": "in the language of Accept-Language"})
    fields = fields.Dict(keys=fields.String(), metadata={"description": "field → message(s), when invalid"})


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


class Localised(Schema):
    ru = fields.String()
    en = fields.String()


# --- contests ------------------------------------------------------------------------------------


class ContestSummary(Schema):
    slug = fields.String(required=True)
    title = fields.Nested(Localised, required=True)
    published = fields.Boolean(required=True)


class ContestList(Schema):
    contests = fields.List(fields.Nested(ContestSummary), required=True)


class ContestSetup(Schema):
    """The set-up part of the contest exchange document (shared/contest-exchange.md), with round ids."""

    contest = fields.Dict(required=True)
    nominations = fields.List(fields.Dict(), required=True)
    form = fields.List(fields.Dict(), required=True)
    rounds = fields.List(fields.Dict(), required=True, metadata={"description": "each with its id, for URLs"})
    published = fields.Boolean(required=True)


# --- entries -------------------------------------------------------------------------------------


class EntryQuery(Schema):
    round = fields.Integer(validate=ID_RANGE, metadata={"description": "only entries in this round (id)"})
    nomination = Text(max_length=64, metadata={"description": "nomination key"})
    status = fields.String(validate=validate.OneOf(["draft", "submitted", "withdrawn", "all"]),
                           metadata={"description": "default: all but drafts"})
    eligibility = fields.String(validate=validate.OneOf(["eligible", "ineligible", "unscreened"]))
    cursor = fields.String(metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class AttachmentOut(Schema):
    id = fields.Integer(required=True)
    field = fields.String(required=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    content_type = fields.String(required=True)
    download_url = fields.String(required=True)


class Person(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class EntryOut(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(allow_none=True, required=True)
    title = fields.String(required=True)
    organisation = fields.String(required=True)
    inn = fields.String(allow_none=True)
    nomination = fields.String(allow_none=True, required=True)
    status = fields.String(required=True)
    submitted_at = fields.String(allow_none=True, required=True)
    eligible = fields.Boolean(allow_none=True, required=True)
    ineligible_reason = fields.String(allow_none=True)
    entrant = fields.Nested(Person, required=True)
    answers = fields.Dict(required=True)
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)


class EntryPage(Schema):
    entries = fields.List(fields.Nested(EntryOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "null on the last page"})


class ScreeningIn(Schema):
    eligible = fields.Boolean(required=True)
    reason = Text(max_length=5000, load_default="")


class ScreeningOut(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(allow_none=True)
    eligible = fields.Boolean(allow_none=True, required=True)
    ineligible_reason = fields.String(allow_none=True)


# --- jury ----------------------------------------------------------------------------------------


class JuryMemberOut(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    user_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)
    status = fields.String(required=True)
    organisation = fields.String(allow_none=True)
    max_load = fields.Integer(allow_none=True)


class ConflictOut(Schema):
    id = fields.Integer(required=True)
    entry = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    source = fields.String(required=True)
    reason = fields.String()


class AssignmentOut(Schema):
    id = fields.Integer(required=True)
    round = fields.Integer(required=True)
    entry = fields.Integer(required=True)
    judge_id = fields.Integer(required=True)


class JuryOut(Schema):
    round = fields.Integer(required=True)
    members = fields.List(fields.Nested(JuryMemberOut), required=True)
    conflicts = fields.List(fields.Nested(ConflictOut), required=True)
    assignments = fields.List(fields.Nested(AssignmentOut), required=True)


class InviteIn(Schema):
    emails = fields.List(fields.Email(), required=True, validate=validate.Length(min=1, max=500))


class Skipped(Schema):
    email = fields.String(required=True)
    reason = fields.String(required=True)


class InviteOut(Schema):
    invited = fields.List(fields.String(), required=True)
    skipped = fields.List(fields.Nested(Skipped), required=True)


class AssignmentIn(Schema):
    entry = fields.Integer(required=True, validate=ID_RANGE, metadata={"description": "entry id"})
    judge_id = fields.Integer(required=True, validate=ID_RANGE)


# --- progress, results, awards -------------------------------------------------------------------


class JudgeProgressOut(Schema):
    judge_id = fields.Integer(required=True)
    name = fields.String(required=True)
    due = fields.Integer(required=True)
    submitted = fields.Integer(required=True)
    drafts = fields.Integer(required=True)


class EntryProgressOut(Schema):
    entry = fields.Integer(required=True)
    number = fields.Integer(allow_none=True)
    due = fields.Integer(required=True)
    submitted = fields.Integer(required=True)
    drafts = fields.Integer(required=True)


class ProgressOut(Schema):
    round = fields.Integer(required=True)
    judges = fields.List(fields.Nested(JudgeProgressOut), required=True)
    entries = fields.List(fields.Nested(EntryProgressOut), required=True)


class RankingRow(Schema):
    nomination = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    score = fields.String(metadata={"description": "half-up to 2 places, as the page shows"})
    reviews = fields.Integer()
    spread = fields.String(allow_none=True)
    flagged = fields.Boolean()
    below_pass_mark = fields.Boolean()


class RoundResultsOut(Schema):
    """The results JSON export of the round (format formula-jury/results), and whether it is frozen."""

    format = fields.String(required=True)
    version = fields.Integer(required=True)
    contest = fields.String(required=True)
    round = fields.String(required=True)
    method = fields.String(required=True)
    rankings = fields.List(fields.Nested(RankingRow), required=True)
    unrated = fields.List(fields.Integer(), required=True)
    frozen = fields.Boolean(required=True, metadata={"description": "true: read from the finalised snapshot"})


class AwardOut(Schema):
    id = fields.Integer(required=True)
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    nomination = fields.String(allow_none=True)
    place = fields.Integer(allow_none=True)
    title = fields.Nested(Localised)


class AwardList(Schema):
    awards = fields.List(fields.Nested(AwardOut), required=True)


class AwardIn(Schema):
    entry = fields.Integer(required=True, validate=ID_RANGE, metadata={"description": "entry number"})
    place = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(max=DB_INT_MAX))
    title_ru = Text(max_length=300, load_default="")
    title_en = Text(max_length=300, load_default="")
    correction = Text(max_length=5000, load_default=None, allow_none=True,
                      metadata={"description": "the reason, required after publication"})


# --- public --------------------------------------------------------------------------------------


class PublicRow(Schema):
    nomination = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    entry = fields.Integer(allow_none=True)
    title = fields.String()
    organisation = fields.String()
    score = fields.String(allow_none=True)
    not_rated = fields.Boolean()
    below_pass_mark = fields.Boolean()
    granted = fields.String(allow_none=True, metadata={
        "description": "the grant of the round's confirmed funding, where the organisers show the amounts"})
    currency = fields.String(allow_none=True)


class PublicRound(Schema):
    round = fields.String(required=True)
    title = fields.Nested(Localised)
    rankings = fields.List(fields.Nested(PublicRow), required=True)


class PublicResultsOut(Schema):
    contest = fields.String(required=True)
    published_at = fields.String(required=True)
    rounds = fields.List(fields.Nested(PublicRound), required=True)
    final = fields.List(fields.Nested(PublicRow), allow_none=True, metadata={
        "description": "the final score over rounds where round weights are set, else null"})
    awards = fields.List(fields.Nested(AwardOut), required=True)


# --- judging -------------------------------------------------------------------------------------


class JudgeItem(Schema):
    entry = fields.Integer(required=True, metadata={"description": "entry id"})
    number = fields.Integer(allow_none=True)
    title = fields.String()
    status = fields.String(metadata={"description": "not_started, draft or submitted"})
    total = fields.String(allow_none=True)


class JudgeRound(Schema):
    round = fields.Integer(required=True)
    contest = fields.String(required=True)
    title = fields.Nested(Localised)
    state = fields.String(metadata={"description": "open, upcoming, closed or finalised"})
    declaration_signed = fields.Boolean()
    entries = fields.List(fields.Nested(JudgeItem), required=True)


class JudgeAssignments(Schema):
    rounds = fields.List(fields.Nested(JudgeRound), required=True)


class CriterionOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    title = fields.Nested(Localised)
    weight = fields.String()
    min = fields.Integer()
    max = fields.Integer()
    comment_required = fields.Boolean()


class ReviewOut(Schema):
    status = fields.String(required=True, metadata={"description": "none, draft or submitted"})
    total = fields.String(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True), required=True,
                         metadata={"description": "criterion key → score"})
    comments = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    comment = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)


class JudgeEntryOut(Schema):
    round = fields.Integer(required=True)
    entry = fields.Integer(required=True)
    number = fields.Integer(allow_none=True)
    may_change = fields.Boolean(required=True, metadata={"description": "the judging window is open"})
    answers = fields.List(fields.Dict(), required=True)
    attachments = fields.List(fields.Dict(), required=True)
    criteria = fields.List(fields.Nested(CriterionOut), required=True)
    review = fields.Nested(ReviewOut, required=True)


class ReviewIn(Schema):
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True), load_default=dict,
                         metadata={"description": "criterion key → score (null clears it)"})
    comments = fields.Dict(keys=fields.String(), values=Text(max_length=5000), load_default=dict)
    comment = Text(load_default=None, allow_none=True)
    feedback = Text(load_default=None, allow_none=True)


# --- final score, advancement --------------------------------------------------------------------


class FinalRow(Schema):
    nomination = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    title = fields.String()
    score = fields.String(metadata={"description": "the final score, half-up to 2 places, as the page shows"})
    below_pass_mark = fields.Boolean()


class WeightedRound(Schema):
    id = fields.Integer(required=True)
    round = fields.String(required=True, metadata={"description": "round key"})
    weight = fields.String(required=True)
    frozen = fields.Boolean(required=True, metadata={"description": "read from the finalised snapshot"})


class FinalOut(Schema):
    """The final score over rounds (DESIGN §3.7): null rankings when no round has a weight."""

    rounds = fields.List(fields.Nested(WeightedRound), required=True)
    rankings = fields.List(fields.Nested(FinalRow), allow_none=True, required=True)


class AdvanceQuery(Schema):
    mode = fields.String(required=True, validate=validate.OneOf(["top", "share", "pass"]),
                         metadata={"description": "top N per nomination, top N per cent, or the pass mark"})
    count = fields.Integer(load_default=None, validate=validate.Range(min=1, max=10000),
                           metadata={"description": "N for top (entries) and share (per cent)"})


class AdvanceRow(Schema):
    nomination = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    entry_id = fields.Integer(required=True)
    already = fields.Boolean(required=True, metadata={"description": "already in the next round"})


class AdvanceOut(Schema):
    round = fields.Integer(required=True)
    target = fields.Integer(required=True, metadata={"description": "the next round's id"})
    mode = fields.String(required=True)
    count = fields.Integer(allow_none=True)
    entries = fields.List(fields.Nested(AdvanceRow), required=True)


# --- funding (DESIGN §3b) ------------------------------------------------------------------------


class FundOut(Schema):
    id = fields.Integer(required=True)
    nomination = fields.String(allow_none=True, required=True, metadata={"description": "null: the contest's fund"})
    amount = fields.String(required=True)
    currency = fields.String(required=True)
    min_grant = fields.String(allow_none=True)
    max_grant = fields.String(allow_none=True)


class FundList(Schema):
    funds = fields.List(fields.Nested(FundOut), required=True)
    locked = fields.String(allow_none=True, required=True,
                           metadata={"description": "why the funds cannot change now (a confirmed "
                                                    "allocation), or null"})


class FundedItem(Schema):
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    entry_id = fields.Integer()
    place = fields.Integer(allow_none=True)
    requested = fields.String(allow_none=True)
    granted = fields.String(allow_none=True)
    cut = fields.Boolean()


class SkippedItem(Schema):
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    entry_id = fields.Integer()
    place = fields.Integer(allow_none=True)
    requested = fields.String(allow_none=True)
    reason = fields.String(metadata={"description": "a code: does not fit, not reached, not in the best set, "
                                                    "below the minimum grant, requested nothing, cut to nothing"})
    cut = fields.Boolean()


class FundEdgeOut(Schema):
    last_funded_place = fields.Integer(allow_none=True)
    first_unfunded_place = fields.Integer(allow_none=True)
    tie = fields.Boolean()
    tie_entries = fields.List(fields.Integer(allow_none=True), allow_none=True)


class FundDocument(Schema):
    nomination = fields.String(allow_none=True)
    amount = fields.String()
    currency = fields.String()
    min_grant = fields.String(allow_none=True)
    max_grant = fields.String(allow_none=True)
    allocated = fields.String(allow_none=True)
    left = fields.String(allow_none=True)
    funded = fields.List(fields.Nested(FundedItem))
    skipped = fields.List(fields.Nested(SkippedItem))
    edge = fields.Nested(FundEdgeOut)


class AllocationOut(Schema):
    """A proposal or the confirmed allocation (contest-exchange.md, "Funding proposals")."""

    round = fields.String(required=True, metadata={"description": "round key"})
    rule = fields.String(required=True)
    objective = fields.String()
    funds = fields.List(fields.Nested(FundDocument), required=True)


class ProposalQuery(Schema):
    rule = fields.String(validate=validate.OneOf(["strict", "skip", "best"]),
                         metadata={"description": "default: the rule chosen for the round"})
    objective = fields.String(validate=validate.OneOf(["score", "count"]),
                              metadata={"description": "for rule best; default: the chosen one"})


class CutOut(Schema):
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    entry_id = fields.Integer(required=True)
    amount = fields.String(required=True)
    reason = fields.String(required=True)


class GrantOut(Schema):
    entry = fields.Integer(allow_none=True, metadata={"description": "entry number"})
    entry_id = fields.Integer(required=True)
    amount = fields.String(required=True)


class FundingOut(Schema):
    """A round's funding: the rule chosen, the cuts, and once confirmed the frozen allocation."""

    round = fields.Integer(required=True)
    finalised = fields.Boolean(required=True)
    rule = fields.String(required=True)
    objective = fields.String(required=True)
    show_amounts = fields.Boolean(required=True, metadata={"description": "grants shown with the published results"})
    cuts = fields.List(fields.Nested(CutOut), required=True)
    refusal = fields.String(allow_none=True, required=True,
                            metadata={"description": "why the allocation cannot change now, or null"})
    confirmed_at = fields.String(allow_none=True, required=True)
    allocation = fields.Nested(AllocationOut, allow_none=True, required=True,
                               metadata={"description": "the confirmed allocation, frozen; null until confirmed"})
    granted = fields.List(fields.Nested(GrantOut), required=True,
                          metadata={"description": "the confirmed allocation's grants; empty until confirmed"})
