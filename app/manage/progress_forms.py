"""Forms of the organiser's judging pages: reminders and reopening a review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.form_base import AppForm


class RemindForm(AppForm):
    """Reminds every judge with work left, or only `judge_id` when given."""

    judge_id = IntegerField(validators=[Optional()])
    submit = SubmitField(_l("Send reminders"))


class ReopenForm(AppForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Give the judge a reason.")), Length(max=2000)],
        description=_l("The judge receives it by e-mail; it is kept in the audit log."),
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Reopen the review"))
