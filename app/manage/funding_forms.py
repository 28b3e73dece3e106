"""Forms of the organisers' funding pages: funds, the rule, cuts, showing amounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.form_base import AppForm
from app.services.platform.money import CURRENCIES, AmountError, parse_amount


class AmountField(StringField):
    """Money typed as people write it («1 500 000 ₽»); `amount` holds the Decimal once valid."""

    amount = None

    def pre_validate(self, form):
        self.amount = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.amount = parse_amount(text)
        except AmountError as error:
            raise ValidationError(str(error)) from None


class FundForm(AppForm):
    nomination = SelectField(_l("Fund of"), validate_choice=False)
    amount = AmountField(_l("Amount"), validators=[DataRequired(message=_l("Give the fund's amount.")),
                                                   Length(max=40)])
    currency = SelectField(_l("Currency"), choices=[(c, c) for c in CURRENCIES], default="RUB")
    min_grant = AmountField(_l("Smallest grant (optional)"), validators=[Length(max=40)],
                            description=_l("An entry asking for less is not funded."))
    max_grant = AmountField(_l("Largest grant (optional)"), validators=[Length(max=40)],
                            description=_l("A larger request is funded up to this amount."))
    submit = SubmitField(_l("Save the fund"))

    def __init__(self, *args, nominations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.nomination.choices = [("", _l("the whole contest"))] + [(str(n.id), n.loc("title")) for n in nominations]

    def nomination_id(self) -> int | None:
        return int(self.nomination.data) if (self.nomination.data or "").isdigit() else None


class FundDeleteForm(AppForm):
    fund_id = IntegerField(validators=[InputRequired()])
    submit = SubmitField(_l("Delete"))


class FundingRuleForm(AppForm):
    rule = RadioField(_l("Rule"), default="skip", choices=[
        ("strict", _l("Strict order")), ("skip", _l("Order with skipping")), ("best", _l("Best use of the fund")),
    ])
    objective = RadioField(_l("Best use maximises"), default="score", choices=[
        ("score", _l("the sum of scores")), ("count", _l("the number of funded entries")),
    ])
    submit = SubmitField(_l("Use this rule"))


class CutForm(AppForm):
    entry_id = HiddenField(validators=[InputRequired()])
    amount = AmountField(_l("Cut to"), validators=[InputRequired(message=_l("Give the amount.")), Length(max=40)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")), Length(max=2000)],
                           render_kw={"rows": 2})
    submit = SubmitField(_l("Cut the grant"))


class UncutForm(AppForm):
    entry_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Undo the cut"))


class ShowAmountsForm(AppForm):
    show = BooleanField(_l("Show the granted amounts with the published results"))
    submit = SubmitField(_l("Save"))
