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
    Optional,
    ValidationError,
)

from app.form_base import AppForm
from app.forms_common import (
    LANGUAGE_CHOICES,
    KeyField,
    LocalDateTimeField,
    RequiredIfOffered,
    RuleCheck,
    WeightCheck,
    parse_decimal,
)
from app.services.setup import rules

METHOD_CHOICES = [
    ("mean", _l("Mean")),
    ("median", _l("Median")),
    ("trimmed", _l("Trimmed mean")),
    ("zscore", _l("Z-score normalised")),
]


class ContestSettingsForm(AppForm):
    languages = SelectField(_l("Languages of the contest"), choices=LANGUAGE_CHOICES, default="ru,en",
                            description=_l("A one-language contest shows its pages and forms in that language "
                                           "only, and set-up asks for no texts in the other."))

    def validate_languages(self, field):
        if field.data not in dict(LANGUAGE_CHOICES):
            raise ValidationError(_l("Choose the languages of the contest."))
    title_ru = StringField(_l("Title (Russian)"), validators=[RequiredIfOffered("ru"), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[RequiredIfOffered("en"), Length(max=300)])
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
    key = KeyField(_l("Key"), "nomination")
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
    key = KeyField(_l("Key"), "round")
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    intake_opens_at = LocalDateTimeField(_l("Intake opens"))
    intake_closes_at = LocalDateTimeField(_l("Intake closes (deadline)"))
    judging_opens_at = LocalDateTimeField(_l("Judging opens"))
    judging_closes_at = LocalDateTimeField(_l("Judging closes"))
    reviews_per_entry = IntegerField(
        _l("Reviews per entry"), default=2,
        validators=[InputRequired(), RuleCheck(rules.check_reviews_per_entry)],
    )
    method = SelectField(_l("Aggregation method"), choices=METHOD_CHOICES, default="mean")
    pass_mark = DecimalField(_l("Pass mark (points)"), places=2, validators=[
        Optional(), RuleCheck(rules.check_points)])
    disagreement_threshold = DecimalField(
        _l("Disagreement threshold (points)"), places=2,
        validators=[Optional(), RuleCheck(rules.check_points)],
        description=_l("Empty: 30 percent of the round's maximum."),
    )
    blind = BooleanField(_l("Blind review (judges do not see who the entrant is)"))
    titles_safe = BooleanField(
        _l("Titles are safe: show judges the project titles as entered"),
        description=_l("Blind rounds only. Otherwise judges see “Application No. N” until you have checked "
                       "each title in the anonymity check; the entrant's name and organisation are blacked "
                       "out of a shown title either way."))
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
    key = KeyField(_l("Key"), "criterion")
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=500)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=500)])
    description_ru = TextAreaField(_l("Description (Russian)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    anchors_ru = TextAreaField(_l("Score anchors (Russian)"), validators=[Length(max=5000)],
                               description=_l("One per line, e.g. “0 — does not meet”."))
    anchors_en = TextAreaField(_l("Score anchors (English)"), validators=[Length(max=5000)])
    weight = StringField(_l("Weight"), validators=[DataRequired(), WeightCheck()], default="1")
    min_score = IntegerField(_l("Lowest score"), default=0,
                             validators=[InputRequired(), RuleCheck(rules.check_score_bound)])
    max_score = IntegerField(_l("Highest score"), default=10,
                             validators=[InputRequired(), RuleCheck(rules.check_score_bound)])
    comment_required = BooleanField(_l("A comment is required"))
    rules_change_reason = TextAreaField(
        _l("Reason for changing the rules of a round in progress"), validators=[Optional(), Length(max=2000)],
        description=_l("Needed once the round has a submitted review: every submitted total is recomputed, "
                       "the judges are told and the change is audited."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, taken_keys=(), other_criteria=(), **kwargs):
        """other_criteria: the round's other criteria, whose totals this one's add to."""
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)
        self.other_bounds = [(c.weight, c.min_score, c.max_score) for c in other_criteria]

    def validate_key(self, field):
        if field.data in self.taken_keys:
            raise ValidationError(_l("This key is already used in this round."))

    def validate_max_score(self, field):
        if self.min_score.data is None or field.data is None or self.min_score.errors or field.errors:
            return
        message = rules.check_scale(self.min_score.data, field.data)
        if message:
            raise ValidationError(message)

    def validate(self, extra_validators=None) -> bool:
        """The fields one by one, then the round as a whole: with this criterion, every review total
        must still fit its column. The message goes to the scale bound on the side that is beyond."""
        if not super().validate(extra_validators):
            return False
        problem = rules.check_round_totals(
            [*self.other_bounds, (parse_decimal(self.weight.data), self.min_score.data, self.max_score.data)])
        if problem is None:
            return True
        side, message = problem
        (self.min_score if side == "min" else self.max_score).errors.append(message)
        return False


class ConfirmForm(AppForm):
    """An empty form for POST buttons: it carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))
