"""Organiser forms of the anonymity check."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.form_base import AppForm
from app.forms_common import LocalDateTimeField

DECISION_CHOICES = [
    ("harmless", _l("Harmless")),
    ("accepted", _l("Accept as it is")),
    ("open", _l("Open again")),
]


class DecisionForm(AppForm):
    decision = RadioField(_l("Decision"), choices=DECISION_CHOICES, validate_choice=False)
    submit = SubmitField(_l("Save"))

    def validate_decision(self, field):
        if field.data not in dict(DECISION_CHOICES):
            raise ValidationError(_l("Choose a decision."))


class ReplaceForm(AppForm):
    replace_by = LocalDateTimeField(_l("Replace the file by"))
    message = TextAreaField(_l("Message to the entrant"), validators=[InputRequired(), Length(max=5000)],
                            render_kw={"rows": 4})
    submit = SubmitField(_l("Ask for a new file"))


class TitleCheckForm(AppForm):
    decision = RadioField(_l("Title"), choices=[("safe", _l("It names no one")), ("unsafe", _l("Hide it again"))],
                          validate_choice=False)
    submit = SubmitField(_l("Save"))
