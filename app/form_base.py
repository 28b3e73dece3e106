"""The base of every form: a text field with a control character is refused at the field.

Every form of the app derives from AppForm (tests/test_security.py checks it), so the rule
of services/platform/text.py reaches every text field without each form repeating it.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import StopValidation

from app.services.platform.text import FORBIDDEN_CHARACTER_MESSAGE, has_forbidden_characters


def refuse_control_characters(form, field) -> None:
    # First in the chain and stopping it: the field's own validators (a uniqueness check that asks
    # the database, say) never see the value.
    raw = field.raw_data[0] if field.raw_data else None
    if has_forbidden_characters(field.data) or has_forbidden_characters(raw):
        raise StopValidation(str(FORBIDDEN_CHARACTER_MESSAGE))


class AppForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                field.validators = [refuse_control_characters, *field.validators]
            return field
