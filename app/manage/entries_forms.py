"""Organiser forms: the application-form builder and screening."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.form_base import AppForm
from app.forms_common import KeyField
from app.services.intake import application_form
from app.services.intake.application_form import MB, FormError
from app.services.platform.money import CURRENCIES, AmountError, format_amount_input, parse_amount

IDENTIFYING_CHOICES = [
    ("default", _l("As usual for the key (organisation, INN, website, contacts, team: yes; others: no)")),
    ("yes", _l("Yes: hide it from judges in blind rounds")),
    ("no", _l("No: judges may read it (the entrant's name and organisation are still blacked out)")),
]
FIELD_TYPE_CHOICES = [
    ("text", _l("Short text")),
    ("textarea", _l("Long text (with a character limit)")),
    ("number", _l("Number")),
    ("date", _l("Date")),
    ("select", _l("Choice from a list")),
    ("checkbox", _l("Checkbox (yes / no)")),
    ("file", _l("Files")),
    ("amount", _l("Amount of money")),
]


class FormFieldForm(AppForm):
    key = KeyField(_l("Key"), "field")
    type = SelectField(_l("Type"), choices=FIELD_TYPE_CHOICES, default="text")
    label_ru = StringField(_l("Label (Russian)"), validators=[Length(max=500)])
    label_en = StringField(_l("Label (English)"), validators=[Length(max=500)])
    help_ru = TextAreaField(_l("Help text (Russian)"), validators=[Length(max=5000)], render_kw={"rows": 2})
    help_en = TextAreaField(_l("Help text (English)"), validators=[Length(max=5000)], render_kw={"rows": 2})
    required = BooleanField(_l("Required for submission"))
    identifying = SelectField(
        _l("Identifies the entrant"), choices=IDENTIFYING_CHOICES, default="default", validate_choice=False,
        description=_l("Answers to an identifying field are hidden from judges in blind rounds, and blacked "
                       "out wherever else the entrant repeats them."))
    max_length = IntegerField(
        _l("Character limit (text fields)"),
        validators=[Optional(), NumberRange(min=1, max=application_form.ANSWER_HARD_LIMIT - 1)],
        description=_l("Empty: no limit. Entrants see a live count."))
    options = TextAreaField(
        _l("Options (lists)"), render_kw={"rows": 4},
        description=_l("One per line: value | Russian label | English label."))
    accept = StringField(
        _l("Allowed file types (files)"),
        description=_l("Extensions, e.g. pdf, pptx. The content of each file is checked too."))
    max_size_mb = DecimalField(
        _l("Largest file, MB (files)"), places=1,
        validators=[Optional(), NumberRange(min=Decimal("0.1"), max=10240)],
        description=_l("Empty: 10 MB. An application may hold 50 MB in all."))
    currency = SelectField(_l("Currency (amounts)"), choices=[(c, c) for c in CURRENCIES], default="RUB",
                           validate_choice=False)
    requested = BooleanField(_l("This is the amount the entrant requests (amounts; one per form)"))
    max_amount = StringField(
        _l("Most an entry may give here (amounts)"), validators=[Length(max=40)],
        description=_l("Empty: no limit. Checked when the application is submitted."))
    min_share = DecimalField(
        _l("At least this per cent of another amount (amounts)"), places=2,
        validators=[Optional(), NumberRange(min=Decimal("0.01"), max=100)],
        description=_l("E.g. co-funding of at least 20 per cent of the total budget. Empty: no rule."))
    min_share_of = StringField(_l("… of the amount field with the key (amounts)"), validators=[Length(max=64)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, taken_keys=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)
        self.editing = editing
        self.parsed_options: list | None = None
        self.parsed_accept: list | None = None
        self.parsed_max_amount: Decimal | None = None
        if editing:
            # Answers are stored under the key and typed by the type: both stay.
            del self.key
            del self.type
            self.identifying.choices = IDENTIFYING_CHOICES[1:]

    def validate_key(self, field):
        if field.data in application_form.RESERVED_KEYS:
            raise ValidationError(_l("This key is reserved: every form has a project title and a nomination."))
        if field.data in self.taken_keys:
            raise ValidationError(_l("This key is already used in this form."))

    def validate_label_en(self, field):
        if not (self.label_ru.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Give a label in at least one language."))

    def field_type(self, current: str | None = None) -> str:
        return current if self.editing else self.type.data

    def check_type_settings(self, field_type: str) -> bool:
        """Parses options and extensions for the type; puts messages at the fields."""
        ok = True
        if field_type == "select":
            try:
                self.parsed_options = application_form.parse_options(self.options.data)
            except FormError as error:
                self.options.errors = [*self.options.errors, str(error)]
                ok = False
            else:
                if not self.parsed_options:
                    self.options.errors = [*self.options.errors, str(_l("A list needs at least one option."))]
                    ok = False
        if field_type == "file":
            try:
                self.parsed_accept = application_form.parse_accept(self.accept.data)
            except FormError as error:
                self.accept.errors = [*self.accept.errors, str(error)]
                ok = False
            else:
                if not self.parsed_accept:
                    self.accept.errors = [*self.accept.errors, str(_l("Name at least one allowed file type."))]
                    ok = False
        if field_type == "amount" and (self.max_amount.data or "").strip():
            try:
                self.parsed_max_amount = parse_amount(self.max_amount.data)
            except AmountError as error:
                self.max_amount.errors = [*self.max_amount.errors, str(error)]
                ok = False
            else:
                if not self.parsed_max_amount:
                    self.max_amount.errors = [*self.max_amount.errors, str(_l("The limit must be above zero."))]
                    ok = False
        return ok

    def values(self, field_type: str) -> dict:
        return {
            "label_ru": (self.label_ru.data or "").strip(), "label_en": (self.label_en.data or "").strip(),
            "help_ru": (self.help_ru.data or "").strip(), "help_en": (self.help_en.data or "").strip(),
            "required": self.required.data, "max_length": self.max_length.data,
            "identifying": {"yes": True, "no": False}.get(self.identifying.data),
            "options": self.parsed_options, "accept": self.parsed_accept,
            "max_size": int(self.max_size_mb.data * MB) if self.max_size_mb.data else None,
            "currency": self.currency.data, "requested": self.requested.data,
            "max_amount": self.parsed_max_amount, "min_share": self.min_share.data,
            "min_share_of": (self.min_share_of.data or "").strip() or None,
        }

    def fill_from(self, field) -> None:
        self.identifying.data = "yes" if field.identifying else "no"
        self.options.data = application_form.format_options(field.options)
        self.accept.data = ", ".join(field.accept or [])
        self.max_size_mb.data = (Decimal(field.max_size) / MB).quantize(Decimal("0.1")) if field.max_size else None
        self.max_amount.data = format_amount_input(field.max_amount)


class ScreeningForm(AppForm):
    decision = RadioField(_l("Decision"), choices=[
        ("eligible", _l("Eligible: the entry takes part in the first round")),
        ("ineligible", _l("Ineligible")),
    ], validate_choice=False)
    reason = TextAreaField(_l("Reason (shown to the entrant)"), validators=[Length(max=5000)],
                           render_kw={"rows": 3})
    submit = SubmitField(_l("Save the decision"))

    def validate_decision(self, field):
        if field.data not in ("eligible", "ineligible"):
            raise ValidationError(_l("Choose a decision."))

    def validate_reason(self, field):
        if self.decision.data == "ineligible" and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason; the entrant will see it."))


class EntriesBulkForm(AppForm):
    """The entries list's actions on the ticked entries (their ids come as `entry` values)."""

    bulk_action = SelectField(_l("With the selected entries"), choices=[
        ("eligible", _l("Screen: eligible")),
        ("ineligible", _l("Screen: ineligible")),
        ("message", _l("Write to their entrants")),
        ("export_xlsx", _l("Export them (XLSX)")),
        ("export_csv", _l("Export them (CSV)")),
    ], validate_choice=False)
    bulk_reason = TextAreaField(_l("Reason (for «ineligible», shown to the entrants)"),
                                validators=[Length(max=5000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Apply"))

    def validate_bulk_action(self, field):
        if field.data not in ("eligible", "ineligible", "message", "export_xlsx", "export_csv"):
            raise ValidationError(_l("Choose an action."))


class GroupMessageForm(AppForm):
    group = SelectField(_l("To"), validate_choice=False)
    subject_ru = StringField(_l("Subject (Russian)"), validators=[Length(max=300)])
    body_ru = TextAreaField(_l("Message (Russian)"), validators=[Length(max=20000)], render_kw={"rows": 8})
    subject_en = StringField(_l("Subject (English)"), validators=[Length(max=300)])
    body_en = TextAreaField(_l("Message (English)"), validators=[Length(max=20000)], render_kw={"rows": 8},
                            description=_l("Placeholders: {name}, {contest}, {number}, {title}. Each person "
                                           "gets the text in their language, or the other one if theirs is "
                                           "empty."))
    submit = SubmitField(_l("Send"))
