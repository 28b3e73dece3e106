"""Forms of the organisers' documents: the protocol's typed details and the jury pack."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.form_base import AppForm


class ProtocolForm(AppForm):
    meeting_date = DateField(_l("Date of the meeting"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Length(max=300)])
    present = TextAreaField(_l("Members present (one per line)"), validators=[Length(max=10000)])
    quorum = StringField(_l("Quorum"), validators=[Length(max=300)])
    chair = StringField(_l("Chair"), validators=[Length(max=200)])
    secretary = StringField(_l("Secretary"), validators=[Length(max=200)])
    notes = TextAreaField(_l("Notes and decisions"), validators=[Length(max=20000)])
    submit = SubmitField(_l("Save"))


class JuryPackForm(AppForm):
    nomination = SelectField(_l("Entries"), coerce=str)
    fmt = RadioField(_l("Format"), default="zip", choices=[
        ("zip", _l("One ZIP: each application's PDF with its files")),
        ("pdf", _l("One combined PDF: applications with their attached PDFs and images")),
    ])
    submit = SubmitField(_l("Build the jury pack"))
