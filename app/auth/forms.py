from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.form_base import AppForm
from app.services.platform.accounts import password_problem


class AcceptablePassword:
    """accounts.password_problem at the field: length, not a common password, not the e-mail.
    The address is the form's own `email` field, else the `account_email` the view gives it."""

    def __call__(self, form, field):
        email = form.email.data if "email" in form else getattr(form, "account_email", None)
        problem = password_problem(field.data or "", email=email)
        if problem:
            raise ValidationError(problem)


PASSWORD_RULES = [DataRequired(), AcceptablePassword()]


class RegisterForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=PASSWORD_RULES)
    password2 = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    next = HiddenField()
    submit = SubmitField(_l("Register"))


class LoginForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    submit = SubmitField(_l("Send the link"))


class ResetPasswordForm(AppForm):
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    password2 = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set the password"))


class ChangePasswordForm(AppForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    password2 = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change the password"))


class ResendConfirmationForm(AppForm):
    submit = SubmitField(_l("Send the confirmation link again"))


class LogoutEverywhereForm(AppForm):
    submit = SubmitField(_l("Log out everywhere"))


class RemindersStopForm(AppForm):
    """The opt-out from scheduled reminders: a button (a link alone must not change anything)."""
