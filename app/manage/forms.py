from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.form_base import AppForm
from app.forms_common import KeyField, LocalDateTimeField, WeightCheck
from app.services.setup import rules

METHOD_CHOICES = [
    ("mean", _l("Mean")),
    ("median", _l("Median")),
    ("trimmed", _l("Trimmed mean")),
    ("zscore", _l("Z-score normalised")),
]


class ContestSettingsForm(AppForm):
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[Length(max=20000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=20000)])
    timezone = SelectField(_l("Time zone"))
    declaration_ru = TextAreaField(_l("Judges' declaration (Russian)"),
                                   validators=[Length(max=20000)])
    declaration_en = TextAreaField(_l("Judges' declaration (English)"),
                                   validators=[Length(max=20000)])
    submit = SubmitField(_l("Save"))

    def validate_timezone(self, field):
        message = rules.check_timezone(field.data)
        if message:
            raise ValidationError(message)


class NominationForm(AppForm):
    key = KeyField(_l("Key"))
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, taken_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)

    def validate_key(self, field):
        if field.data in self.taken_keys:
            raise ValidationError(_l("This key is already used in this contest."))


class RoundForm(AppForm):
    key = KeyField(_l("Key"))
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    intake_opens_at = LocalDateTimeField(_l("Intake opens"))
    intake_closes_at = LocalDateTimeField(_l("Intake closes (deadline)"))
    judging_opens_at = LocalDateTimeField(_l("Judging opens"))
    judging_closes_at = LocalDateTimeField(_l("Judging closes"))
    reviews_per_entry = IntegerField(
        _l("Reviews per entry"), default=2,
        validators=[InputRequired(), NumberRange(min=1, max=50)],
    )
    method = SelectField(_l("Aggregation method"), choices=METHOD_CHOICES, default="mean")
    pass_mark = DecimalField(_l("Pass mark (points)"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("The pass mark cannot be negative."))])
    disagreement_threshold = DecimalField(
        _l("Disagreement threshold (points)"), places=2,
        validators=[Optional(), NumberRange(min=0, message=_l("The threshold cannot be negative."))],
        description=_l("Empty: 30 percent of the round's maximum."),
    )
    blind = BooleanField(_l("Blind review (judges do not see who the entrant is)"))
    weight = StringField(_l("Round weight in the final score"), validators=[Optional(), WeightCheck()],
                         description=_l("Empty: the round does not count in the final score."))
    tie_break = SelectMultipleField(_l("Tie-break criteria, in order"), coerce=int,
                                    validate_choice=False)
    rules_change_reason = TextAreaField(
        _l("Reason for changing the rules of a round in progress"), validators=[Optional(), Length(max=2000)],
        description=_l("Needed once the round has a submitted review: every submitted total is recomputed, "
                       "the judges are told and the change is audited."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, taken_keys=(), round_criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)
        self.round_criteria = {c.id: c for c in round_criteria}
        self.tie_break.choices = [(c.id, c.loc("title")) for c in round_criteria]

    def validate_key(self, field):
        if field.data in self.taken_keys:
            raise ValidationError(_l("This key is already used in this contest."))

    def validate_intake_closes_at(self, field):
        message = rules.check_window(self.intake_opens_at.data, field.data)
        if message:
            raise ValidationError(message)

    def validate_judging_closes_at(self, field):
        message = rules.check_window(self.judging_opens_at.data, field.data)
        if message:
            raise ValidationError(message)

    def validate_judging_opens_at(self, field):
        message = rules.check_judging_after_intake(self.intake_opens_at.data, field.data)
        if message:
            raise ValidationError(message)

    def validate_tie_break(self, field):
        for criterion_id in field.data or []:
            if criterion_id not in self.round_criteria:
                raise ValidationError(_l("A tie-break criterion must belong to this round."))


class CriterionForm(AppForm):
    key = KeyField(_l("Key"))
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=500)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    anchors_ru = TextAreaField(_l("Score anchors (Russian)"), validators=[Length(max=5000)],
                               description=_l("One per line, e.g. “0 — does not meet”."))
    anchors_en = TextAreaField(_l("Score anchors (English)"), validators=[Length(max=5000)])
    weight = StringField(_l("Weight"), validators=[DataRequired(), WeightCheck()], default="1")
    min_score = IntegerField(_l("Lowest score"), default=0, validators=[InputRequired()])
    max_score = IntegerField(_l("Highest score"), default=10, validators=[InputRequired()])
    comment_required = BooleanField(_l("A comment is required"))
    rules_change_reason = TextAreaField(
        _l("Reason for changing the rules of a round in progress"), validators=[Optional(), Length(max=2000)],
        description=_l("Needed once the round has a submitted review: every submitted total is recomputed, "
                       "the judges are told and the change is audited."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, taken_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)

    def validate_key(self, field):
        if field.data in self.taken_keys:
            raise ValidationError(_l("This key is already used in this round."))

    def validate_max_score(self, field):
        if self.min_score.data is not None and field.data is not None:
            message = rules.check_scale(self.min_score.data, field.data)
            if message:
                raise ValidationError(message)


class ConfirmForm(AppForm):
    """An empty form for POST buttons: it carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))
