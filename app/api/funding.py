"""Organisers' scripts (a grant-management system): a contest's funds, a round's funding proposals,
its confirmed allocation, and confirming it (DESIGN §3b) — scope area `funding`.

Every reading and the confirmation call app.services.funding, as the Funding page does: the
proposal is `allocation_json`, the grants `granted_amounts`, the edges `fund_edges`; confirming is
`confirm_allocation`, refused by the same §3a rule (`allocation_refusal`) as on the page. The
public and the entrants read the grants that are shown with the published results at
/public/contests/{slug}/results.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.api import bp
from app.api import schemas as s
from app.api.access import caller, iso, organised_contest, round_of
from app.api.errors import ApiError
from app.extensions import db
from app.models import Entry, Round
from app.services.funding import allocation, funds
from app.services.funding.allocation import FundingError
from app.services.platform.money import amount_text


@bp.route("/contests/<slug>/funds")
@bp.response(200, s.FundList)
def contest_funds(slug):
    """The contest's funds (per nomination in form order, the contest's fund last), and whether they
    are locked by a confirmed allocation."""
    contest = organised_contest(slug, "funding", "read")
    return {"funds": [{"id": f.id, **funds.fund_values(f)} for f in funds.contest_funds(contest)],
            "locked": funds.fund_change_refusal(contest)}


def _numbers(entry_ids) -> dict[int, int | None]:
    ids = list(entry_ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Entry.id, Entry.number).where(Entry.id.in_(ids))).all())


def funding_out(round_: Round) -> dict:
    plan = allocation.get_plan(round_)
    granted = allocation.granted_amounts(round_)
    cuts = (plan.cuts or {}) if plan is not None else {}
    numbers = _numbers({*granted, *(int(k) for k in cuts)})
    confirmed = plan is not None and plan.confirmed_at is not None
    return {
        "round": round_.id, "finalised": round_.finalised_at is not None,
        "rule": plan.rule if plan else "skip", "objective": plan.objective if plan else "score",
        "show_amounts": bool(plan and plan.show_amounts),
        "cuts": [{"entry": numbers.get(int(k)), "entry_id": int(k), "amount": cut["amount"], "reason": cut["reason"]}
                 for k, cut in sorted(cuts.items(), key=lambda item: int(item[0]))],
        "refusal": allocation.allocation_refusal(round_),
        "confirmed_at": iso(plan.confirmed_at) if confirmed else None,
        "allocation": plan.data if confirmed else None,
        "granted": [{"entry": numbers.get(entry_id), "entry_id": entry_id, "amount": amount_text(amount)}
                    for entry_id, amount in sorted(granted.items())],
    }


@bp.route("/contests/<slug>/rounds/<int:round_id>/funding")
@bp.response(200, s.FundingOut)
def round_funding(slug, round_id):
    """The round's funding: the rule chosen, the organiser's cuts, whether it may still change, and
    once confirmed the allocation frozen with the round's results and its grants."""
    contest = organised_contest(slug, "funding", "read")
    return funding_out(round_of(contest, round_id))


@bp.route("/contests/<slug>/rounds/<int:round_id>/funding/proposals")
@bp.arguments(s.ProposalQuery, location="query")
@bp.response(200, s.AllocationOut)
def funding_proposal(query, slug, round_id):
    """A rule's proposal over the finalised round's results (the Funding page's and `flask funding`'s
    JSON), with the organiser's cuts: by default the rule chosen for the round. 409 when the page
    would not propose either (allocation.proposal_refusal: the round is not finalised, or the funds
    and the requested amounts are in different currencies)."""
    contest = organised_contest(slug, "funding", "read")
    round_ = round_of(contest, round_id)
    refusal = allocation.proposal_refusal(round_)  # the page's rule: a finalised round, one currency
    if refusal:
        raise ApiError(409, "refused", refusal)
    plan = allocation.get_plan(round_)
    rule = query.get("rule") or (plan.rule if plan else "skip")
    objective = query.get("objective") or (plan.objective if plan else "score")
    try:
        return allocation.allocation_json(round_, rule=rule, objective=objective, full=True)
    except FundingError as error:
        raise ApiError(422, fields={"rule": [str(error)]}) from None


@bp.route("/contests/<slug>/rounds/<int:round_id>/funding/confirm", methods=["POST"])
@bp.response(200, s.FundingOut)
def funding_confirm(slug, round_id):
    """Confirms the chosen rule's allocation (with the cuts) and freezes it, as the Funding page's
    button does: refused (409) before the round is finalised, when it is already confirmed, or when
    the contest has no fund."""
    contest = organised_contest(slug, "funding", "write")
    round_ = round_of(contest, round_id)
    try:
        allocation.confirm_allocation(round_, actor=caller())
    except FundingError as error:
        db.session.rollback()
        raise ApiError(409, "refused", str(error)) from None
    db.session.commit()
    return funding_out(round_)
