"""Forms of the API's pages: a personal token, a webhook."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.form_base import AppForm
from app.services.api.tokens import EXPIRY_DAYS, SCOPE_AREAS
from app.services.api.webhooks import EVENTS


def _expiry_label(days: int | None):
    return _l("Never") if days is None else _l("%(days)s days", days=days)


class TokenForm(AppForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("What the token is for, e.g. “CRM export”."))
    expires = SelectField(_l("Expires after"), choices=[(str(d or 0), _expiry_label(d)) for d in EXPIRY_DAYS],
                          default="90")
    submit = SubmitField(_l("Create token"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area in SCOPE_AREAS:
            self.scope_field(area).label.text = SCOPE_AREAS[area]

    def scope_field(self, area: str):
        return self[f"scope_{area}"]

    def chosen_scopes(self) -> set[str]:
        scopes = set()
        for area in SCOPE_AREAS:
            level = self.scope_field(area).data
            if level in ("read", "write"):
                scopes.add(f"{area}:{level}")
        return scopes

    def expiry_days(self) -> int | None:
        return int(self.expires.data) or None


_LEVEL_CHOICES = [("", _l("No access")), ("read", _l("Read")), ("write", _l("Read and write"))]
for _area in SCOPE_AREAS:
    setattr(TokenForm, f"scope_{_area}", SelectField(_area, choices=_LEVEL_CHOICES, default=""))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebhookForm(AppForm):
    url = StringField(_l("Address (URL)"), validators=[DataRequired(), Length(max=2000)],
                      description=_l("We POST JSON to it, signed with the secret shown after saving."))
    events = MultiCheckboxField(_l("Events"), choices=[(key, label) for key, label in EVENTS.items()],
                                validators=[DataRequired()])
    submit = SubmitField(_l("Add webhook"))
