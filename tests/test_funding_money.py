"""Money answers: reading amounts as people type them, showing them back, and the form's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.intake import application_form
from app.services.intake.application_form import FormError
from app.services.platform.money import AmountError, amount_text, format_amount, format_amount_input, parse_amount

amounts = st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2)


@pytest.mark.parametrize(("typed", "expected"), [
    ("1 500 000", "1500000.00"),
    ("1500000,50", "1500000.50"),
    ("1 500 000 ₽", "1500000.00"),
    ("1\u00a0500\u00a0000,5 руб.", "1500000.50"),
    ("1,500,000.50", "1500000.50"),
    ("1.500.000", "1500000.00"),
    ("1,500", "1500.00"),
    ("RUB 2000", "2000.00"),
    ("0", "0.00"),
])
def test_parse_amount_reads_what_people_type(app, typed, expected):
    assert amount_text(parse_amount(typed)) == expected


@pytest.mark.parametrize("typed", ["", "abc", "-5", "1,5,0", "1500000,505", "1.2.3", "1 500,000.5.5", "1e6",
                                   "12345678901234567890"])
def test_parse_amount_refuses_what_is_no_amount(app, typed):
    with pytest.raises(AmountError):
        parse_amount(typed)


def test_format_amount_per_language(app):
    # one formatter for every page, PDF and filter; Russian thousands by a thin space, as numbers
    assert format_amount(Decimal("1500000"), "RUB", "ru") == "1\u202f500\u202f000\u00a0₽"
    assert format_amount(Decimal("1500000.5"), "RUB", "ru") == "1\u202f500\u202f000,50\u00a0₽"
    assert format_amount("1500000.50", "RUB", "ru") == "1\u202f500\u202f000,50\u00a0₽"
    assert format_amount(Decimal("1500000.5"), "RUB", "en") == "1,500,000.50\u00a0₽"
    assert format_amount_input(Decimal("1500000.5"), "ru") == "1 500 000,50"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=amounts, language=st.sampled_from(["ru", "en"]), with_currency=st.booleans())
def test_formatted_amount_reads_back_the_same(app, value, language, with_currency):
    shown = format_amount(value, "RUB", language) if with_currency else format_amount_input(value, language)
    assert parse_amount(shown) == value


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=amounts)
def test_stored_text_reads_back_the_same(app, value):
    assert parse_amount(amount_text(value)) == value
    assert amount_text(value).count(".") == 1 and len(amount_text(value).split(".")[1]) == 2


def _money_form(make):
    contest = make.contest()
    application_form.add_field(contest, key="budget", type="amount", label_en="Total budget", required=True)
    application_form.add_field(contest, key="requested", type="amount", label_en="Requested", requested=True,
                               required=True, max_amount=Decimal("1500000"))
    application_form.add_field(contest, key="cofunding", type="amount", label_en="Co-funding",
                               min_share_of="budget", min_share=Decimal("20"))
    return contest, application_form.form_fields(contest)


def _errors(fields, answers):
    return application_form.validate_answers(fields, answers, file_counts={}, title="T", nomination_id=1,
                                             nomination_ids={1})


def test_amount_rules_refused_with_a_message_at_the_field(make):
    _contest, fields = _money_form(make)
    errors = _errors(fields, {"budget": "2 000 000", "requested": "1 600 000 ₽", "cofunding": "100 000"})
    assert errors["requested"] == ["At most 1,500,000\u00a0₽ per application."]
    assert errors["cofunding"] == ["At least 20 % of “Total budget”, that is 400,000\u00a0₽."]
    assert "budget" not in errors


def test_amount_unreadable_gets_a_message(make):
    _contest, fields = _money_form(make)
    errors = _errors(fields, {"budget": "два миллиона", "requested": "1000", "cofunding": ""})
    assert errors == {"budget": ["Enter an amount, for example 1 500 000 or 1500000,50."]}


def test_valid_amounts_are_stored_as_decimal_strings(make):
    _contest, fields = _money_form(make)
    answers = {"budget": "2 000 000", "requested": "1500000,00", "cofunding": "400 000,5 ₽"}
    assert _errors(fields, answers) == {}
    assert application_form.normalise_answers(fields, answers) == {
        "budget": "2000000.00", "requested": "1500000.00", "cofunding": "400000.50"}
    assert application_form.requested_field(fields).key == "requested"


def test_only_one_requested_amount_per_form(make):
    contest, _fields = _money_form(make)
    with pytest.raises(FormError):
        application_form.add_field(contest, key="other", type="amount", label_en="Other", requested=True)


def test_share_needs_an_amount_field_of_the_form(make):
    contest, _fields = _money_form(make)
    with pytest.raises(FormError):
        application_form.add_field(contest, key="x", type="amount", label_en="X", min_share_of="nothing",
                                   min_share=Decimal("10"))


def test_amount_field_added_through_the_builder(client, login, make):
    organiser = make.user()
    contest = make.contest(organiser=organiser)
    login(organiser)
    response = client.post(f"/manage/{contest.slug}/form/new", data={
        "key": "requested", "type": "amount", "label_en": "Requested", "currency": "RUB", "requested": "y",
        "max_amount": "1 500 000 ₽"})
    assert response.status_code == 302
    field = application_form.form_fields(contest)[0]
    expected = ("amount", True, Decimal("1500000"), "RUB")
    assert (field.type, field.requested, field.max_amount, field.currency) == expected
    bad = client.post(f"/manage/{contest.slug}/form/{field.id}/edit", data={
        "label_en": "Requested", "currency": "RUB", "max_amount": "много"})
    assert bad.status_code == 200 and b"Enter an amount" in bad.data
