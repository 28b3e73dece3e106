from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Regexp, ValidationError

from app.form_base import AppForm
from app.forms_common import LANGUAGE_CHOICES, RequiredIfOffered
from app.services.setup import contests, rules


class ContestCreateForm(AppForm):
    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), Regexp(rules.SLUG_PATTERN, message=_l(
            "Use 3–80 lower-case Latin letters, digits and hyphens."))],
        description=_l("Part of the contest's web address, e.g. formula-2026."),
    )
    languages = SelectField(_l("Languages of the contest"), choices=LANGUAGE_CHOICES, default="ru,en")
    title_ru = StringField(_l("Title (Russian)"), validators=[RequiredIfOffered("ru"), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[RequiredIfOffered("en"), Length(max=300)])
    timezone = SelectField(_l("Time zone"), default="Europe/Moscow")
    submit = SubmitField(_l("Create the contest"))

    def validate_languages(self, field):
        if field.data not in dict(LANGUAGE_CHOICES):
            raise ValidationError(_l("Choose the languages of the contest."))

    def validate_slug(self, field):
        if contests.get_contest(field.data) is not None:
            raise ValidationError(_l("This address is taken."))

    def validate_timezone(self, field):
        message = rules.check_timezone(field.data)
        if message:
            raise ValidationError(message)


class OrganiserForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Full name (for a new account)"), validators=[Length(max=200)])
    submit = SubmitField(_l("Appoint"))
