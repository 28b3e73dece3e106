"""Checking a whole exchange document before anything is written: unknown fields, types,
references between sections, scales, weights, time zones, and what the records say of each other.
`validate_document` raises `ExchangeError` naming the path of the first bad value
(`reviews[12].scores.relevance: 11 is above the maximum 10`) or returns the plan to write.

A document may not hold what the app would never produce (README, "Contest exchange"): an
assignment or a review by a judge with a conflict of interest with the entry, or by someone who is
not an accepted member of the round's jury (when the document lists the juries), and an assignment
of an entry that is not eligible. The message names both paths, the bad value's and the record it
contradicts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import (
    Contest,
    limits,
)
from app.models.contest import FIELD_TYPES, METHODS
from app.services.exchange.document import (
    ANSWER_LIMIT,
    EMAIL_PATTERN,
    FORMAT,
    INT_MAX,
    LANGUAGES,
    READABLE_VERSIONS,
    SHA256_PATTERN,
    VERSION,
    ExchangeError,
)
from app.services.exchange.results_part import V2_KEYS, validate_results_part
from app.services.funding.funds import fund_problem
from app.services.intake.application_form import default_identifying
from app.services.platform.money import AMOUNT_MAX, CURRENCIES, DEFAULT_CURRENCY, amount_text, currency_mismatch
from app.services.platform.text import has_forbidden_characters
from app.services.setup import rules

# --- validation ------------------------------------------------------------------------------

# An amount field's settings in the form (contest-exchange.md, "Money fields").
AMOUNT_KEYS = ("currency", "requested", "max_amount", "min_share", "min_share_of")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _show(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


@dataclass
class _Plan:
    """The validated document, ready to write."""

    contest: dict = field(default_factory=dict)
    nominations: list[dict] = field(default_factory=list)
    form: list[dict] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)
    people: dict[str, dict] = field(default_factory=dict)
    jury: list[dict] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    # snapshots, awards, publication and audit (exchange.results_part), version 2.
    results: dict = field(default_factory=dict)
    # grant funds (DESIGN §3b), version 2.
    funds: list[dict] = field(default_factory=list)


class _Validator:
    def __init__(self, document):
        self.document = document
        self.plan = _Plan()
        self.entries_by_number: dict[int, dict] = {}
        self.jury_keys: set[tuple[str, str]] = set()
        self.entrants: set[str] = set()
        # Where each record is, to name it when a later one contradicts it.
        self.jury_paths: dict[tuple[str, str], tuple[str, str]] = {}  # (round, email) → (path, status)
        self.entry_paths: dict[int, str] = {}
        self.conflict_paths: dict[tuple[str, int], str] = {}
        # Without a jury list, the juries are made from the assignments and reviews.
        self.jury_listed = isinstance(document, dict) and "jury" in document

    # Basic shapes.

    def fail(self, path: str, message: str):
        raise ExchangeError(path, message)

    def obj(self, value, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.fail(path, _("must be an object"))
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                self.fail(_join(path, str(key)), _("unknown field"))
        for key in required:
            if key not in value:
                self.fail(_join(path, key), _("is required"))
        return value

    def array(self, value, path: str) -> list:
        if not isinstance(value, list):
            self.fail(path, _("must be a list"))
        return value

    def string(self, value, path: str, *, max_length: int | None = None, blank: bool = True) -> str:
        if not isinstance(value, str):
            self.fail(path, _("must be a string"))
        if has_forbidden_characters(value):
            self.fail(path, _("contains a control character (such as NUL) that cannot be stored"))
        if max_length is not None and len(value) > max_length:
            self.fail(path, _("is longer than %(limit)s characters", limit=max_length))
        if not blank and not value.strip():
            self.fail(path, _("must not be empty"))
        return value

    def optional_string(self, data: dict, key: str, path: str, **options) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        return self.string(value, _join(path, key), **options)

    def boolean(self, value, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, _("must be true or false"))
        return value

    def integer(self, value, path: str, *, minimum: int | None = None, maximum: int | None = INT_MAX) -> int:
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            self.fail(path, _("%(value)s is too large", value=str(value)[:20] + "…"))  # load_document: too long for int
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, _("must be a whole number"))
        if minimum is not None and value < minimum:
            self.fail(path, _("%(value)s is below the minimum %(limit)s", value=value, limit=minimum))
        if maximum is not None and value > maximum:
            self.fail(path, _("%(value)s is above the maximum %(limit)s", value=value, limit=maximum))
        return value

    def decimal(self, value, path: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
            self.fail(path, _("must be a decimal number written as a string, e.g. \"1.5\""))
        try:
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(path, _("%(value)s is not a decimal number", value=_show(value)))
        return number

    def points(self, value, path: str) -> Decimal:
        """A pass mark or a threshold: the set-up forms' rule (0 … limits.POINTS_MAX, two decimals)."""
        number = self.decimal(value, path)
        message = rules.check_points(number)
        if message:
            self.fail(path, message)
        return number

    def weight(self, value, path: str) -> Decimal:
        number = self.decimal(value, path)
        message = rules.check_weight(number)
        if message:
            self.fail(path, message)
        return number

    def key(self, value, path: str) -> str:
        self.string(value, path)
        if not re.match(rules.KEY_PATTERN, value):
            self.fail(path, _("%(value)s is not a valid key (lower-case Latin letters, digits, '-' and '_')",
                              value=_show(value)))
        return value

    def email(self, value, path: str) -> str:
        self.string(value, path, max_length=254)
        email = value.strip().lower()
        if not EMAIL_PATTERN.match(email):
            self.fail(path, _("%(value)s is not an e-mail address", value=_show(value)))
        return email

    def moment(self, value, path: str) -> datetime:
        self.string(value, path)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(path, _("%(value)s is not an ISO 8601 date and time", value=_show(value)))
        if parsed.tzinfo is None:
            self.fail(path, _("%(value)s has no time zone offset, e.g. +03:00", value=_show(value)))
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # year 9999 with a negative offset, year 1 with a positive one
            self.fail(path, _("%(value)s is outside the years we can store", value=_show(value)))

    def optional_moment(self, data: dict, key: str, path: str) -> datetime | None:
        value = data.get(key)
        return None if value is None else self.moment(value, _join(path, key))

    def localised(self, value, path: str, max_length: int | None, *, required: bool = True) -> dict[str, str]:
        if value is None and not required:
            return {}
        self.obj(value, path, (), LANGUAGES)
        texts = {lang: self.string(value[lang], _join(path, lang), max_length=max_length)
                 for lang in LANGUAGES if value.get(lang) is not None}
        if required and not any(text.strip() for text in texts.values()):
            self.fail(path, _("needs a text in at least one language (en or ru)"))
        return texts

    def unique(self, seen: set, value, path: str) -> None:
        if value in seen:
            self.fail(path, _("%(value)s appears twice", value=_show(value)))
        seen.add(value)

    # Sections.

    def run(self) -> _Plan:
        top = self.obj(self.document, "", ("format", "version", "contest"), (
            "nominations", "form", "rounds", "people", "jury", "entries", "conflicts",
            "assignments", "reviews", *V2_KEYS, "funds"))
        if top["format"] != FORMAT:
            self.fail("format", _("must be %(expected)s", expected=_show(FORMAT)))
        if isinstance(top["version"], bool) or top["version"] not in READABLE_VERSIONS:
            self.fail("version", _("version %(value)s is not supported (this is version %(expected)s)",
                                   value=_show(top["version"]), expected=VERSION))
        if top["version"] == 1:
            for key in (*V2_KEYS, "funds"):
                if key in top:
                    self.fail(key, _("unknown field"))
        self.contest(top["contest"])
        self.nominations(top.get("nominations") or [])
        self.form(top.get("form") or [], version=top["version"])
        self.funds(top.get("funds") or [])
        self.rounds(top.get("rounds") or [])
        self.people(top.get("people") or [])
        self.jury(top.get("jury") or [])
        self.entries(top.get("entries") or [])
        self.conflicts(top.get("conflicts") or [])
        self.assignments(top.get("assignments") or [])
        self.reviews(top.get("reviews") or [])
        self.infer_rounds()
        self.plan.results = validate_results_part(self, top)
        return self.plan

    def infer_rounds(self) -> None:
        """Entries given without `rounds`: the rounds they are assigned or reviewed in; an eligible
        submitted entry with none of those is in the first round (as after screening)."""
        order = [r["key"] for r in self.plan.rounds]
        for entry in self.plan.entries:
            if entry["rounds"] is not None:
                continue
            inferred = entry.pop("inferred_rounds", set())
            if not inferred and order and entry["status"] == "submitted" and entry["eligible"] is not False:
                inferred = {order[0]}
            entry["rounds"] = [key for key in order if key in inferred]

    def contest(self, value) -> None:
        path = "contest"
        data = self.obj(value, path, ("slug", "title"), ("description", "timezone", "declaration", "languages"))
        slug = self.string(data["slug"], "contest.slug")
        if not re.match(rules.SLUG_PATTERN, slug):
            self.fail("contest.slug", _("%(value)s is not a valid address name (lower-case Latin letters, "
                                        "digits and '-')", value=_show(slug)))
        if db.session.scalar(sa.select(sa.exists().where(Contest.slug == slug))):
            self.fail("contest.slug", _("a contest with the address %(value)s already exists",
                                        value=_show(slug)))
        timezone = data.get("timezone") or "Europe/Moscow"
        self.string(timezone, "contest.timezone", max_length=64)
        message = rules.check_timezone(timezone)
        if message:
            self.fail("contest.timezone", message)
        languages = ["ru", "en"]
        if data.get("languages") is not None:
            languages = [self.string(code, _join("contest.languages", i))
                         for i, code in enumerate(self.array(data["languages"], "contest.languages"))]
            if not languages or any(code not in ("ru", "en") for code in languages) \
                    or len(set(languages)) != len(languages):
                self.fail("contest.languages", _("must list \"ru\", \"en\" or both, once each"))
        self.plan.contest = {
            "slug": slug, "timezone": timezone,
            "languages": ",".join(code for code in ("ru", "en") if code in languages),
            "title": self.localised(data["title"], "contest.title", 300),
            "description": self.localised(data.get("description"), "contest.description", 20000, required=False),
            "declaration": self.localised(data.get("declaration"), "contest.declaration", 20000, required=False),
        }

    def nominations(self, value) -> None:
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, "nominations")):
            path = _join("nominations", index)
            data = self.obj(item, path, ("key", "title"))
            key = self.key(data["key"], _join(path, "key"))
            self.unique(keys, key, _join(path, "key"))
            title = self.localised(data["title"], _join(path, "title"), 300)
            self.plan.nominations.append({"key": key, "title": title})

    def form(self, value, version: int = VERSION) -> None:
        keys: set[str] = set()
        requested_path = None
        for index, item in enumerate(self.array(value, "form")):
            path = _join("form", index)
            data = self.obj(item, path, ("key", "label", "type"),
                            ("required", "max_length", "options", "max_size", "accept", "help", "identifying",
                             *AMOUNT_KEYS))
            key = self.key(data["key"], _join(path, "key"))
            if key in ("title", "nomination"):
                self.fail(_join(path, "key"), _("%(value)s is reserved", value=_show(key)))
            self.unique(keys, key, _join(path, "key"))
            kind = self.string(data["type"], _join(path, "type"))
            if kind not in FIELD_TYPES or (kind == "amount" and version == 1):
                self.fail(_join(path, "type"), _("%(value)s is not one of %(choices)s", value=_show(kind),
                                                 choices=", ".join(FIELD_TYPES)))
            field_plan = {
                "key": key, "type": kind, "label": self.localised(data["label"], _join(path, "label"), 500),
                "help": self.localised(data.get("help"), _join(path, "help"), 5000, required=False),
                "required": self.boolean(data.get("required", False), _join(path, "required")),
                "max_length": None, "options": None, "max_size": None, "accept": None,
                # Absent (documents before issue 22): the form builder's default for the key.
                "identifying": (default_identifying(key) if data.get("identifying") is None
                                else self.boolean(data["identifying"], _join(path, "identifying"))),
            }
            if data.get("max_length") is not None:
                field_plan["max_length"] = self.integer(data["max_length"], _join(path, "max_length"), minimum=1)
            if data.get("options") is not None:
                field_plan["options"] = self.options(data["options"], _join(path, "options"))
            elif kind == "select":
                self.fail(_join(path, "options"), _("is required for a select field"))
            if data.get("max_size") is not None:
                field_plan["max_size"] = self.integer(data["max_size"], _join(path, "max_size"), minimum=1,
                                                      maximum=2**62)
            if data.get("accept") is not None:
                accept = []
                for i, extension in enumerate(self.array(data["accept"], _join(path, "accept"))):
                    text = self.string(extension, _join(_join(path, "accept"), i), max_length=16, blank=False)
                    accept.append(text.strip().lstrip(".").lower())
                field_plan["accept"] = accept
            field_plan.update(self.amount_settings(data, kind, path))
            if field_plan["requested"]:
                if requested_path is not None:
                    self.fail(_join(path, "requested"), _("only one amount field may be the requested amount "
                                                          "(%(other)s is)", other=requested_path))
                requested_path = path
            self.plan.form.append(field_plan)
        amount_keys = {f["key"] for f in self.plan.form if f["type"] == "amount"}
        for index, field_plan in enumerate(self.plan.form):
            share_of = field_plan["min_share_of"]
            if share_of is not None and (share_of not in amount_keys or share_of == field_plan["key"]):
                self.fail(_join(_join("form", index), "min_share_of"),
                          _("%(value)s is not another amount field of the form", value=_show(share_of)))

    def amount_settings(self, data: dict, kind: str, path: str) -> dict:
        """An amount field's currency, requested flag and submit rules (contest-exchange.md, v2)."""
        settings = {"currency": None, "requested": False, "max_amount": None, "min_share_of": None,
                    "min_share": None}
        if kind != "amount":
            for key in AMOUNT_KEYS:
                if key in data:
                    self.fail(_join(path, key), _("is only for an amount field"))
            return settings
        currency = self.string(data.get("currency", DEFAULT_CURRENCY), _join(path, "currency"))
        if currency not in CURRENCIES:
            self.fail(_join(path, "currency"), _("%(value)s is not one of %(choices)s", value=_show(currency),
                                                 choices=", ".join(CURRENCIES)))
        settings["currency"] = currency
        settings["requested"] = self.boolean(data.get("requested", False), _join(path, "requested"))
        if data.get("max_amount") is not None:
            settings["max_amount"] = self.money(data["max_amount"], _join(path, "max_amount"), positive=True)
        if (data.get("min_share") is None) != (data.get("min_share_of") is None):
            self.fail(_join(path, "min_share"), _("min_share and min_share_of go together"))
        if data.get("min_share") is not None:
            share = self.decimal(data["min_share"], _join(path, "min_share"))
            if not Decimal(0) < share <= 100 or share != share.quantize(Decimal("0.01")):
                self.fail(_join(path, "min_share"), _("%(value)s is not a per cent above 0 and at most 100 with at "
                                                      "most two decimals", value=_show(data["min_share"])))
            settings["min_share"] = share
            settings["min_share_of"] = self.key(data["min_share_of"], _join(path, "min_share_of"))
        return settings

    def money(self, value, path: str, *, positive: bool = False) -> Decimal:
        """An amount: a decimal string with at most two decimals, zero or more (above zero if
        `positive`), within NUMERIC(18, 2)."""
        if not isinstance(value, str):
            self.fail(path, _("must be an amount written as a string, e.g. \"1500000.00\""))
        amount = self.decimal(value, path)
        if amount < 0 or (positive and amount == 0) or amount > AMOUNT_MAX \
                or amount != amount.quantize(Decimal("0.01")):
            self.fail(path, _("%(value)s is not an amount (at most two decimals, not negative)", value=_show(value)))
        return amount

    def funds(self, value) -> None:
        """Funds per nomination (`"nomination": null` for the contest's), contest-exchange.md v2."""
        seen: set = set()
        nominations = {n["key"] for n in self.plan.nominations}
        self.plan.funds = []
        for index, item in enumerate(self.array(value, "funds")):
            path = _join("funds", index)
            data = self.obj(item, path, ("nomination", "amount"), ("currency", "min_grant", "max_grant"))
            nomination = data["nomination"]
            if nomination is not None:
                nomination = self.string(nomination, _join(path, "nomination"))
                if nomination not in nominations:
                    self.fail(_join(path, "nomination"), _("%(value)s is not a nomination of the contest",
                                                           value=_show(nomination)))
            self.unique(seen, nomination, _join(path, "nomination"))
            amount = self.money(data["amount"], _join(path, "amount"))
            currency = self.string(data.get("currency", DEFAULT_CURRENCY), _join(path, "currency"))
            min_grant = self.money(data["min_grant"], _join(path, "min_grant")) \
                if data.get("min_grant") is not None else None
            max_grant = self.money(data["max_grant"], _join(path, "max_grant"), positive=True) \
                if data.get("max_grant") is not None else None
            problem = fund_problem(amount=amount, currency=currency, min_grant=min_grant, max_grant=max_grant)
            if problem:
                self.fail(path, problem)
            self.plan.funds.append({"nomination": nomination, "amount": amount, "currency": currency,
                                    "min_grant": min_grant, "max_grant": max_grant})
        requested = next((f["currency"] for f in self.plan.form if f["type"] == "amount" and f.get("requested")),
                         None)
        mismatch = currency_mismatch(requested, [fund["currency"] for fund in self.plan.funds])
        if mismatch:
            self.fail("funds", mismatch)

    def options(self, value, path: str) -> list[dict]:
        options = []
        values: set[str] = set()
        for index, item in enumerate(self.array(value, path)):
            item_path = _join(path, index)
            if isinstance(item, str):
                item = {"value": item, "label": {"en": item, "ru": item}}
            data = self.obj(item, item_path, ("value",), ("label",))
            option_value = self.string(data["value"], _join(item_path, "value"), max_length=500, blank=False)
            self.unique(values, option_value, _join(item_path, "value"))
            label = self.localised(data.get("label", {"en": option_value}), _join(item_path, "label"), 500)
            options.append({"value": option_value, "label": label})
        return options

    def rounds(self, value) -> None:
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, "rounds")):
            path = _join("rounds", index)
            data = self.obj(item, path, ("key", "title"), (
                "intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at",
                "reviews_per_entry", "method", "pass_mark", "disagreement_threshold", "blind", "weight",
                "tie_break", "criteria", "titles_safe"))
            key = self.key(data["key"], _join(path, "key"))
            self.unique(keys, key, _join(path, "key"))
            plan = {"key": key, "title": self.localised(data["title"], _join(path, "title"), 300)}
            for name in ("intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at"):
                plan[name] = self.optional_moment(data, name, path)
            for opens, closes in (("intake_opens_at", "intake_closes_at"), ("judging_opens_at", "judging_closes_at")):
                message = rules.check_window(plan[opens], plan[closes])
                if message:
                    self.fail(_join(path, closes if plan[opens] is not None else opens), message)
            message = rules.check_judging_after_intake(plan["intake_opens_at"], plan["judging_opens_at"])
            if message:
                self.fail(_join(path, "judging_opens_at"), message)
            plan["reviews_per_entry"] = self.integer(data.get("reviews_per_entry", 2),
                                                     _join(path, "reviews_per_entry"), minimum=1,
                                                     maximum=limits.REVIEWS_PER_ENTRY_MAX)
            method = self.string(data.get("method", "mean"), _join(path, "method"))
            if method not in METHODS:
                self.fail(_join(path, "method"), _("%(value)s is not one of %(choices)s", value=_show(method),
                                                   choices=", ".join(METHODS)))
            plan["method"] = method
            for name in ("pass_mark", "disagreement_threshold"):
                plan[name] = None if data.get(name) is None else self.points(data[name], _join(path, name))
            plan["blind"] = self.boolean(data.get("blind", False), _join(path, "blind"))
            plan["titles_safe"] = self.boolean(data.get("titles_safe", False), _join(path, "titles_safe"))
            plan["weight"] = None if data.get("weight") is None else self.weight(data["weight"], _join(path, "weight"))
            plan["criteria"] = self.criteria(data.get("criteria") or [], _join(path, "criteria"))
            criterion_keys = [c["key"] for c in plan["criteria"]]
            tie_break: list[str] = []
            for i, criterion_key in enumerate(self.array(data.get("tie_break") or [], _join(path, "tie_break"))):
                item_path = _join(_join(path, "tie_break"), i)
                self.string(criterion_key, item_path)
                if criterion_key not in criterion_keys:
                    self.fail(item_path, _("%(value)s is not a criterion of this round", value=_show(criterion_key)))
                if criterion_key in tie_break:
                    self.fail(item_path, _("%(value)s appears twice", value=_show(criterion_key)))
                tie_break.append(criterion_key)
            plan["tie_break"] = tie_break
            self.plan.rounds.append(plan)

    def criteria(self, value, path: str) -> list[dict]:
        criteria = []
        keys: set[str] = set()
        for index, item in enumerate(self.array(value, path)):
            item_path = _join(path, index)
            data = self.obj(item, item_path, ("key", "title", "weight"),
                            ("description", "anchors", "min", "max", "comment_required"))
            key = self.key(data["key"], _join(item_path, "key"))
            self.unique(keys, key, _join(item_path, "key"))
            low = self.integer(data.get("min", 0), _join(item_path, "min"), minimum=limits.SCORE_MIN,
                               maximum=limits.SCORE_MAX)
            high = self.integer(data.get("max", 10), _join(item_path, "max"), minimum=limits.SCORE_MIN,
                                maximum=limits.SCORE_MAX)
            message = rules.check_scale(low, high)
            if message:
                self.fail(_join(item_path, "max"), message)
            criteria.append({
                "key": key, "title": self.localised(data["title"], _join(item_path, "title"), 500),
                "description": self.localised(data.get("description"), _join(item_path, "description"), 5000,
                                              required=False),
                "anchors": self.localised(data.get("anchors"), _join(item_path, "anchors"), 5000, required=False),
                "weight": self.weight(data["weight"], _join(item_path, "weight")),
                "min": low, "max": high,
                "comment_required": self.boolean(data.get("comment_required", False),
                                                 _join(item_path, "comment_required")),
            })
        self.round_totals(criteria, path)
        return criteria

    def round_totals(self, criteria: list[dict], path: str) -> None:
        """Every review total of the round must fit the total column (rules.check_round_totals),
        named at the first criterion whose bound takes the running sum past the limit."""
        bounds = [(c["weight"], c["min"], c["max"]) for c in criteria]
        problem = rules.check_round_totals(bounds)
        if problem is None:
            return
        side, message = problem
        for index in range(len(bounds)):
            if rules.check_round_totals(bounds[:index + 1]) is not None:
                break
        self.fail(_join(_join(path, index), side), message)

    def people(self, value) -> None:
        for index, item in enumerate(self.array(value, "people")):
            path = _join("people", index)
            data = self.obj(item, path, ("email",), ("name", "organisation", "locale", "inn"))
            email = self.email(data["email"], _join(path, "email"))
            if email in self.plan.people:
                self.fail(_join(path, "email"), _("%(value)s appears twice", value=_show(email)))
            locale = self.string(data.get("locale") or "ru", _join(path, "locale"))
            if locale not in LANGUAGES:
                self.fail(_join(path, "locale"), _("%(value)s is not one of %(choices)s", value=_show(locale),
                                                   choices="en, ru"))
            self.plan.people[email] = {
                "email": email, "locale": locale,
                "name": self.optional_string(data, "name", path, max_length=200) or "",
                "organisation": self.optional_string(data, "organisation", path, max_length=300),
                "inn": self.optional_string(data, "inn", path, max_length=12),
            }

    def person(self, value, path: str) -> str:
        email = self.email(value, path)
        if email not in self.plan.people:
            self.fail(path, _("%(value)s is not listed in people", value=_show(value)))
        return email

    def round_key(self, value, path: str) -> dict:
        self.string(value, path)
        for plan in self.plan.rounds:
            if plan["key"] == value:
                return plan
        self.fail(path, _("%(value)s is not a round of this contest", value=_show(value)))

    def nomination_key(self, value, path: str) -> str:
        self.string(value, path)
        if value not in {n["key"] for n in self.plan.nominations}:
            self.fail(path, _("%(value)s is not a nomination of this contest", value=_show(value)))
        return value

    def jury(self, value) -> None:
        seen: set[tuple[str, str]] = set()
        for index, item in enumerate(self.array(value, "jury")):
            path = _join("jury", index)
            data = self.obj(item, path, ("round", "email"), ("nominations", "max_load", "status", "organisation",
                                                              "inn"))
            round_plan = self.round_key(data["round"], _join(path, "round"))
            email = self.person(data["email"], _join(path, "email"))
            self.unique(seen, (round_plan["key"], email), _join(path, "email"))
            self.jury_keys.add((round_plan["key"], email))
            nominations: list[str] = []
            for i, key in enumerate(self.array(data.get("nominations") or [], _join(path, "nominations"))):
                item_path = _join(_join(path, "nominations"), i)
                self.nomination_key(key, item_path)
                if key in nominations:
                    self.fail(item_path, _("%(value)s appears twice", value=_show(key)))
                nominations.append(key)
            status = self.string(data.get("status") or "accepted", _join(path, "status"))
            if status not in ("invited", "accepted", "declined"):
                self.fail(_join(path, "status"), _("%(value)s is not one of %(choices)s", value=_show(status),
                                                   choices="invited, accepted, declined"))
            self.jury_paths[round_plan["key"], email] = (path, status)
            self.plan.jury.append({
                "round": round_plan["key"], "email": email, "nominations": nominations, "status": status,
                "max_load": None if data.get("max_load") is None
                else self.integer(data["max_load"], _join(path, "max_load"), minimum=0,
                                  maximum=limits.MAX_LOAD_MAX),
                "organisation": self.optional_string(data, "organisation", path, max_length=500),
                "inn": self.optional_string(data, "inn", path, max_length=12),
            })

    def entries(self, value) -> None:
        numbers: set[int] = set()
        judges = {j["email"] for j in self.plan.jury}
        fields = {f["key"]: f for f in self.plan.form}
        for index, item in enumerate(self.array(value, "entries")):
            path = _join("entries", index)
            data = self.obj(item, path, ("entrant", "status"), (
                "number", "nomination", "title", "organisation", "inn", "submitted_at", "eligible",
                "ineligible_reason", "answers", "rounds", "attachments", "title_checked"))
            status = self.string(data["status"], _join(path, "status"))
            if status not in ("draft", "submitted", "withdrawn"):
                self.fail(_join(path, "status"), _("%(value)s is not one of %(choices)s", value=_show(status),
                                                   choices="draft, submitted, withdrawn"))
            number = data.get("number")
            if number is None:
                if status != "draft":
                    self.fail(_join(path, "number"), _("is required for a submitted or withdrawn entry"))
            else:
                self.integer(number, _join(path, "number"), minimum=1)
                self.unique(numbers, number, _join(path, "number"))
            nomination = None
            if data.get("nomination") is not None:
                nomination = self.nomination_key(data["nomination"], _join(path, "nomination"))
            entrant = self.person(data["entrant"], _join(path, "entrant"))
            if entrant in judges:
                self.fail(_join(path, "entrant"), _("%(value)s is a judge in this contest and cannot be an entrant",
                                                    value=_show(entrant)))
            submitted_at = self.optional_moment(data, "submitted_at", path)
            if status == "submitted" and submitted_at is None:
                self.fail(_join(path, "submitted_at"), _("is required for a submitted entry"))
            eligible = None
            if data.get("eligible") is not None:
                eligible = self.boolean(data["eligible"], _join(path, "eligible"))
            answers = {}
            answers_path = _join(path, "answers")
            raw_answers = data.get("answers") or {}
            self.obj(raw_answers, answers_path, (), tuple(k for k in fields if fields[k]["type"] != "file"))
            for key, answer in raw_answers.items():
                answers[key] = self.answer(fields[key], answer, _join(answers_path, key), status=status)
            rounds: list[str] | None = None if data.get("rounds") is None else []
            for i, key in enumerate(self.array(data.get("rounds") or [], _join(path, "rounds"))):
                item_path = _join(_join(path, "rounds"), i)
                self.round_key(key, item_path)
                if key in rounds:
                    self.fail(item_path, _("%(value)s appears twice", value=_show(key)))
                rounds.append(key)
            attachments = []
            for i, attachment in enumerate(self.array(data.get("attachments") or [], _join(path, "attachments"))):
                attachments.append(self.attachment(attachment, _join(_join(path, "attachments"), i), fields))
            self.entrants.add(entrant)
            self.plan.entries.append({
                "number": number, "nomination": nomination, "entrant": entrant, "status": status,
                "title": self.optional_string(data, "title", path, max_length=500) or "",
                "organisation": self.optional_string(data, "organisation", path, max_length=500) or "",
                "inn": self.optional_string(data, "inn", path, max_length=12),
                "submitted_at": submitted_at, "eligible": eligible,
                "ineligible_reason": self.optional_string(data, "ineligible_reason", path, max_length=20000),
                "title_checked": self.optional_string(data, "title_checked", path, max_length=500),
                "answers": answers, "rounds": rounds, "attachments": attachments,
            })
            if number is not None:
                self.entries_by_number[number] = self.plan.entries[-1]
                self.entry_paths[number] = path

    def answer(self, form_field: dict, value, path: str, *, status: str = "submitted"):
        if form_field["type"] == "checkbox":
            return self.boolean(value, path)
        if form_field["type"] == "amount" and status != "draft":
            # A submitted answer is a decimal string with two places; a draft keeps what was typed.
            return amount_text(self.money(value, path))
        if isinstance(value, int | Decimal | float) and not isinstance(value, bool) and form_field["type"] == "number":
            return format(self.decimal(value, path), "f")
        return self.string(value, path, max_length=ANSWER_LIMIT)

    def attachment(self, value, path: str, fields: dict) -> dict:
        data = self.obj(value, path, ("name", "size", "sha256"), ("field", "content_type"))
        field_key = self.optional_string(data, "field", path) or ""
        if field_key and (field_key not in fields or fields[field_key]["type"] != "file"):
            self.fail(_join(path, "field"), _("%(value)s is not a file field of the form", value=_show(field_key)))
        sha256 = self.string(data["sha256"], _join(path, "sha256")).lower()
        if not SHA256_PATTERN.match(sha256):
            self.fail(_join(path, "sha256"), _("%(value)s is not a SHA-256 hash", value=_show(data["sha256"])))
        return {
            "field": field_key, "sha256": sha256,
            "name": self.string(data["name"], _join(path, "name"), max_length=255, blank=False),
            "size": self.integer(data["size"], _join(path, "size"), minimum=1, maximum=2**62),
            "content_type": self.optional_string(data, "content_type", path, max_length=200)
            or "application/octet-stream",
        }

    def entry_number(self, value, path: str) -> dict:
        self.integer(value, path, minimum=1)
        if value not in self.entries_by_number:
            self.fail(path, _("entry %(value)s is not in entries", value=value))
        return self.entries_by_number[value]

    def conflicts(self, value) -> None:
        seen: set = set()
        for index, item in enumerate(self.array(value, "conflicts")):
            path = _join("conflicts", index)
            data = self.obj(item, path, ("email", "entry"), ("reason", "source"))
            email = self.person(data["email"], _join(path, "email"))
            entry = self.entry_number(data["entry"], _join(path, "entry"))
            self.unique(seen, (email, entry["number"]), _join(path, "entry"))
            self.conflict_paths[email, entry["number"]] = path
            source = self.string(data.get("source") or "organiser", _join(path, "source"))
            if source not in ("judge", "organiser", "auto"):
                self.fail(_join(path, "source"), _("%(value)s is not one of %(choices)s", value=_show(source),
                                                   choices="judge, organiser, auto"))
            self.plan.conflicts.append({
                "email": email, "entry": entry["number"], "source": source,
                "reason": self.optional_string(data, "reason", path, max_length=20000) or "",
            })

    def _round_entry_judge(self, data: dict, path: str) -> tuple[dict, dict, str]:
        """The (round, entry, judge) of an assignment or review, with its references checked.

        The judge must be an accepted member of the round's jury and have no conflict with the entry,
        as in the app (a conflict withdraws the judge's assignments and reviews of the entry). In a
        document without a jury list, the judge joins the round's jury (accepted); an entry whose
        `rounds` are not given joins the rounds it is assigned or reviewed in.
        """
        round_plan = self.round_key(data["round"], _join(path, "round"))
        entry = self.entry_number(data["entry"], _join(path, "entry"))
        if entry["rounds"] is None:
            entry.setdefault("inferred_rounds", set()).add(round_plan["key"])
        elif round_plan["key"] not in entry["rounds"]:
            self.fail(_join(path, "entry"), _("entry %(value)s is not in round %(round)s (%(other)s)",
                                              value=entry["number"], round=_show(round_plan["key"]),
                                              other=_join(self.entry_paths[entry["number"]], "rounds")))
        email = self.person(data["email"], _join(path, "email"))
        conflict = self.conflict_paths.get((email, entry["number"]))
        if conflict is not None:
            self.fail(_join(path, "email"), _(
                "%(value)s has a conflict of interest with entry %(number)s (%(other)s): a judge has no "
                "assignment or review of such an entry", value=_show(email), number=entry["number"], other=conflict))
        member, status = self.jury_paths.get((round_plan["key"], email), (None, None))
        if member is not None:
            if status != "accepted":
                self.fail(_join(path, "email"), _(
                    "%(value)s is not an accepted member of the jury of round %(round)s (%(other)s is %(status)s)",
                    value=_show(email), round=_show(round_plan["key"]), other=_join(member, "status"),
                    status=_show(status)))
        elif self.jury_listed:
            self.fail(_join(path, "email"), _(
                "%(value)s is not on the jury of round %(round)s (%(other)s)", value=_show(email),
                round=_show(round_plan["key"]), other="jury"))
        if (round_plan["key"], email) not in self.jury_keys:
            if email in self.entrants:
                self.fail(_join(path, "email"), _("%(value)s is an entrant in this contest and cannot be a judge",
                                                  value=_show(email)))
            self.jury_keys.add((round_plan["key"], email))
            self.plan.jury.append({"round": round_plan["key"], "email": email, "nominations": [],
                                   "status": "accepted", "max_load": None, "organisation": None, "inn": None})
        return round_plan, entry, email

    def assignments(self, value) -> None:
        seen: set = set()
        for index, item in enumerate(self.array(value, "assignments")):
            path = _join("assignments", index)
            data = self.obj(item, path, ("round", "entry", "email"))
            round_plan, entry, email = self._round_entry_judge(data, path)
            self.unique(seen, (round_plan["key"], entry["number"], email), path)
            if entry["status"] != "submitted" or entry["eligible"] is not True:
                # The app assigns only the round's submitted entries screened eligible.
                entry_path = self.entry_paths[entry["number"]]
                self.fail(_join(path, "entry"), _(
                    "entry %(number)s is not a submitted entry screened eligible (%(other)s): only those "
                    "are assigned to judges", number=entry["number"],
                    other=_join(entry_path, "status" if entry["status"] != "submitted" else "eligible")))
            self.plan.assignments.append({"round": round_plan["key"], "entry": entry["number"], "email": email})

    def reviews(self, value) -> None:
        seen: set = set()
        for index, item in enumerate(self.array(value, "reviews")):
            path = _join("reviews", index)
            data = self.obj(item, path, ("round", "entry", "email", "status"),
                            ("submitted_at", "scores", "comments", "comment", "feedback"))
            round_plan, entry, email = self._round_entry_judge(data, path)
            self.unique(seen, (round_plan["key"], entry["number"], email), path)
            status = self.string(data["status"], _join(path, "status"))
            if status not in ("draft", "submitted"):
                self.fail(_join(path, "status"), _("%(value)s is not one of %(choices)s", value=_show(status),
                                                   choices="draft, submitted"))
            criteria = {c["key"]: c for c in round_plan["criteria"]}
            scores_path = _join(path, "scores")
            raw_scores = self.obj(data.get("scores") or {}, scores_path, (), tuple(criteria))
            scores = {}
            for key, score in raw_scores.items():
                if score is None and status == "draft":
                    continue
                if isinstance(score, str) and re.fullmatch(r"-?\d{1,10}", score.strip()):
                    score = int(score)
                scores[key] = self.integer(score, _join(scores_path, key), minimum=criteria[key]["min"],
                                           maximum=criteria[key]["max"])
            if status == "submitted":
                for key in criteria:
                    if key not in scores:
                        self.fail(_join(scores_path, key), _("is required in a submitted review"))
            comments_path = _join(path, "comments")
            raw_comments = self.obj(data.get("comments") or {}, comments_path, (), tuple(criteria))
            comments = {key: self.string(text, _join(comments_path, key), max_length=20000)
                        for key, text in raw_comments.items()}
            submitted_at = self.optional_moment(data, "submitted_at", path)
            self.plan.reviews.append({
                "round": round_plan["key"], "entry": entry["number"], "email": email, "status": status,
                "submitted_at": submitted_at, "scores": scores, "comments": comments,
                "comment": self.optional_string(data, "comment", path, max_length=20000) or "",
                "feedback": self.optional_string(data, "feedback", path, max_length=20000) or "",
            })


def validate_document(document) -> _Plan:
    """Checks the whole document; raises ExchangeError at the first bad value."""
    return _Validator(document).run()


