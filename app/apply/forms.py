"""The application form, built at run time from the contest's form fields (one WTForms field each).

Values are taken as typed (numbers and dates as text) so nothing is lost; the checks live in
services.application_form and their messages are put on the fields here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from app.form_base import AppForm
from app.i18n import current_language
from app.models import Entry, FormField, Nomination
from app.services.intake import application_form
from app.services.intake.entries import Application
from app.services.platform.money import amount_or_none, currency_symbol, format_amount_input

PREFIX = "a_"


def field_name(key: str) -> str:
    return PREFIX + key


class ApplicationFormBase(AppForm):
    title = StringField(_l("Project title"), render_kw={
        "data-limit": application_form.TITLE_MAX_LENGTH, "data-count": "title-count"})
    nomination = SelectField(_l("Nomination"), validate_choice=False)

    form_fields: list[FormField] = []

    def answer_fields(self):
        """(form field definition, WTForms field) pairs in the form's order."""
        return [(definition, self[field_name(definition.key)]) for definition in self.form_fields]

    def application(self) -> Application:
        answers_source = {}
        for definition, wtfield in self.answer_fields():
            if definition.type != "file":
                answers_source[definition.key] = wtfield.data
        nomination = self.nomination.data
        return Application(
            title=self.title.data or "",
            nomination_id=int(nomination) if nomination and str(nomination).isdigit() else None,
            answers=application_form.clean_answers(self.form_fields, answers_source),
        )

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Puts the service's messages on their fields (title, nomination, answers)."""
        for key, messages in errors.items():
            name = key if key in ("title", "nomination") else field_name(key)
            if name in self:
                self[name].errors = [*list(self[name].errors or []), *messages]


def _wtfield(definition: FormField):
    label = definition.loc("label") or definition.key
    help_text = definition.loc("help")
    common = {"label": label, "description": help_text}
    render_kw: dict = {}
    if definition.required:
        render_kw["aria-required"] = "true"
    if definition.type in application_form.TEXT_TYPES and definition.max_length:
        # data-limit, not maxlength: a browser cuts pasted text at maxlength without a word; the
        # counter turns red instead, and the draft keeps the whole text and says it is too long
        render_kw["data-limit"] = definition.max_length
        render_kw["data-count"] = f"{field_name(definition.key)}-count"
    if definition.type == "text":
        return StringField(render_kw=render_kw, **common)
    if definition.type == "textarea":
        render_kw["rows"] = 8 if (definition.max_length or 0) > 500 else 4
        return TextAreaField(render_kw=render_kw, **common)
    if definition.type == "number":
        render_kw["inputmode"] = "decimal"
        return StringField(render_kw=render_kw, **common)
    if definition.type == "amount":
        render_kw["inputmode"] = "decimal"
        render_kw["data-currency"] = currency_symbol(definition.currency)
        common["label"] = f"{label}, {currency_symbol(definition.currency)}"
        return StringField(render_kw=render_kw, **common)
    if definition.type == "date":
        render_kw["type"] = "date"
        return StringField(render_kw=render_kw, **common)
    if definition.type == "select":
        language = current_language()
        choices = [("", "—")] + [
            (o["value"], (o.get("label") or {}).get(language) or o["value"])
            for o in definition.options or []
        ]
        return SelectField(choices=choices, validate_choice=False, render_kw=render_kw, **common)
    if definition.type == "checkbox":
        return BooleanField(render_kw=render_kw, **common)
    render_kw["accept"] = ",".join("." + ext for ext in definition.accept or [])
    render_kw["data-max-size"] = application_form.file_max_size(definition)
    render_kw["data-max-size-label"] = application_form.human_size(application_form.file_max_size(definition))
    return MultipleFileField(render_kw=render_kw, **common)


def build_application_form(fields: list[FormField], nominations: list[Nomination], *,
                           entry: Entry | None = None, formdata=None) -> ApplicationFormBase:
    """The form for these fields; filled from the entry, or from `formdata` when given."""

    class ApplicationForm(ApplicationFormBase):
        pass

    ApplicationForm.form_fields = list(fields)
    for definition in fields:
        setattr(ApplicationForm, field_name(definition.key), _wtfield(definition))

    data = {}
    if entry is not None:
        data["title"] = entry.title
        data["nomination"] = str(entry.nomination_id) if entry.nomination_id else ""
        for definition in fields:
            if definition.type != "file" and definition.key in (entry.answers or {}):
                data[field_name(definition.key)] = entry.answers[definition.key]
                if definition.type == "amount":
                    # Stored as "1500000.00", shown back as the reader writes it («1 500 000»).
                    amount = amount_or_none(entry.answers[definition.key])
                    if amount is not None:
                        data[field_name(definition.key)] = format_amount_input(amount)
    kwargs = {"data": data}
    if formdata is not None:
        kwargs["formdata"] = formdata
    form = ApplicationForm(**kwargs)
    form.nomination.choices = [("", _l("— choose —"))] + [(str(n.id), n.loc("title")) for n in nominations]
    return form


class ReplaceFileForm(AppForm):
    """The new file for one the organisers asked to replace (the anonymity check)."""

    file = FileField(_l("New file"))
    submit = SubmitField(_l("Replace the file"))
