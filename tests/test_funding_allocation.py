"""Funding a finalised round: candidates from the frozen results, proposals, cuts, confirmation, §3a."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import AuditEvent
from app.services.funding import allocation, funds
from app.services.funding.allocation import FundingError
from app.services.funding.funds import FundError
from app.services.results import outcomes as results_service
from app.services.results.outcomes import ResultsError
from tests.funding_helpers import Funded


def _funded(document, fund=0):
    return [(item["entry"], item["granted"]) for item in document["funds"][fund]["funded"]]


def test_proposal_json_has_the_exchange_shape(app):
    f = Funded([(90, "1500000"), (80, "2000000"), (70, "1 000 000"), (20, "100")])
    f.fund("3000000")
    document = allocation.allocation_json(f.round, rule="skip")
    assert document == {"round": f.round.key, "rule": "skip", "funds": [{
        "nomination": "nom1", "amount": "3000000.00", "allocated": "2500000.00", "left": "500000.00",
        "funded": [{"entry": f.number(0), "place": 1, "requested": "1500000.00", "granted": "1500000.00"},
                   {"entry": f.number(2), "place": 3, "requested": "1000000.00", "granted": "1000000.00"}],
        "skipped": [{"entry": f.number(1), "place": 2, "requested": "2000000.00", "reason": "does not fit"}],
    }]}


def test_below_pass_mark_and_unrated_are_no_candidates(app):
    f = Funded([(90, "100"), (10, "100"), (None, "100")])
    f.fund("1000")
    document = allocation.allocation_json(f.round, rule="strict")
    assert _funded(document) == [(f.number(0), "100.00")]
    assert document["funds"][0]["skipped"] == []


def test_contest_fund_merges_nominations_by_score(app):
    f = Funded([(90, "100"), (60, "100")], [(80, "100"), (70, "100")])
    f.fund("300", nomination=None)
    document = allocation.allocation_json(f.round, rule="strict")
    assert [item["entry"] for item in document["funds"][0]["funded"]] == [f.number(0), f.number(2), f.number(3)]
    assert [item["place"] for item in document["funds"][0]["funded"]] == [1, 2, 3]


def test_contest_fund_leaves_out_what_a_nomination_fund_funds(app):
    f = Funded([(90, "100"), (60, "100")], [(80, "100")])
    f.fund("100", nomination=0)
    f.fund("200", nomination=None)
    document = allocation.allocation_json(f.round, rule="skip")
    assert _funded(document, 0) == [(f.number(0), "100.00")]
    assert _funded(document, 1) == [(f.number(2), "100.00"), (f.number(1), "100.00")]


def test_tie_at_the_edge_is_reported(app):
    f = Funded([(90, "100"), (80, "100"), (80, "100")])
    f.fund("200")
    result = allocation.round_proposals(f.round, rule="strict")[0]
    assert result.edge.tie and result.edge.tie_entries == (f.number(1), f.number(2))
    assert (result.edge.last_funded_place, result.edge.first_unfunded_place) == (2, 3)


def test_cut_recomputes_and_confirm_freezes(app):
    f = Funded([(90, "600"), (80, "500"), (70, "300")])
    f.fund("1000")
    allocation.choose_rule(f.round, rule="strict", actor=f.organiser)
    with pytest.raises(FundingError):
        allocation.cut_grant(f.round, entry_id=f.entries[0].id, amount=Decimal("400"), reason="", actor=f.organiser)
    with pytest.raises(FundingError):
        allocation.cut_grant(f.round, entry_id=f.entries[0].id, amount=Decimal("700"), reason="too much",
                             actor=f.organiser)
    allocation.cut_grant(f.round, entry_id=f.entries[0].id, amount=Decimal("400"), reason="budget padded",
                         actor=f.organiser)
    document = allocation.allocation_json(f.round, rule="strict")
    assert _funded(document) == [(f.number(0), "400.00"), (f.number(1), "500.00")]
    assert document["funds"][0]["left"] == "100.00"
    allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.commit()
    assert allocation.granted_amounts(f.round) == {f.entries[0].id: Decimal("400.00"),
                                                   f.entries[1].id: Decimal("500.00")}
    edge = allocation.fund_edges(f.round)[0]
    assert (edge.last_funded_place, edge.first_unfunded_place) == (2, 3)
    # Frozen: no cut, no rule, no fund change, no reopening of the round.
    with pytest.raises(FundingError):
        allocation.remove_cut(f.round, entry_id=f.entries[0].id, actor=f.organiser)
    with pytest.raises(FundingError):
        allocation.choose_rule(f.round, rule="best", actor=f.organiser)
    with pytest.raises(FundError):
        f.fund("2000")
    with pytest.raises(ResultsError):
        results_service.reopen_round(f.round, actor=f.organiser, reason="look again")
    actions = [e.action for e in db.session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-4:] == ["fund.set", "funding.rule", "funding.cut", "funding.confirm"]


def test_withdraw_refused_after_publication(app):
    f = Funded([(90, "600")])
    f.fund("1000")
    allocation.confirm_allocation(f.round, actor=f.organiser)
    results_service.publish_results(f.contest, actor=f.organiser, notify=False)
    db.session.commit()
    with pytest.raises(FundingError):
        allocation.withdraw_confirmation(f.round, reason="oops", actor=f.organiser)
    with pytest.raises(FundingError):
        allocation.set_show_amounts(f.round, show=True, actor=f.organiser)
    results_service.unpublish_results(f.contest, actor=f.organiser, reason="fix")
    allocation.withdraw_confirmation(f.round, reason="fix", actor=f.organiser)
    assert allocation.granted_amounts(f.round) == {}


def test_nothing_before_the_round_is_finalised(app):
    f = Funded([(90, "600")], finalise=False)
    f.fund("1000")
    assert allocation.allocation_refusal(f.round)
    with pytest.raises(FundingError):
        allocation.confirm_allocation(f.round, actor=f.organiser)
    assert allocation.fund_edges(f.round, confirmed_only=False) == []


def test_fund_values_are_checked(app):
    f = Funded([(90, "600")])
    with pytest.raises(FundError):
        f.fund("100", min_grant="50", max_grant="10")
    with pytest.raises(FundError):
        f.fund("-1")
    with pytest.raises(FundError):
        f.fund("1.005")
    assert funds.contest_funds(f.contest) == []


def test_confirmed_grants_reach_the_statistics_cut_lines_and_the_protocol(app):
    """The fund's edge is a cut line of the round's statistics, and the protocol lists the grants."""
    from app.services.documents.protocol import protocol_data
    from app.services.statistics.report import round_statistics

    f = Funded([(90, "600"), (80, "500"), (70, "300"), (60, "300")])
    f.fund("1100")
    allocation.choose_rule(f.round, rule="strict", actor=f.organiser)
    allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.commit()
    stats = round_statistics(f.round, resamples=50)
    assert ("fund", f.contest.nominations[0].id, 2) in {(c.kind, c.nomination_id, c.after_place) for c in stats.cuts}
    data = protocol_data(f.contest, f.round, language="en")
    rows = [row for section in data.sections for _title, group in section.rankings for row in group]
    assert [row.amount for row in rows][:3] == ["600\xa0₽", "500\xa0₽", "—"]
