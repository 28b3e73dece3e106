"""The results of a contest in the exchange document (version 2, `contest-exchange.md` "Additions
after v1"): frozen snapshots, awards, publication (with its corrections) and the audit log.

Everything names rounds, criteria and nominations by key, entries by number and people by e-mail,
never by database id, so a contest moved to another installation shows the same results and
export → import → export gives an equal document.

- `snapshots`: every ranking snapshot of every round, oldest first: `round`, `created_at`,
  `created_by` (e-mail or null), `superseded_at` (null for the current one: the round is then
  finalised, at `created_at`, by `created_by`) and `ranking`, the frozen ranking (results.reading's
  snapshot format with ids turned into keys, numbers and e-mails).
- `awards`: `entry` (number), `nomination` (key or null), `place` (or null for a special prize),
  `title` (localised, optional).
- `publication`: `{"published_at": …}` when the results are published.
- `funding`: per finalised round with a funding plan (DESIGN §3b): `round`, `rule`, `objective`,
  `show_amounts`, `cuts` (`entry`, `amount`, `reason`), and once confirmed `confirmed_at`,
  `confirmed_by` and `allocation`, the frozen allocation as `flask funding --format json` prints it
  (with `currency`, `min_grant`, `max_grant`, each fund's `edge` and each entry's `cut`), so a
  contest moved to another installation keeps the grants it confirmed.
- `audit`: the contest's audit log, oldest first: `at`, `actor` (e-mail or null), `action`,
  `object_type`, `object` (a portable reference or null), `old`, `new`, `reason`. Corrections of the
  published results are its `results.correct` events. The importing installation's own
  `contest.import` events stay with it (each installation records its own import).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import (
    AuditEvent,
    Award,
    Contest,
    Criterion,
    Entry,
    FormField,
    FundingPlan,
    JuryMember,
    Nomination,
    RankingSnapshot,
    Review,
    Round,
    User,
)
from app.services.results.reading import STATISTICS_MAX_RESAMPLES

V2_KEYS = ("snapshots", "awards", "publication", "funding", "audit")
FUNDING_RULES = ("strict", "skip", "best")
FUNDING_OBJECTIVES = ("score", "count")
LOCAL_ACTIONS = ("contest.import",)
ROW_KEYS = ("entry", "nomination", "rank", "score", "shown", "reviews", "sum", "min", "max", "flagged",
            "below_pass_mark", "tie_values", "tie_broken_by", "submitted_at", "criteria")
RANKING_KEYS = ("version", "round", "method", "pass_mark", "maximum", "criteria", "tie_break", "rows", "judges",
                "statistics")


# --- export ------------------------------------------------------------------------------------

class _Ids:
    """Database ids of one contest turned into portable names, and back."""

    def __init__(self, contest: Contest):
        rounds = list(db.session.scalars(sa.select(Round).where(Round.contest_id == contest.id)))
        self.round_key = {r.id: r.key for r in rounds}
        self.round_id = {r.key: r.id for r in rounds}
        self.criterion = {c.id: (self.round_key[c.round_id], c.key) for c in db.session.scalars(
            sa.select(Criterion).where(Criterion.round_id.in_(list(self.round_key))))} if rounds else {}
        self.criterion_id = {value: key for key, value in self.criterion.items()}
        self.nomination_key = dict(db.session.execute(
            sa.select(Nomination.id, Nomination.key).where(Nomination.contest_id == contest.id)).all())
        self.nomination_id = {key: value for value, key in self.nomination_key.items()}
        self.entry_number = dict(db.session.execute(
            sa.select(Entry.id, Entry.number).where(Entry.contest_id == contest.id)).all())
        self.entry_id = {number: value for value, number in self.entry_number.items() if number is not None}
        self.field_key = dict(db.session.execute(
            sa.select(FormField.id, FormField.key).where(FormField.contest_id == contest.id)).all())
        self.field_id = {key: value for value, key in self.field_key.items()}
        self._emails: dict[int, str] = {}
        self._users: dict[str, int] = {}

    def email(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self._emails:
            self._emails[user_id] = db.session.scalar(sa.select(User.email).where(User.id == user_id))
        return self._emails[user_id]

    def user_id(self, email: str | None) -> int | None:
        if email is None:
            return None
        if email not in self._users:
            self._users[email] = db.session.scalar(sa.select(User.id).where(User.email == email))
        return self._users[email]


def people_named(contest: Contest) -> set[str]:
    """The e-mails the results part names (audit actors, snapshot authors and judges), so the
    document's people list has them."""
    ids = _Ids(contest)
    users = set(db.session.scalars(sa.select(AuditEvent.actor_id).where(
        AuditEvent.contest_id == contest.id, AuditEvent.actor_id.is_not(None),
        AuditEvent.action.not_in(LOCAL_ACTIONS)).distinct()))
    for snapshot in _snapshots(ids):
        if snapshot.created_by_id is not None:
            users.add(snapshot.created_by_id)
        users |= {judge["judge_id"] for judge in snapshot.data.get("judges", [])}
    return {email for user_id in users if (email := ids.email(user_id))}


def _snapshots(ids: _Ids) -> list[RankingSnapshot]:
    if not ids.round_key:
        return []
    return list(db.session.scalars(
        sa.select(RankingSnapshot).where(RankingSnapshot.round_id.in_(list(ids.round_key)))
        .order_by(RankingSnapshot.created_at, RankingSnapshot.id)))


def export_results_part(contest: Contest, when) -> dict:
    """The version-2 keys of the document: snapshots, awards, publication, audit."""
    ids = _Ids(contest)
    part: dict = {"snapshots": [
        {"round": ids.round_key[s.round_id], "created_at": when(s.created_at), "created_by": ids.email(s.created_by_id),
         "superseded_at": when(s.superseded_at), "ranking": _portable_ranking(s.data, ids)}
        for s in _snapshots(ids)
    ]}
    awards = []
    for award in db.session.scalars(
            sa.select(Award).where(Award.contest_id == contest.id)
            .outerjoin(Nomination, Nomination.id == Award.nomination_id)
            .order_by(Nomination.position.nulls_last(), Award.place.nulls_last(), Award.id)):
        item = {"entry": ids.entry_number[award.entry_id], "nomination": ids.nomination_key.get(award.nomination_id),
                "place": award.place}
        title = {lang: text for lang in ("en", "ru") if (text := getattr(award, f"title_{lang}"))}
        if title:
            item["title"] = title
        awards.append(item)
    part["awards"] = awards
    if contest.results_published_at is not None:
        part["publication"] = {"published_at": when(contest.results_published_at)}
    part["funding"] = [_portable_plan(plan, ids, when) for plan in db.session.scalars(
        sa.select(FundingPlan).join(Round, Round.id == FundingPlan.round_id)
        .where(Round.contest_id == contest.id).order_by(Round.position, Round.id))]
    part["audit"] = [
        {"at": when(event.at), "actor": ids.email(event.actor_id), "action": event.action,
         "object_type": event.object_type, "object": _portable_object(event.object_type, event.object_id, ids),
         "old": event.old, "new": event.new, "reason": event.reason}
        for event in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.contest_id == contest.id,
                                        AuditEvent.action.not_in(LOCAL_ACTIONS))
            .order_by(AuditEvent.at, AuditEvent.id))
    ]
    return part


def _portable_plan(plan: FundingPlan, ids: _Ids, when) -> dict:
    """A funding plan with entries by number and people by e-mail (the stored ids left out)."""
    item = {"round": ids.round_key[plan.round_id], "rule": plan.rule, "objective": plan.objective,
            "show_amounts": plan.show_amounts,
            "cuts": sorted(({"entry": ids.entry_number[int(entry_id)], "amount": cut["amount"], "reason": cut["reason"]}
                            for entry_id, cut in (plan.cuts or {}).items()), key=lambda cut: cut["entry"])}
    if plan.confirmed_at is not None and plan.data:
        item["confirmed_at"] = when(plan.confirmed_at)
        item["confirmed_by"] = ids.email(plan.confirmed_by_id)
        allocation = {key: value for key, value in plan.data.items() if key not in ("cuts", "granted", "funds")}
        allocation["funds"] = [
            {**fund, **{side: [{key: value for key, value in entry.items() if key != "entry_id"}
                               for entry in fund[side]] for side in ("funded", "skipped")}}
            for fund in plan.data["funds"]]
        item["allocation"] = allocation
    return item


def _portable_ranking(data: dict, ids: _Ids) -> dict:
    ranking = {key: value for key, value in data.items() if key not in ("rows", "criteria", "tie_break", "judges")}
    if "criteria" in data:
        ranking["criteria"] = [{key: value for key, value in c.items() if key != "id"} for c in data["criteria"]]
    if "tie_break" in data:
        ranking["tie_break"] = [ids.criterion.get(cid, (None, None))[1] for cid in data["tie_break"]]
    ranking["rows"] = []
    for row in data["rows"]:
        item = {"entry": ids.entry_number.get(row["entry_id"]),
                "nomination": ids.nomination_key.get(row["nomination_id"])}
        item.update({key: value for key, value in row.items() if key not in ("entry_id", "number", "nomination_id",
                                                                             "criteria")})
        if "criteria" in row:
            item["criteria"] = {ids.criterion.get(int(cid), (None, cid))[1]: parts
                                for cid, parts in row["criteria"].items()}
        ranking["rows"].append(item)
    if "judges" in data:
        ranking["judges"] = [{"email": ids.email(j["judge_id"]), "name": j["name"], "totals_cents": j["totals_cents"]}
                             for j in data["judges"]]
    return ranking


def _portable_object(object_type: str, object_id: int | None, ids: _Ids) -> dict | None:
    if object_id is None:
        return None
    if object_type == "round" and object_id in ids.round_key:
        return {"round": ids.round_key[object_id]}
    if object_type == "criterion" and object_id in ids.criterion:
        round_key, key = ids.criterion[object_id]
        return {"round": round_key, "criterion": key}
    if object_type == "entry" and ids.entry_number.get(object_id) is not None:
        return {"entry": ids.entry_number[object_id]}
    if object_type == "form_field" and object_id in ids.field_key:
        return {"field": ids.field_key[object_id]}
    if object_type == "user" and (email := ids.email(object_id)):
        return {"email": email}
    if object_type == "review":
        review = db.session.get(Review, object_id)
        if review is not None and review.round_id in ids.round_key and ids.entry_number.get(review.entry_id):
            return {"round": ids.round_key[review.round_id], "entry": ids.entry_number[review.entry_id],
                    "email": ids.email(review.judge_id)}
    if object_type == "jury_member":
        member = db.session.get(JuryMember, object_id)
        if member is not None and member.round_id in ids.round_key:
            return {"round": ids.round_key[member.round_id], "email": member.email}
    if object_type == "award":
        award = db.session.get(Award, object_id)
        if award is not None and ids.entry_number.get(award.entry_id):
            return {"entry": ids.entry_number[award.entry_id], "place": award.place,
                    "title": award.title_en or award.title_ru or None}
    return None


# --- validation ----------------------------------------------------------------------------------

def validate_results_part(check, top: dict) -> dict:
    """Checks the version-2 keys with the document validator `check` (its helpers name the path of
    the first bad value); returns them ready to write."""
    plan: dict = {"snapshots": [], "awards": [], "publication": None, "funding": [], "audit": []}
    for index, item in enumerate(check.array(top.get("snapshots") or [], "snapshots")):
        path = f"snapshots[{index}]"
        data = check.obj(item, path, ("round", "created_at", "ranking"), ("created_by", "superseded_at"))
        round_plan = check.round_key(data["round"], f"{path}.round")
        created_by = None if data.get("created_by") is None else check.person(data["created_by"], f"{path}.created_by")
        ranking = _check_ranking(check, data["ranking"], f"{path}.ranking", round_plan)
        plan["snapshots"].append({"round": round_plan["key"], "created_at": check.moment(data["created_at"],
                                                                                         f"{path}.created_at"),
                                  "created_by": created_by,
                                  "superseded_at": check.optional_moment(data, "superseded_at", path),
                                  "ranking": ranking})
    current = [s["round"] for s in plan["snapshots"] if s["superseded_at"] is None]
    for key in set(current):
        if current.count(key) > 1:
            check.fail("snapshots", _("round %(round)s has more than one current snapshot", round=key))
    seen_places: set = set()
    for index, item in enumerate(check.array(top.get("awards") or [], "awards")):
        path = f"awards[{index}]"
        data = check.obj(item, path, ("entry",), ("nomination", "place", "title"))
        entry = check.entry_number(data["entry"], f"{path}.entry")
        nomination = None if data.get("nomination") is None else check.nomination_key(data["nomination"],
                                                                                      f"{path}.nomination")
        place = None if data.get("place") is None else check.integer(data["place"], f"{path}.place", minimum=1)
        title = check.localised(data.get("title"), f"{path}.title", 300, required=place is None)
        if place is not None:
            check.unique(seen_places, (nomination, place), f"{path}.place")
        plan["awards"].append({"entry": entry["number"], "nomination": nomination, "place": place, "title": title})
    if top.get("publication") is not None:
        data = check.obj(top["publication"], "publication", ("published_at",))
        plan["publication"] = {"published_at": check.moment(data["published_at"], "publication.published_at")}
    finalised = {s["round"] for s in plan["snapshots"] if s["superseded_at"] is None}
    seen_rounds: set = set()
    for index, item in enumerate(check.array(top.get("funding") or [], "funding")):
        plan["funding"].append(_check_funding_plan(check, item, f"funding[{index}]", finalised, seen_rounds))
    for index, item in enumerate(check.array(top.get("audit") or [], "audit")):
        path = f"audit[{index}]"
        data = check.obj(item, path, ("at", "action", "object_type"), ("actor", "object", "old", "new", "reason"))
        actor = None if data.get("actor") is None else check.person(data["actor"], f"{path}.actor")
        for name in ("old", "new", "object"):
            if data.get(name) is not None and not isinstance(data[name], dict):
                check.fail(f"{path}.{name}", _("must be an object"))
        plan["audit"].append({
            "at": check.moment(data["at"], f"{path}.at"), "actor": actor,
            "action": check.string(data["action"], f"{path}.action", max_length=64, blank=False),
            "object_type": check.string(data["object_type"], f"{path}.object_type", max_length=32, blank=False),
            "object": data.get("object"), "old": _plain(data.get("old")), "new": _plain(data.get("new")),
            "reason": check.optional_string(data, "reason", path, max_length=20000),
        })
    return plan


def _check_funding_plan(check, item, path: str, finalised: set, seen_rounds: set) -> dict:
    """One round's funding plan: only for a finalised round (the app has none before), once per round;
    an allocation only with its confirmation, naming entries of the document and amounts as strings."""
    data = check.obj(item, path, ("round", "rule"),
                     ("objective", "show_amounts", "cuts", "confirmed_at", "confirmed_by", "allocation"))
    round_key = check.round_key(data["round"], f"{path}.round")["key"]
    if round_key not in finalised:
        check.fail(f"{path}.round", _("round %(round)s is not finalised, so it has no funding", round=round_key))
    check.unique(seen_rounds, round_key, f"{path}.round")
    rule, objective = data["rule"], data.get("objective", "score")
    if rule not in FUNDING_RULES:
        check.fail(f"{path}.rule", _("must be one of %(values)s", values=", ".join(FUNDING_RULES)))
    if objective not in FUNDING_OBJECTIVES:
        check.fail(f"{path}.objective", _("must be one of %(values)s", values=", ".join(FUNDING_OBJECTIVES)))
    cuts = {}
    for i, cut in enumerate(check.array(data.get("cuts") or [], f"{path}.cuts")):
        cut_path = f"{path}.cuts[{i}]"
        cut = check.obj(cut, cut_path, ("entry", "amount", "reason"))
        number = check.entry_number(cut["entry"], f"{cut_path}.entry")["number"]
        check.unique(set(cuts), number, f"{cut_path}.entry")
        cuts[number] = {"amount": str(check.money(cut["amount"], f"{cut_path}.amount")),
                        "reason": check.string(cut["reason"], f"{cut_path}.reason", max_length=2000, blank=False)}
    confirmed = data.get("confirmed_at") is not None
    if confirmed != (data.get("allocation") is not None):
        check.fail(path, _("a confirmed allocation needs both confirmed_at and allocation"))
    allocation = None
    if confirmed:
        allocation = check.obj(data["allocation"], f"{path}.allocation", ("round", "rule", "funds"), ("objective",))
        if allocation["round"] != round_key or allocation["rule"] != rule:
            check.fail(f"{path}.allocation", _("names another round or rule than its plan"))
        for f, fund in enumerate(check.array(allocation["funds"], f"{path}.allocation.funds")):
            fund_path = f"{path}.allocation.funds[{f}]"
            check.obj(fund, fund_path, ("nomination", "amount", "allocated", "left", "funded", "skipped"),
                      ("currency", "min_grant", "max_grant", "edge"))
            for side in ("funded", "skipped"):
                for e, entry in enumerate(check.array(fund[side], f"{fund_path}.{side}")):
                    entry_path = f"{fund_path}.{side}[{e}]"
                    entry = check.obj(entry, entry_path, ("entry", "place", "requested"),
                                      ("granted", "reason", "cut"))
                    check.entry_number(entry["entry"], f"{entry_path}.entry")
                    if side == "funded":
                        check.money(entry.get("granted"), f"{entry_path}.granted")
        allocation = _plain(allocation)
    return {"round": round_key, "rule": rule, "objective": objective,
            "show_amounts": check.boolean(data.get("show_amounts", False), f"{path}.show_amounts"),
            "cuts": cuts, "allocation": allocation,
            "confirmed_at": check.moment(data["confirmed_at"], f"{path}.confirmed_at") if confirmed else None,
            "confirmed_by": None if data.get("confirmed_by") is None
            else check.person(data["confirmed_by"], f"{path}.confirmed_by")}


def _plain(value):
    """JSON read with exact decimals back to plain JSON values for the audit columns."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _check_ranking(check, value, path: str, round_plan: dict) -> dict:
    data = check.obj(value, path, ("rows",), RANKING_KEYS)
    criteria = {c["key"] for c in round_plan["criteria"]}
    for i, key in enumerate(check.array(data.get("tie_break") or [], f"{path}.tie_break")):
        if key not in criteria:
            check.fail(f"{path}.tie_break[{i}]", _("%(value)s is not a criterion of this round", value=key))
    for i, item in enumerate(check.array(data.get("criteria") or [], f"{path}.criteria")):
        criterion = check.obj(item, f"{path}.criteria[{i}]", ("key",), ("title_ru", "title_en", "weight", "min", "max"))
        if criterion["key"] not in criteria:
            check.fail(f"{path}.criteria[{i}].key", _("%(value)s is not a criterion of this round",
                                                      value=criterion["key"]))
    for i, row in enumerate(check.array(data["rows"], f"{path}.rows")):
        row_path = f"{path}.rows[{i}]"
        check.obj(row, row_path, ("entry",), ROW_KEYS)
        entry = check.entry_number(row["entry"], f"{row_path}.entry")
        if round_plan["key"] not in (entry.get("rounds") or []) and entry.get("rounds") is not None:
            check.fail(f"{row_path}.entry", _("entry %(value)s is not in this round", value=row["entry"]))
        if row.get("nomination") is not None:
            check.nomination_key(row["nomination"], f"{row_path}.nomination")
        check.obj(row.get("criteria") or {}, f"{row_path}.criteria", (), tuple(criteria))
    for i, judge in enumerate(check.array(data.get("judges") or [], f"{path}.judges")):
        item = check.obj(judge, f"{path}.judges[{i}]", ("email", "totals_cents"), ("name",))
        check.person(item["email"], f"{path}.judges[{i}].email")
    if data.get("statistics") is not None:
        # The seed and count of the statistics' resampling (app.services.statistics), kept with the snapshot.
        settings = check.obj(data["statistics"], f"{path}.statistics", ("seed", "resamples"), ())
        check.integer(settings["seed"], f"{path}.statistics.seed", minimum=0)
        check.integer(settings["resamples"], f"{path}.statistics.resamples", minimum=1,
                      maximum=STATISTICS_MAX_RESAMPLES)
    return _plain(data)


# --- import --------------------------------------------------------------------------------------

def import_results_part(contest: Contest, plan: dict) -> None:
    """Writes the validated version-2 keys into the freshly imported contest."""
    db.session.flush()
    ids = _Ids(contest)
    rounds = {r.key: r for r in db.session.scalars(sa.select(Round).where(Round.contest_id == contest.id))}
    for item in plan["snapshots"]:
        round_ = rounds[item["round"]]
        snapshot = RankingSnapshot(round_id=round_.id, created_at=item["created_at"],
                                   created_by_id=ids.user_id(item["created_by"]), superseded_at=item["superseded_at"],
                                   data=_local_ranking(item["ranking"], round_.key, ids))
        db.session.add(snapshot)
        if item["superseded_at"] is None:
            round_.finalised_at = item["created_at"]
            round_.finalised_by_id = snapshot.created_by_id
    for item in plan["awards"]:
        db.session.add(Award(contest_id=contest.id, entry_id=ids.entry_id[item["entry"]],
                             nomination_id=ids.nomination_id.get(item["nomination"]), place=item["place"],
                             title_ru=item["title"].get("ru", ""), title_en=item["title"].get("en", "")))
    if plan["publication"] is not None:
        contest.results_published_at = plan["publication"]["published_at"]
    for item in plan["funding"]:
        db.session.add(_local_plan(item, rounds[item["round"]], ids))
    db.session.flush()
    rows = [{"contest_id": contest.id, "actor_id": ids.user_id(item["actor"]), "at": item["at"],
             "action": item["action"], "object_type": item["object_type"],
             "object_id": _local_object(item["object_type"], item["object"], ids), "old": item["old"],
             "new": item["new"], "reason": item["reason"]} for item in plan["audit"]]
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)


def _local_plan(item: dict, round_: Round, ids: _Ids) -> FundingPlan:
    """The funding plan back with this installation's ids, as `funding.allocation` stores it."""
    cuts = {str(ids.entry_id[number]): cut for number, cut in item["cuts"].items()}
    data = None
    if item["allocation"] is not None:
        data = {**item["allocation"], "cuts": cuts}
        data["funds"] = [
            {**fund, **{side: [{**entry, "entry_id": ids.entry_id[entry["entry"]]} for entry in fund[side]]
                        for side in ("funded", "skipped")}}
            for fund in item["allocation"]["funds"]]
        data["granted"] = {str(entry["entry_id"]): entry["granted"]
                           for fund in data["funds"] for entry in fund["funded"]}
    return FundingPlan(round_id=round_.id, rule=item["rule"], objective=item["objective"], cuts=cuts,
                       show_amounts=item["show_amounts"], confirmed_at=item["confirmed_at"],
                       confirmed_by_id=ids.user_id(item["confirmed_by"]), data=data)


def _local_ranking(ranking: dict, round_key: str, ids: _Ids) -> dict:
    data = {key: value for key, value in ranking.items() if key not in ("rows", "criteria", "tie_break", "judges")}
    if "criteria" in ranking:
        data["criteria"] = [{"id": ids.criterion_id[round_key, c["key"]], **c} for c in ranking["criteria"]]
    if "tie_break" in ranking:
        data["tie_break"] = [ids.criterion_id[round_key, key] for key in ranking["tie_break"]]
    data["rows"] = []
    for row in ranking["rows"]:
        item = {"entry_id": ids.entry_id[row["entry"]], "number": row["entry"],
                "nomination_id": ids.nomination_id.get(row.get("nomination"))}
        item.update({key: value for key, value in row.items() if key not in ("entry", "nomination", "criteria")})
        if "criteria" in row:
            item["criteria"] = {str(ids.criterion_id[round_key, key]): parts for key, parts in row["criteria"].items()}
        data["rows"].append(item)
    if "judges" in ranking:
        data["judges"] = [{"judge_id": ids.user_id(j["email"]), "name": j.get("name", ""),
                           "totals_cents": j["totals_cents"]} for j in ranking["judges"]]
    return data


def _local_object(object_type: str, ref: dict | None, ids: _Ids) -> int | None:
    if not ref:
        return None
    if object_type == "round":
        return ids.round_id.get(ref.get("round"))
    if object_type == "criterion":
        return ids.criterion_id.get((ref.get("round"), ref.get("criterion")))
    if object_type == "entry":
        return ids.entry_id.get(ref.get("entry"))
    if object_type == "form_field":
        return ids.field_id.get(ref.get("field"))
    if object_type == "user":
        return ids.user_id(ref.get("email"))
    if object_type == "review":
        return db.session.scalar(sa.select(Review.id).where(
            Review.round_id == ids.round_id.get(ref.get("round")),
            Review.entry_id == ids.entry_id.get(ref.get("entry")),
            Review.judge_id == ids.user_id(ref.get("email"))))
    if object_type == "jury_member":
        return db.session.scalar(sa.select(JuryMember.id).where(
            JuryMember.round_id == ids.round_id.get(ref.get("round")), JuryMember.email == ref.get("email")))
    if object_type == "award":
        for award in db.session.scalars(sa.select(Award).where(Award.entry_id == ids.entry_id.get(ref.get("entry")))):
            if award.place == ref.get("place") and (award.title_en or award.title_ru or None) == ref.get("title"):
                return award.id
    return None
