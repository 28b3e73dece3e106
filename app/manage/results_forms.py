"""Forms of the organisers' results pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.form_base import AppForm
from app.forms_common import WeightCheck
from app.services.results.ranking import plain_decimal


class ReasonForm(AppForm):
    """Reopening a round or withdrawing a publication: the reason goes to the audit log."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give the reason.")),
                                                      Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class AdvanceForm(AppForm):
    mode = RadioField(_l("Which entries advance"), default="top", choices=[
        ("top", _l("The top entries of each nomination")),
        ("share", _l("The top per cent of each nomination's entries")),
        ("pass", _l("All entries at or above the pass mark")),
    ])
    count = IntegerField(_l("How many per nomination (or what per cent)"), default=3,
                         validators=[Optional(), NumberRange(min=1, max=10000)],
                         description=_l("A number of entries for “the top entries”, a per cent (1–100) for "
                                        "“the top per cent”; not used with the pass mark."))
    preview = SubmitField(_l("Preview"))
    submit = SubmitField(_l("Advance these entries"))

    def __init__(self, *args, has_pass_mark: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_pass_mark = has_pass_mark

    def validate_count(self, field):
        if self.mode.data == "top" and not field.data:
            raise ValidationError(_l("Give the number of entries per nomination."))
        if self.mode.data == "share" and not (field.data and 1 <= field.data <= 100):
            raise ValidationError(_l("Give a per cent from 1 to 100."))

    def validate_mode(self, field):
        if field.data == "pass" and not self.has_pass_mark:
            raise ValidationError(_l("This round has no pass mark."))


class AwardForm(AppForm):
    entry_number = IntegerField(_l("Entry number"), validators=[InputRequired(), NumberRange(min=1)])
    place = IntegerField(_l("Place in the nomination"), validators=[Optional(), NumberRange(min=1, max=100)],
                         description=_l("Leave empty for a special prize."))
    title_ru = StringField(_l("Prize title (Russian)"), validators=[Length(max=300)])
    title_en = StringField(_l("Prize title (English)"), validators=[Length(max=300)])
    correction = TextAreaField(_l("Reason for correcting the published results"),
                               validators=[Optional(), Length(max=2000)],
                               description=_l("Needed after publication: the public page shows a “corrected on” "
                                              "note and the entrants concerned are told by e-mail."))
    submit = SubmitField(_l("Add the award"))

    def validate_title_en(self, field):
        if self.place.data is None and not (field.data or "").strip() and not (self.title_ru.data or "").strip():
            raise ValidationError(_l("A special prize needs a title in at least one language."))


class AwardPlacesForm(AppForm):
    places = IntegerField(_l("Places per nomination"), default=3, validators=[InputRequired(),
                                                                              NumberRange(min=1, max=20)])
    correction = TextAreaField(_l("Reason for correcting the published results"),
                               validators=[Optional(), Length(max=2000)],
                               description=_l("Needed after publication: the public page shows a “corrected on” "
                                              "note and the entrants concerned are told by e-mail."))
    submit = SubmitField(_l("Name the winners from the ranking"))


def weights_form(rounds):
    """A form with one weight field per round (empty: the round does not count)."""

    class WeightsForm(AppForm):
        reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)],
                               description=_l("Needed once judging has started; it goes to the audit log."))
        submit = SubmitField(_l("Save the weights"))

    for round_ in rounds:
        setattr(WeightsForm, f"weight_{round_.id}", StringField(
            round_.loc("title"), validators=[Optional(), WeightCheck()],
            default="" if round_.weight is None else plain_decimal(round_.weight)))
    return WeightsForm()


class ImportForm(AppForm):
    file = FileField(_l("Exchange file (JSON, or a zip with files)"), validators=[
        FileRequired(message=_l("Choose a file.")),
        FileAllowed(["json", "zip"], message=_l("Choose a .json or .zip file.")),
    ])
    submit = SubmitField(_l("Import the contest"))


class FinaliseForm(AppForm):
    """Finalising a round: a tick per open item of the checklist and, with any open item, a reason."""

    reason = TextAreaField(_l("Reason for finalising with these items open"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Finalise the round"))


def finalise_form(items) -> FinaliseForm:
    """The form with one checkbox per open item (named confirm_<item key>), in the checklist's order."""

    class Form(FinaliseForm):
        pass

    for item in items:
        setattr(Form, f"confirm_{item.key}", BooleanField(item.text))
    form = Form()
    form.item_fields = [(item, getattr(form, f"confirm_{item.key}")) for item in items]
    return form
