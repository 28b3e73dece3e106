"""The API's funding (funds, proposals, the confirmed allocation, confirming it), final score and
advancement endpoints: each answer is what the service functions the pages use give, the writes
obey the same §3a refusals, and the permission rules hold against every kind of caller."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditEvent, EntryRound, FundingPlan
from app.services.api import tokens
from app.services.funding import allocation
from app.services.results import outcomes
from tests import factories
from tests.api_helpers import call, token
from tests.funding_helpers import Funded
from tests.results_helpers import Scored

API = "/api/v1"


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


def _round_path(f, suffix: str = "") -> str:
    return f"{API}/contests/{f.contest.slug}/rounds/{f.round.id}/funding{suffix}"


# --- readings are the service's --------------------------------------------------------------------

def test_funds_and_proposals_are_the_services_answers(client, app):
    f = Funded([(90, "600"), (80, "500"), (70, "300")])
    f.fund("1000", max_grant="550")
    secret = token(f.organiser, {"funding:read"})
    funds = call(client, "GET", f"{API}/contests/{f.contest.slug}/funds", secret).get_json()
    assert funds == {"funds": [{"id": funds["funds"][0]["id"], "nomination": f.contest.nominations[0].key,
                                "amount": "1000.00", "currency": "RUB", "min_grant": None, "max_grant": "550.00"}],
                     "locked": None}
    # The chosen rule by default (skip when none is chosen), any rule on request: allocation_json's.
    default = call(client, "GET", _round_path(f, "/proposals"), secret).get_json()
    assert default == allocation.allocation_json(f.round, rule="skip", full=True)
    best = call(client, "GET", _round_path(f, "/proposals?rule=best&objective=count"), secret).get_json()
    assert best == allocation.allocation_json(f.round, rule="best", objective="count", full=True)
    assert best["objective"] == "count" and best["funds"][0]["funded"][0]["granted"] == "550.00"
    state = call(client, "GET", _round_path(f), secret).get_json()
    assert state["finalised"] and state["refusal"] is None and state["allocation"] is None
    assert state["granted"] == [] and state["confirmed_at"] is None and state["rule"] == "skip"
    wrong = call(client, "GET", _round_path(f, "/proposals?rule=greedy"), secret)
    assert wrong.status_code == 422 and "rule" in _error(wrong)["fields"]


def test_confirming_through_the_api_is_the_page_s_function_and_refusals(client, app):
    f = Funded([(90, "600"), (80, "500"), (70, "300")])
    f.fund("1000")
    allocation.choose_rule(f.round, rule="strict", actor=f.organiser)
    allocation.cut_grant(f.round, entry_id=f.entries[0].id, amount=Decimal("400"), reason="padded budget",
                         actor=f.organiser)
    db.session.commit()
    secret = token(f.organiser, {"funding:write"})
    confirmed = call(client, "POST", _round_path(f, "/confirm"), secret)
    assert confirmed.status_code == 200, confirmed.get_json()
    body = confirmed.get_json()
    assert {(g["entry"], g["amount"]) for g in body["granted"]} == {(f.number(0), "400.00"), (f.number(1), "500.00")}
    assert {g["entry_id"]: Decimal(g["amount"]) for g in body["granted"]} == allocation.granted_amounts(f.round)
    assert body["cuts"] == [{"entry": f.number(0), "entry_id": f.entries[0].id, "amount": "400.00",
                             "reason": "padded budget"}]
    assert body["allocation"]["rule"] == "strict" and body["confirmed_at"]
    assert body["refusal"] == allocation.allocation_refusal(f.round)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "funding.confirm"))
    assert event.actor_id == f.organiser.id
    # Confirmed once: a second confirmation is refused by allocation_refusal, and the funds are locked.
    again = call(client, "POST", _round_path(f, "/confirm"), secret)
    assert again.status_code == 409 and _error(again)["message"] == allocation.allocation_refusal(f.round)
    funds = call(client, "GET", f"{API}/contests/{f.contest.slug}/funds", secret).get_json()
    assert funds["locked"]
    # The frozen allocation is what the state reads from now on.
    assert call(client, "GET", _round_path(f), secret).get_json()["allocation"] == body["allocation"]


def test_confirming_is_refused_before_finalising_and_without_a_fund(client, app):
    open_round = Funded([(90, "600")], finalise=False)
    open_round.fund("1000")
    secret = token(open_round.organiser, {"funding:write"})
    refused = call(client, "POST", _round_path(open_round, "/confirm"), secret)
    assert refused.status_code == 409
    assert _error(refused)["message"] == allocation.allocation_refusal(open_round.round)
    early = call(client, "GET", _round_path(open_round, "/proposals"), secret)
    assert early.status_code == 409 and _error(early)["message"] == allocation.proposal_refusal(open_round.round)
    no_fund = Funded([(90, "600")])
    refused = call(client, "POST", _round_path(no_fund, "/confirm"), token(no_fund.organiser, {"funding:write"}))
    assert refused.status_code == 409 and "no fund" in _error(refused)["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundingPlan)
                             .where(FundingPlan.confirmed_at.is_not(None))) == 0


# --- who may: try to break it ----------------------------------------------------------------------

def test_funding_endpoints_refuse_everyone_but_the_contest_s_organiser(client, app, make):
    f = Funded([(90, "600")])
    f.fund("1000")
    stranger = make.user(name="Other organiser")
    own = make.contest(organiser=stranger)
    paths = [("GET", f"{API}/contests/{f.contest.slug}/funds"), ("GET", _round_path(f)),
             ("GET", _round_path(f, "/proposals")), ("POST", _round_path(f, "/confirm"))]
    callers = {"other contest's organiser": token(stranger), "judge": token(f.judge),
               "entrant": token(f.entries[0].entrant)}
    for method, path in paths:
        assert call(client, method, path).status_code == 401, path
        for who, secret in callers.items():
            response = call(client, method, path, secret)
            assert (response.status_code, _error(response)["code"]) == (403, "not_organiser"), (who, path)
    # The organiser's own round under another contest's slug is not found.
    foreign = call(client, "GET", f"{API}/contests/{own.slug}/rounds/{f.round.id}/funding", token(stranger))
    assert foreign.status_code == 404
    # Scopes: results:write is not funding; funding:read does not confirm; nothing was confirmed.
    for scopes, method, path in (({"results:write", "entries:write"}, "GET", _round_path(f)),
                                 ({"funding:read"}, "POST", _round_path(f, "/confirm"))):
        refused = call(client, method, path, token(f.organiser, scopes))
        assert (refused.status_code, _error(refused)["code"]) == (403, "insufficient_scope")
    assert allocation.granted_amounts(f.round) == {}


def test_expired_and_revoked_tokens_cannot_confirm(client, app, freeze):
    freeze(factories.NOW)
    f = Funded([(90, "600")])
    f.fund("1000")
    expiring = token(f.organiser, {"funding:write"}, days=30)
    revoked = token(f.organiser, {"funding:write"})
    stored = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()))
    tokens.revoke_token(token=stored, actor=f.organiser)
    db.session.commit()
    response = call(client, "POST", _round_path(f, "/confirm"), revoked)
    assert (response.status_code, _error(response)["code"]) == (401, "token_revoked")
    freeze(factories.NOW + timedelta(days=31))
    response = call(client, "POST", _round_path(f, "/confirm"), expiring)
    assert (response.status_code, _error(response)["code"]) == (401, "token_expired")
    assert allocation.granted_amounts(f.round) == {}


# --- the public and the entrants: grants shown with the published results ---------------------------

def _confirm_and_publish(f, *, show: bool) -> None:
    allocation.set_show_amounts(f.round, show=show, actor=f.organiser)
    allocation.confirm_allocation(f.round, actor=f.organiser)
    outcomes.publish_results(f.contest, actor=f.organiser, notify=False)
    db.session.commit()


def _public_grants(client, f) -> dict:
    body = client.get(f"{API}/public/contests/{f.contest.slug}/results").get_json()
    return {row["entry"]: (row["granted"], row["currency"]) for row in body["rounds"][0]["rankings"]}


def test_public_results_carry_the_grants_the_organiser_shows(client, app):
    f = Funded([(90, "1500000"), (80, "2000000")])
    f.fund("2000000")
    allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.commit()
    # Confirmed but not published: nothing public.
    assert client.get(f"{API}/public/contests/{f.contest.slug}/results").status_code == 404
    allocation.withdraw_confirmation(f.round, reason="again with amounts shown", actor=f.organiser)
    _confirm_and_publish(f, show=True)
    grants = _public_grants(client, f)
    assert grants[f.number(0)] == ("1500000.00", "RUB") and grants[f.number(1)] == (None, None)
    # The same grant the entrant's own page reads (results.outcomes.entry_results).
    rounds, _final = outcomes.entry_results(f.entries[0])
    assert rounds[0].granted == (Decimal("1500000.00"), "RUB")


def test_public_results_hide_the_grants_unless_shown(client, app):
    f = Funded([(90, "1500000")])
    f.fund("2000000")
    _confirm_and_publish(f, show=False)
    assert set(_public_grants(client, f).values()) == {(None, None)}


# --- final score and advancement -------------------------------------------------------------------

def _finalise(round_, organiser) -> None:
    from app.services.results import finalising

    confirmed = {item.key for item in finalising.finalise_checklist(round_)}
    outcomes.finalise_round(round_, actor=organiser, confirmed=confirmed, reason="test")
    db.session.commit()


def test_final_score_is_final_ranking(client, app):
    s = Scored()
    secret = token(s.organiser, {"results:read"})
    path = f"{API}/contests/{s.contest.slug}/final"
    assert call(client, "GET", path, secret).get_json() == {"rounds": [], "rankings": None}
    outcomes.set_round_weights(s.contest, {s.round1.id: Decimal("1")}, actor=s.organiser, reason="test")
    db.session.commit()
    body = call(client, "GET", path, secret).get_json()
    assert body["rounds"] == [{"id": s.round1.id, "round": "experts", "weight": "1", "frozen": False}]
    expected = outcomes.final_ranking(s.contest)
    assert [(r["entry"], r["rank"], r["score"]) for r in body["rankings"]] == \
        [(row.number, row.rank, str(row.display_score)) for _n, rows in expected.groups() for row in rows]
    # Once the weighted round is finalised and the results published, the public reads it too.
    _finalise(s.round1, s.organiser)
    outcomes.publish_results(s.contest, actor=s.organiser, notify=False)
    db.session.commit()
    public = client.get(f"{API}/public/contests/{s.contest.slug}/results").get_json()
    assert [row["entry"] for row in public["final"]] == [r["entry"] for r in body["rankings"]]


def test_advancement_is_the_page_s_preview_and_changes_nothing(client, app):
    s = Scored()
    secret = token(s.organiser, {"results:read"})
    path = f"{API}/contests/{s.contest.slug}/rounds/{s.round1.id}/advancement?mode=top&count=2"
    early = call(client, "GET", path, secret)
    assert early.status_code == 409 and "Finalise the round" in _error(early)["message"]
    _finalise(s.round1, s.organiser)
    body = call(client, "GET", path, secret).get_json()
    plan = outcomes.plan_advancement(s.round1, mode="top", count=2)
    assert body["target"] == s.round2.id and not any(row["already"] for row in body["entries"])
    assert [row["entry_id"] for row in body["entries"]] == [row.entry_id for row in plan.entries]
    assert {row["entry_id"] for row in body["entries"]} == {s.entries[i].id for i in (0, 1, 3, 4)}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EntryRound)
                             .where(EntryRound.round_id == s.round2.id)) == 0
    last = call(client, "GET", f"{API}/contests/{s.contest.slug}/rounds/{s.round2.id}/advancement?mode=top&count=1",
                secret)
    assert last.status_code == 409
    missing = call(client, "GET", f"{API}/contests/{s.contest.slug}/rounds/{s.round1.id}/advancement", secret)
    assert missing.status_code == 422 and "mode" in _error(missing)["fields"]


def test_funds_in_another_currency_than_the_requests_are_refused_as_on_the_page(client, app):
    """An older set-up or an import may leave a fund in euros against requests in roubles: the API
    proposes and confirms nothing, with the page's message (funds.funds_currency_problem)."""
    from app.services.funding.funds import funds_currency_problem

    f = Funded([(90, "600")])
    fund = f.fund("1000")
    fund.currency = "EUR"
    db.session.commit()
    problem = funds_currency_problem(f.contest)
    assert problem
    secret = token(f.organiser, {"funding:write"})
    for method, suffix in (("GET", "/proposals"), ("POST", "/confirm")):
        refused = call(client, method, _round_path(f, suffix), secret)
        assert (refused.status_code, _error(refused)["message"]) == (409, problem), suffix
    assert call(client, "GET", _round_path(f), secret).get_json()["refusal"] == problem
