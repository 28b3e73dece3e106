"""A finalised round's allocation under its funds (DESIGN §3b), and what may change when (§3a).

The candidates of a fund come from the round's frozen results (`results.reading.round_results`),
so the proposal always reads one ranking. Nomination funds are allocated first; a contest-wide
fund then takes the candidates of every nomination merged by exact score, then their order in the
nomination, then the nomination's order, leaving out entries its nomination's fund already funds.

The allocation of a round is a `FundingPlan`: the rule chosen, the organiser's cuts (each with a
reason: the cut amount replaces the entry's ask, so the rule recomputes what is left), and, once
confirmed, the allocation frozen as JSON (`data`), which every later reading uses.

Each §3a rule is one function, asked by the pages, the CLI and the import alike:
`allocation_refusal` (propose, cut, confirm only in a finalised round with no confirmed
allocation), `withdraw_refusal` (a published allocation changes only after the publication is
withdrawn), `funds.fund_change_refusal` (funds are locked under a confirmed allocation).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.models import Entry, FormField, Fund, FundingPlan, Round, User
from app.services.funding import rules
from app.services.funding.funds import contest_funds, funds_currency_problem, requested_currency
from app.services.funding.rules import Candidate, FundProposal
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.money import amount_or_none, amount_text, currency_mismatch
from app.services.results.ranking import RoundRanking
from app.services.results.reading import round_results

KOPECKS = 100


class FundingError(ValueError):
    """An allocation step the rules do not allow now; the message is translated."""


def _kopecks(value: Decimal | None) -> int | None:
    return None if value is None else int(Decimal(value) * KOPECKS)


def _money(kopecks: int | None) -> str | None:
    return None if kopecks is None else amount_text(Decimal(kopecks) / KOPECKS)


@dataclass
class FundEdge:
    """Where a fund's money ran out: the last funded place, the first candidate not funded (the
    cut line), and whether equal scores there were told apart by the round's tie-breaks."""

    nomination_id: int | None
    last_funded_place: int | None
    first_unfunded_place: int | None
    tie: bool = False
    tie_entries: tuple[int, int] | None = None   # entry numbers: funded, not funded


@dataclass
class FundResult:
    fund: Fund
    candidates: list[Candidate]
    proposal: FundProposal
    edge: FundEdge


# --- the rules of what may change when (§3a) -----------------------------------------------------

def get_plan(round_: Round) -> FundingPlan | None:
    return db.session.scalar(sa.select(FundingPlan).where(FundingPlan.round_id == round_.id))


def proposal_refusal(round_: Round) -> str | None:
    """Proposing (the page, `flask funding`, the API): only from a finalised round, and only while
    the funds and the requested amounts share one currency."""
    if round_.finalised_at is None:
        return _("Funding is proposed from a finalised round: finalise the round first.")
    return funds_currency_problem(round_.contest)


def allocation_refusal(round_: Round) -> str | None:
    """Choosing a rule, cutting and confirming: as proposing, and only while the allocation is
    not confirmed."""
    refusal = proposal_refusal(round_)
    if refusal:
        return refusal
    plan = get_plan(round_)
    if plan is not None and plan.confirmed_at is not None:
        return _("The allocation is confirmed and frozen: withdraw the confirmation first.")
    return None


def withdraw_refusal(round_: Round) -> str | None:
    """A confirmed allocation is withdrawn only before publication (publication is an act)."""
    plan = get_plan(round_)
    if plan is None or plan.confirmed_at is None:
        return _("The allocation is not confirmed.")
    if round_.contest.is_published:
        return _("The results are published: withdraw the publication first.")
    return None


# --- candidates ----------------------------------------------------------------------------------

def requested_amounts(round_: Round, entry_ids: list[int]) -> tuple[dict[int, int], str | None]:
    """Per entry, its requested amount in kopecks (one query), and the requested field's currency."""
    field = db.session.scalar(sa.select(FormField).where(
        FormField.contest_id == round_.contest_id, FormField.type == "amount", FormField.requested.is_(True)))
    if field is None or not entry_ids:
        return {}, field.currency if field is not None else None
    rows = db.session.execute(
        sa.select(Entry.id, Entry.answers[field.key].as_string()).where(Entry.id.in_(entry_ids))).all()
    amounts = {}
    for entry_id, text in rows:
        amount = amount_or_none(text)
        if amount is not None:
            amounts[entry_id] = _kopecks(amount)
    return amounts, field.currency


def _score(row) -> Fraction | float:
    return row.score if row.score is not None else Fraction(0)


def fund_candidates(ranking: RoundRanking, funds: list[Fund], requested: dict[int, int]) -> dict[int, list[Candidate]]:
    """Per fund id, its candidates in order (DESIGN §3b): rated, not below the pass mark."""
    eligible = [row for row in ranking.rows if row.can_advance]
    by_fund: dict[int, list[Candidate]] = {}
    for fund in funds:
        if fund.nomination_id is not None:
            rows = [row for row in eligible if row.nomination_id == fund.nomination_id]
            by_fund[fund.id] = [Candidate(entry_id=row.entry_id, place=row.rank, score=_score(row),
                                          requested=requested.get(row.entry_id)) for row in rows]
        else:
            def order(row):
                position = row.nomination_position if row.nomination_position is not None else 10**9
                return (-_score(row), row.rank, position, row.nomination_id or 0)

            rows = sorted(eligible, key=order)
            by_fund[fund.id] = [Candidate(entry_id=row.entry_id, place=index, score=_score(row),
                                          requested=requested.get(row.entry_id))
                                for index, row in enumerate(rows, start=1)]
    return by_fund


def _cuts(plan: FundingPlan | None) -> dict[int, int]:
    if plan is None:
        return {}
    return {int(entry_id): _kopecks(Decimal(cut["amount"])) for entry_id, cut in (plan.cuts or {}).items()}


def round_proposals(round_: Round, *, rule: str, objective: str = "score",
                    cuts: dict[int, int] | None = None, ranking: RoundRanking | None = None,
                    requested: dict[int, int] | None = None, currency: str | None = None) -> list[FundResult]:
    """Every fund's proposal by `rule` over the round's results, with the plan's cuts (kopecks)
    unless `cuts` is given. `requested` and its `currency` spare reading them again."""
    if rule not in rules.RULES:
        raise FundingError(_("Unknown rule: %(rule)s.", rule=rule))
    if objective not in rules.OBJECTIVES:
        raise FundingError(_("Unknown objective: %(objective)s.", objective=objective))
    ranking = ranking or round_results(round_)
    if requested is None:
        requested, currency = requested_amounts(round_, [row.entry_id for row in ranking.rows if row.can_advance])
    elif currency is None:
        currency = requested_currency(round_.contest_id)
    funds = contest_funds(round_.contest)
    mismatch = currency_mismatch(currency, [fund.currency for fund in funds])
    if mismatch:
        raise FundingError(mismatch)
    cuts = _cuts(get_plan(round_)) if cuts is None else cuts
    by_fund = fund_candidates(ranking, funds, requested)
    rows = ranking.by_entry()
    funded_by_nomination: set[int] = set()
    results = []
    for fund in funds:
        candidates = by_fund[fund.id]
        if fund.nomination_id is None:
            candidates = [c for c in candidates if c.entry_id not in funded_by_nomination]
            for index, candidate in enumerate(candidates, start=1):
                candidate.place = index
        rules.prepare(candidates, min_grant=_kopecks(fund.min_grant), max_grant=_kopecks(fund.max_grant),
                      cuts=cuts)
        proposal = rules.propose(rule, candidates, _kopecks(fund.amount), objective=objective)
        if fund.nomination_id is not None:
            funded_by_nomination.update(c.entry_id for c in proposal.funded)
        results.append(FundResult(fund=fund, candidates=candidates, proposal=proposal,
                                  edge=_edge(fund, candidates, proposal, rows)))
    return results


def _edge(fund: Fund, candidates: list[Candidate], proposal: FundProposal, rows: dict) -> FundEdge:
    funded = {c.entry_id for c in proposal.funded}
    last = max((c.place for c in proposal.funded), default=None)
    first_out = next((c.place for c in candidates if c.excluded is None and c.entry_id not in funded), None)
    edge = FundEdge(nomination_id=fund.nomination_id, last_funded_place=last, first_unfunded_place=first_out)
    for above, below in zip(candidates, candidates[1:], strict=False):
        if above.entry_id in funded and below.entry_id not in funded and below.excluded is None \
                and above.score == below.score:
            edge.tie = True
            edge.tie_entries = (rows[above.entry_id].number, rows[below.entry_id].number)
            break
    return edge


# --- the allocation as JSON (contest-exchange.md, "Funding proposals") ---------------------------

def fund_document(result: FundResult, rows: dict, *, full: bool = False) -> dict:
    """One fund of a proposal; `full` adds what the pages and the frozen allocation keep."""
    fund, proposal = result.fund, result.proposal
    document = {
        "nomination": fund.nomination.key if fund.nomination is not None else None,
        "amount": amount_text(fund.amount),
        "allocated": _money(proposal.allocated),
        "left": _money(proposal.left),
        "funded": [{"entry": rows[c.entry_id].number, "place": c.place, "requested": _money(c.requested),
                    "granted": _money(c.ask)} for c in proposal.funded],
        "skipped": [{"entry": rows[c.entry_id].number, "place": c.place, "requested": _money(c.requested),
                     "reason": reason} for c, reason in proposal.skipped],
    }
    if full:
        document.update(currency=fund.currency, min_grant=_money(_kopecks(fund.min_grant)),
                        max_grant=_money(_kopecks(fund.max_grant)))
        for item, candidate in zip(document["funded"], proposal.funded, strict=True):
            item.update(entry_id=candidate.entry_id, cut=candidate.cut)
        for item, (candidate, _reason) in zip(document["skipped"], proposal.skipped, strict=True):
            item.update(entry_id=candidate.entry_id, cut=candidate.cut)
        edge = result.edge
        document["edge"] = {"last_funded_place": edge.last_funded_place,
                            "first_unfunded_place": edge.first_unfunded_place, "tie": edge.tie,
                            "tie_entries": list(edge.tie_entries) if edge.tie_entries else None}
    return document


def allocation_json(round_: Round, *, rule: str, objective: str = "score", full: bool = False) -> dict:
    """The proposal of `rule` as `flask funding … --format json` prints it."""
    ranking = round_results(round_)
    results = round_proposals(round_, rule=rule, objective=objective, ranking=ranking)
    rows = ranking.by_entry()
    document = {"round": round_.key, "rule": rule}
    if rule == "best":
        document["objective"] = objective
    document["funds"] = [fund_document(result, rows, full=full) for result in results]
    return document


# --- operations ----------------------------------------------------------------------------------

def _plan(round_: Round) -> FundingPlan:
    plan = get_plan(round_)
    if plan is None:
        plan = FundingPlan(round_id=round_.id, rule="skip", objective="score", cuts={}, show_amounts=False)
        db.session.add(plan)
        db.session.flush()
    return plan


def _check(refusal: str | None) -> None:
    if refusal:
        raise FundingError(refusal)


def choose_rule(round_: Round, *, rule: str, objective: str = "score", actor: User | None = None) -> FundingPlan:
    _check(allocation_refusal(round_))
    if rule not in rules.RULES or objective not in rules.OBJECTIVES:
        raise FundingError(_("Choose one of the listed rules."))
    plan = _plan(round_)
    old = {"round": round_.key, "rule": plan.rule, "objective": plan.objective}
    plan.rule, plan.objective = rule, objective
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="funding.rule",
                 object_type="round", object_id=round_.id, old=old,
                 new={"round": round_.key, "rule": rule, "objective": objective})
    return plan


def _candidate(round_: Round, entry_id: int) -> tuple[Candidate, Fund, int]:
    """The entry as a candidate of the current proposal, its ask taken without its own cut: of
    the fund that funds it, else of the first fund it is a candidate of."""
    plan = _plan(round_)
    cuts = {k: v for k, v in _cuts(plan).items() if k != entry_id}
    ranking = round_results(round_)
    found = None
    for result in round_proposals(round_, rule=plan.rule, objective=plan.objective, cuts=cuts, ranking=ranking):
        for candidate in result.candidates:
            if candidate.entry_id == entry_id:
                if found is None or candidate in result.proposal.funded:
                    found = (candidate, result.fund)
    if found is None:
        raise FundingError(_("This entry is not a candidate of any fund of the round."))
    return found[0], found[1], ranking.by_entry()[entry_id].number


def cut_grant(round_: Round, *, entry_id: int, amount: Decimal, reason: str,
              actor: User | None = None) -> FundingPlan:
    """The organiser cuts an entry's grant to `amount` (zero: not funded), with a reason."""
    _check(allocation_refusal(round_))
    reason = (reason or "").strip()
    if not reason:
        raise FundingError(_("Give the reason for the cut."))
    candidate, fund, number = _candidate(round_, entry_id)
    ask = candidate.ask
    cut = _kopecks(amount)
    if ask is None or candidate.excluded in (rules.NOTHING_REQUESTED, rules.BELOW_MINIMUM):
        raise FundingError(_("This entry asks for no grant that could be cut."))
    if cut < 0 or cut >= ask:
        raise FundingError(_("A cut is below the amount asked (%(ask)s) and not below zero.", ask=_money(ask)))
    if cut and fund.min_grant is not None and cut < _kopecks(fund.min_grant):
        raise FundingError(_("A cut grant is at least the fund's minimum grant (%(min)s), or zero.",
                             min=amount_text(fund.min_grant)))
    plan = _plan(round_)
    cuts = dict(plan.cuts or {})
    old = cuts.get(str(entry_id))
    cuts[str(entry_id)] = {"amount": _money(cut), "reason": reason}
    plan.cuts = cuts
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="funding.cut",
                 object_type="round", object_id=round_.id,
                 old={"round": round_.key, "entry": number, "amount": old["amount"] if old else _money(ask)},
                 new={"round": round_.key, "entry": number, "amount": _money(cut)}, reason=reason)
    return plan


def remove_cut(round_: Round, *, entry_id: int, actor: User | None = None) -> FundingPlan:
    _check(allocation_refusal(round_))
    plan = _plan(round_)
    cuts = dict(plan.cuts or {})
    old = cuts.pop(str(entry_id), None)
    if old is None:
        raise FundingError(_("This entry's grant is not cut."))
    plan.cuts = cuts
    db.session.flush()
    number = db.session.scalar(sa.select(Entry.number).where(Entry.id == entry_id))
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="funding.uncut",
                 object_type="round", object_id=round_.id,
                 old={"round": round_.key, "entry": number, "amount": old["amount"]})
    return plan


def confirm_allocation(round_: Round, *, actor: User | None = None) -> FundingPlan:
    """Freezes the chosen rule's allocation with the round's results."""
    _check(allocation_refusal(round_))
    plan = _plan(round_)
    if not contest_funds(round_.contest):
        raise FundingError(_("The contest has no fund: set one up first."))
    data = allocation_json(round_, rule=plan.rule, objective=plan.objective, full=True)
    data["cuts"] = dict(plan.cuts or {})
    data["granted"] = {str(item["entry_id"]): item["granted"] for fund in data["funds"] for item in fund["funded"]}
    plan.data = data
    plan.confirmed_at = now()
    plan.confirmed_by_id = actor.id if actor else None
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="funding.confirm",
                 object_type="round", object_id=round_.id,
                 new={"round": round_.key, "rule": plan.rule, "objective": plan.objective,
                      "funded": len(data["granted"]),
                      "allocated": _money(sum(_kopecks(Decimal(v)) for v in data["granted"].values()))})
    return plan


def withdraw_confirmation(round_: Round, *, reason: str, actor: User | None = None) -> FundingPlan:
    _check(withdraw_refusal(round_))
    reason = (reason or "").strip()
    if not reason:
        raise FundingError(_("Give the reason for withdrawing the confirmation."))
    plan = get_plan(round_)
    old = {"round": round_.key, "confirmed_at": plan.confirmed_at.isoformat()}
    plan.confirmed_at = None
    plan.confirmed_by_id = None
    plan.data = None
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="funding.withdraw",
                 object_type="round", object_id=round_.id, old=old, reason=reason)
    return plan


def set_show_amounts(round_: Round, *, show: bool, actor: User | None = None) -> FundingPlan:
    """Whether the published results show the granted amounts; fixed once published."""
    if round_.contest.is_published:
        raise FundingError(_("The results are published: withdraw the publication first."))
    plan = _plan(round_)
    old = {"round": round_.key, "show_amounts": plan.show_amounts}
    plan.show_amounts = bool(show)
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                 action="funding.show_amounts", object_type="round", object_id=round_.id, old=old,
                 new={"round": round_.key, "show_amounts": plan.show_amounts})
    return plan


# --- readings for other domains ------------------------------------------------------------------

def granted_amounts(round_: Round) -> dict[int, Decimal]:
    """The confirmed allocation of the round: per entry id, the amount granted (empty when none)."""
    plan = get_plan(round_)
    return plan.granted() if plan is not None else {}


def fund_edges(round_: Round, *, confirmed_only: bool = True) -> list[FundEdge]:
    """Each fund's edge (last funded place, first candidate not funded, tie there): of the
    confirmed allocation, or with `confirmed_only=False` of the current proposal when none is."""
    plan = get_plan(round_)
    if plan is not None and plan.confirmed_at is not None and plan.data:
        nominations = {n.key: n.id for n in round_.contest.nominations}
        return [FundEdge(nomination_id=nominations.get(fund["nomination"]),
                         last_funded_place=fund["edge"]["last_funded_place"],
                         first_unfunded_place=fund["edge"]["first_unfunded_place"], tie=fund["edge"]["tie"],
                         tie_entries=tuple(fund["edge"]["tie_entries"]) if fund["edge"]["tie_entries"] else None)
                for fund in plan.data["funds"]]
    if confirmed_only or proposal_refusal(round_) is not None:
        return []
    rule = plan.rule if plan is not None else "skip"
    objective = plan.objective if plan is not None else "score"
    return [result.edge for result in round_proposals(round_, rule=rule, objective=objective)]


# --- the Funding page ----------------------------------------------------------------------------

# The proposals shown side by side: (rule, objective).
SIDE_BY_SIDE = (("strict", "score"), ("skip", "score"), ("best", "score"), ("best", "count"))


# Candidates shown below a fund's last funded place unless the organiser asks for all of them.
AFTER_EDGE = 20


@dataclass
class FundView:
    """One fund on the Funding page: each rule's proposal, and the chosen one in detail."""

    fund: Fund
    proposals: dict[tuple[str, str], FundResult]
    chosen: FundResult

    @cached_property
    def funded_ids(self) -> set[int]:
        """The chosen proposal's funded entries (a set: the table asks once per row)."""
        return {candidate.entry_id for candidate in self.chosen.proposal.funded}

    def shown_candidates(self, cuts: dict, *, everyone: bool) -> list[Candidate]:
        """The rows of the chosen allocation's table: every funded candidate, every cut one and the
        `AFTER_EDGE` next below the last funded place — where the council's decision lies; with
        `everyone`, all candidates (a round of 10,000 entries would otherwise be a page of 7,000
        rows that no one reads, and takes seconds to draw)."""
        if everyone:
            return self.chosen.candidates
        last = max((c.place for c in self.chosen.proposal.funded), default=0)
        return [c for c in self.chosen.candidates
                if c.entry_id in self.funded_ids or c.place <= last + AFTER_EDGE or str(c.entry_id) in cuts]

    @cached_property
    def reasons(self) -> dict[int, str]:
        """Why each entry the chosen proposal skips is not funded, by entry id."""
        return {candidate.entry_id: reason for candidate, reason in self.chosen.proposal.skipped}


def funding_page(round_: Round) -> tuple[FundingPlan | None, list[FundView], RoundRanking]:
    """What the Funding page shows, reading the ranking and the requested amounts once."""
    plan = get_plan(round_)
    ranking = round_results(round_)
    requested, currency = requested_amounts(round_, [row.entry_id for row in ranking.rows if row.can_advance])
    cuts = _cuts(plan)
    by_rule = {key: round_proposals(round_, rule=key[0], objective=key[1], cuts=cuts, ranking=ranking,
                                    requested=requested, currency=currency)
               for key in SIDE_BY_SIDE}
    chosen_key = (plan.rule, plan.objective if plan.rule == "best" else "score") if plan else ("skip", "score")
    if chosen_key not in by_rule:
        by_rule[chosen_key] = round_proposals(round_, rule=chosen_key[0], objective=chosen_key[1], cuts=cuts,
                                              ranking=ranking, requested=requested, currency=currency)
    views = []
    for index, fund in enumerate(contest_funds(round_.contest)):
        views.append(FundView(fund=fund, proposals={key: results[index] for key, results in by_rule.items()},
                              chosen=by_rule[chosen_key][index]))
    return plan, views, ranking
