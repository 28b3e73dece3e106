"""Forms of the judges' invitation, declaration and conflict pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.form_base import AppForm


class DeclarationForm(AppForm):
    agree = BooleanField(_l("I have read the declaration and sign it"),
                         validators=[DataRequired(message=_l("Tick the box to sign the declaration."))])
    next = HiddenField()
    submit = SubmitField(_l("Sign the declaration"))


class ConflictForm(AppForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Say briefly why you have a conflict of interest.")),
                    Length(max=2000)],
        description=_l("For example: I advised this organisation last year. Only the organisers see it."),
    )
    submit = SubmitField(_l("Declare the conflict and give the entry back"))
