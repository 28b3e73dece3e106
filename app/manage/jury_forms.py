"""Organiser forms: inviting the jury, editing a member, assigning entries by hand."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from app.form_base import AppForm
from app.forms_common import RuleCheck
from app.services.setup import rules

INN_RULE = Regexp(r"^\s*(\d{10}|\d{12})\s*$", message=_l("An INN has 10 or 12 digits."))


def _organisation_field():
    return StringField(_l("Organisation"), validators=[Optional(), Length(max=500)],
                       description=_l("Entries from the same organisation are never assigned to this judge."))


def _inn_field():
    return StringField(_l("INN of the organisation"), validators=[Optional(), INN_RULE])


def _max_load_field():
    return IntegerField(_l("Maximum number of entries"), validators=[Optional(), RuleCheck(rules.check_max_load)],
                        description=_l("Leave empty for no limit."))


def _expertise_field():
    return SelectMultipleField(_l("Expertise (nominations)"), coerce=int, validate_choice=True,
                               description=_l("Entries of these nominations go to this judge first."))


class InviteForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    organisation = _organisation_field()
    inn = _inn_field()
    max_load = _max_load_field()
    expertise = _expertise_field()
    submit = SubmitField(_l("Invite"))


class InviteListForm(AppForm):
    emails = TextAreaField(_l("E-mail addresses"), validators=[DataRequired(), Length(max=100000)],
                           description=_l("One per line, or separated by commas."))
    list_expertise = SelectMultipleField(_l("Expertise (nominations)"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Invite everyone on the list"))


class MemberForm(AppForm):
    organisation = _organisation_field()
    inn = _inn_field()
    max_load = _max_load_field()
    expertise = _expertise_field()
    submit = SubmitField(_l("Save"))


class AddAssignmentForm(AppForm):
    entry_number = IntegerField(_l("Entry No."), validators=[InputRequired(), NumberRange(min=1)])
    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Assign"))


class MoveAssignmentForm(AppForm):
    judge = SelectField(_l("New judge"), coerce=int, validators=[InputRequired()])
    submit = SubmitField(_l("Move"))


class OrganiserConflictForm(AppForm):
    conflict_entry_number = IntegerField(_l("Entry No."), validators=[InputRequired(), NumberRange(min=1)])
    conflict_judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Record the conflict"))
