"""The funds and the requested amounts they pay share one currency (platform.money.currency_mismatch),
on the Funds page, in the form's set-up, in the import, on the Funding page and in `flask funding`."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import FormField, Fund
from app.services import exchange
from app.services.funding import allocation, funds
from app.services.funding.allocation import FundingError
from app.services.funding.funds import FundError
from app.services.intake import application_form
from app.services.intake.application_form import FormError
from tests.funding_helpers import Funded


def test_a_fund_in_another_currency_is_refused_at_the_currency_field(client, login, app):
    f = Funded([(90, "600")])  # the requested field asks in roubles
    login(f.organiser)
    page = client.post(f"/manage/{f.contest.slug}/funds", data={
        "nomination": "", "amount": "5 000 000", "currency": "USD"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "the requested amount is asked in RUB" in text and "5 000 000" in text
    assert db.session.query(Fund).count() == 0
    with pytest.raises(FundError) as error:
        funds.set_fund(f.contest, nomination_id=None, amount=Decimal("10"), currency="EUR")
    assert error.value.field == "currency" and "asked in RUB" in str(error.value)
    f.fund("1000")  # roubles are fine
    # Without a requested field, the funds still share one currency.
    db.session.query(FormField).delete()
    with pytest.raises(FundError) as error:
        funds.set_fund(f.contest, nomination_id=None, amount=Decimal("10"), currency="EUR")
    assert "different currencies (EUR, RUB)" in str(error.value)


def test_the_requested_field_cannot_move_to_another_currency_than_the_funds(app):
    f = Funded([(90, "600")])
    f.fund("1000")
    field = db.session.query(FormField).filter_by(key="requested").one()
    with pytest.raises(FormError) as error:
        application_form.update_field(field, currency="EUR", requested=True)
    assert "The funds are in RUB, but the requested amount is asked in EUR" in str(error.value)
    db.session.rollback()
    application_form.update_field(field, currency="RUB", requested=True, label_en="Asked")


def test_an_import_with_funds_in_another_currency_is_refused(app):
    f = Funded([(90, "600.00")])
    f.fund("1000")
    document = copy.deepcopy(exchange.export_contest(f.contest))
    document["contest"]["slug"] = "another-slug"
    document["funds"][0]["currency"] = "USD"
    with pytest.raises(exchange.ExchangeError) as error:
        exchange.import_contest(document)
    db.session.rollback()
    assert str(error.value).startswith("funds: The funds are in USD, but the requested amount is asked in RUB")


def test_funding_refused_while_currencies_disagree_on_every_path(client, login, runner, app):
    f = Funded([(90, "600"), (80, "500")])
    f.fund("1000")
    # As an older set-up or a hand-edited database could leave it: the funds page's check bypassed.
    db.session.query(Fund).update({Fund.currency: "USD"})
    db.session.commit()
    with pytest.raises(FundingError):
        allocation.confirm_allocation(f.round, actor=f.organiser)
    db.session.rollback()
    result = runner.invoke(args=["funding", f.contest.slug, f.round.key, "--rule", "skip", "--format", "json"])
    assert result.exit_code != 0 and "asked in RUB" in result.output
    login(f.organiser)
    page = client.get(f"/manage/{f.contest.slug}/results/{f.round.id}/funding").get_data(as_text=True)
    assert "The funds are in USD, but the requested amount is asked in RUB" in page
