"""Registration, e-mail confirmation, login, logout, passwords."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    LogoutEverywhereForm,
    RegisterForm,
    ResendConfirmationForm,
    ResetPasswordForm,
)
from app.extensions import db, limiter
from app.i18n import (
    adopt_visitor_language,
    current_language,
    keep_language_after_logout,
    remember_language,
)
from app.safe_redirect import is_safe_next, redirect_next
from app.services.platform import accounts
from app.services.platform.throttle import allow_password_attempt

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("public.index"))
    form = RegisterForm(next=request.args.get("next"))
    if not form.is_submitted() and request.args.get("email"):
        form.email.data = request.args["email"][:254]  # from a jury invitation: the invited address
    if form.validate_on_submit():
        # One answer whether or not the address has an account (the owner of one is told by
        # e-mail), so the form does not reveal who is registered.
        accounts.register_account(email=form.email.data, name=form.name.data,
                                  password=form.password.data, locale=current_language())
        db.session.commit()
        flash(_("Thank you. We have sent a message to %(email)s: follow the link in it to confirm "
                "the address, and log in with your e-mail and password.", email=form.email.data),
              "success")
        return redirect(url_for("auth.login", next=form.next.data or None))
    return render_template("auth/register.html", form=form)


@bp.route("/confirm/<token>")
def confirm(token):
    try:
        user = accounts.confirm_email(token)
    except accounts.TokenError as error:
        flash(str(error), "danger")
        return redirect(url_for("public.index"))
    db.session.commit()
    flash(_("Your e-mail address %(email)s is confirmed.", email=user.email), "success")
    return redirect(url_for("public.index"))


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def resend_confirmation():
    form = ResendConfirmationForm()
    if current_user.is_confirmed:
        return redirect_next(request.form.get("next"))
    if form.validate_on_submit():
        accounts.send_confirmation_mail(current_user)
        flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email),
              "info")
        return redirect_next(request.form.get("next"))
    return render_template("auth/unconfirmed.html", form=form)


def _too_many_attempts() -> str:
    return _("Too many attempts. Wait a minute and try again.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect_next(request.args.get("next"))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        if not allow_password_attempt(account=form.email.data, address=request.remote_addr):
            form.password.errors.append(_too_many_attempts())
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            login_user(user, remember=form.remember.data)
            adopt_visitor_language(user)
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect_next(form.next.data)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        keep_language_after_logout(current_user)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("public.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is not None:
            accounts.send_reset_mail(user)
        # The same answer either way, so the form does not reveal who has an account.
        flash(_("If an account exists for %(email)s, we have sent it a link to reset the "
                "password.", email=form.email.data), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user = accounts.user_for_reset_token(token)
    except accounts.TokenError as error:
        flash(str(error), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        accounts.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. You can log in with it now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        if not allow_password_attempt(account=current_user.email, address=request.remote_addr):
            form.current.errors.append(_too_many_attempts())
            return render_template("auth/change_password.html", form=form), 429
        if not accounts.check_password(current_user, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            accounts.set_password(current_user, form.password.data)
            db.session.commit()
            # Every other session has ended with the old password; this browser stays signed in.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. You are logged out on every other device."), "success")
            return redirect(url_for("public.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    form = LogoutEverywhereForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.change_password"))
    keep_language_after_logout(current_user)
    revoked = accounts.log_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    if revoked:
        flash(_("You are logged out on every device, and your API tokens are revoked."), "info")
    else:
        flash(_("You are logged out on every device."), "info")
    return redirect(url_for("public.index"))


@bp.route("/language/<code>", methods=["POST"])
def set_language(code):
    remember_language(code)
    db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("public.index"))


@bp.route("/reminders/stop/<token>", methods=["GET", "POST"])
def reminders_stop(token):
    """The opt-out link of every scheduled reminder: no login needed, the signed token names the person."""
    from app.auth.forms import RemindersStopForm
    from app.services.reminders.schedule import opt_out, user_from_token

    person = user_from_token(token)
    form = RemindersStopForm()
    stopped = False
    if person is not None and form.validate_on_submit():
        opt_out(person)
        db.session.commit()
        stopped = True
    return render_template("auth/reminders_stop.html", person=person, form=form, stopped=stopped)
