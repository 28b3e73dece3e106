"""The exchange format carries amount fields, amount answers and funds (contest-exchange.md v2)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Fund
from app.services import exchange
from app.services.funding import allocation, funds
from app.services.funding.allocation import FundingError
from app.services.intake import application_form
from tests import factories
from tests.conftest import _reset_database
from tests.funding_helpers import Funded


def _money_contest():
    f = Funded([(90, "1500000.00"), (70, "2000000.50")], [(80, "300000.00")])
    contest = f.contest
    application_form.add_field(contest, key="budget", type="amount", label_en="Budget", currency="RUB",
                               max_amount=Decimal("9000000"))
    application_form.add_field(contest, key="cofunding", type="amount", label_en="Co-funding",
                               min_share_of="budget", min_share=Decimal("20"))
    draft = factories.entry(contest, status="draft", answers={"requested": "1 500 000 ₽"})
    assert draft.number is None
    f.fund("5000000", min_grant="100000", max_grant="1500000")
    funds.set_fund(contest, nomination_id=None, amount=Decimal("1000000.50"), currency="RUB")
    db.session.commit()
    return contest


def test_amount_fields_and_funds_round_trip(app):
    document = exchange.export_contest(_money_contest())
    assert document["version"] == 2
    requested = next(item for item in document["form"] if item["key"] == "requested")
    assert requested == {"key": "requested", "label": {"en": "Requested", "ru": "Запрошено"}, "type": "amount",
                         "required": False, "identifying": False, "currency": "RUB", "requested": True}
    assert document["funds"] == [
        {"nomination": "nom1", "amount": "5000000.00", "currency": "RUB", "min_grant": "100000.00",
         "max_grant": "1500000.00"},
        {"nomination": None, "amount": "1000000.50", "currency": "RUB"}]
    _reset_database()
    exchange.import_contest(copy.deepcopy(document))
    db.session.commit()
    from app.models import Contest

    again = exchange.export_contest(db.session.query(Contest).one())
    assert again == document
    assert db.session.query(Fund).count() == 2


@pytest.mark.parametrize(("path", "value", "message"), [
    (("funds", 0, "amount"), 5000000.0, "funds[0].amount: must be an amount written as a string"),
    (("funds", 0, "amount"), "1.005", "funds[0].amount: \"1.005\" is not an amount"),
    (("funds", 0, "nomination"), "nope", "funds[0].nomination: \"nope\" is not a nomination"),
    (("funds", 1, "nomination"), "nom1", "funds[1].nomination: "),
    (("funds", 0, "min_grant"), "2000000.00", "funds[0]: The minimum grant is above the maximum grant."),
    (("form", 1, "currency"), "XXX", "form[1].currency: \"XXX\" is not one of"),
])
def test_bad_money_values_are_refused_naming_their_path(app, path, value, message):
    document = exchange.export_contest(_money_contest())
    bad = copy.deepcopy(document)
    bad["contest"]["slug"] = "another-slug"
    target = bad
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    db.session.rollback()
    assert str(error.value).startswith(message)


def test_submitted_amount_answer_must_be_a_decimal_string(app):
    document = exchange.export_contest(_money_contest())
    bad = copy.deepcopy(document)
    bad["contest"]["slug"] = "another-slug"
    submitted = next(e for e in bad["entries"] if e["status"] == "submitted")
    submitted["answers"]["requested"] = "1 500 000 ₽"
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    assert "answers.requested" in str(error.value)


def test_version_1_document_knows_no_funds(app):
    document = exchange.export_contest(_money_contest())
    old = {"format": document["format"], "version": 1, "contest": dict(document["contest"], slug="v1"),
           "funds": document["funds"]}
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(old)
    assert str(error.value).startswith("funds:")


def _confirmed_contest():
    """A finalised round with a cut grant and a confirmed allocation shown with the results."""
    f = Funded([(90, "600.00"), (80, "500.00"), (70, "300.00")])  # answers as the form stores them
    f.fund("1000")
    allocation.choose_rule(f.round, rule="strict", actor=f.organiser)
    allocation.cut_grant(f.round, entry_id=f.entries[0].id, amount=Decimal("400"), reason="budget padded",
                         actor=f.organiser)
    allocation.set_show_amounts(f.round, show=True, actor=f.organiser)
    allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.commit()
    return f


def test_a_confirmed_allocation_survives_the_round_trip(app):
    f = _confirmed_contest()
    document = exchange.export_contest(f.contest)
    [plan] = document["funding"]
    assert plan["rule"] == "strict" and plan["show_amounts"] is True
    assert plan["cuts"] == [{"entry": f.number(0), "amount": "400.00", "reason": "budget padded"}]
    assert plan["confirmed_by"] == f.organiser.email
    assert [(item["entry"], item["granted"]) for item in plan["allocation"]["funds"][0]["funded"]] == [
        (f.number(0), "400.00"), (f.number(1), "500.00")]
    assert "entry_id" not in str(plan)
    _reset_database()
    exchange.import_contest(copy.deepcopy(document))
    db.session.commit()
    from app.models import Contest, Entry, Round

    contest = db.session.query(Contest).one()
    round_ = db.session.query(Round).one()
    numbers = {e.id: e.number for e in db.session.query(Entry)}
    assert {numbers[i]: amount for i, amount in allocation.granted_amounts(round_).items()} == {
        f.number(0): Decimal("400.00"), f.number(1): Decimal("500.00")}
    assert allocation.fund_edges(round_)[0].last_funded_place == 2
    # Confirmed means frozen in the new installation too.
    with pytest.raises(FundingError):
        allocation.choose_rule(round_, rule="best")
    assert exchange.export_contest(contest) == document


@pytest.mark.parametrize(("change", "message"), [
    (lambda plan: plan.update(round="nope"), "funding[0].round"),
    (lambda plan: plan.update(rule="luck"), "funding[0].rule: must be one of"),
    (lambda plan: plan.pop("allocation"), "funding[0]: a confirmed allocation needs both"),
    (lambda plan: plan["cuts"][0].update(amount="1.001"), "funding[0].cuts[0].amount"),
    (lambda plan: plan["cuts"][0].update(entry=999), "funding[0].cuts[0].entry"),
    (lambda plan: plan["allocation"]["funds"][0]["funded"][0].update(entry=999),
     "funding[0].allocation.funds[0].funded[0].entry"),
])
def test_a_bad_funding_plan_is_refused_naming_its_path(app, change, message):
    document = exchange.export_contest(_confirmed_contest().contest)
    bad = copy.deepcopy(document)
    bad["contest"]["slug"] = "another-slug"
    change(bad["funding"][0])
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    db.session.rollback()
    assert str(error.value).startswith(message)


def test_no_funding_for_a_round_that_is_not_finalised(app):
    document = exchange.export_contest(_confirmed_contest().contest)
    bad = copy.deepcopy(document)
    bad["contest"]["slug"] = "another-slug"
    for snapshot in bad["snapshots"]:
        snapshot["superseded_at"] = snapshot["created_at"]
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(bad)
    db.session.rollback()
    assert "is not finalised, so it has no funding" in str(error.value)
