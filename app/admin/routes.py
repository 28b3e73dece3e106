"""Platform administration: contests and their organisers."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import admin_required, get_contest_or_404
from app.admin.forms import ContestCreateForm, OrganiserForm
from app.extensions import db
from app.models import User
from app.services.platform import accounts
from app.services.setup import contests
from app.timezones import timezone_choices

bp = Blueprint("admin", __name__)


@bp.route("/")
@admin_required
def index():
    return render_template("admin/index.html", contests=contests.organised_contests(current_user))


@bp.route("/contests/new", methods=["GET", "POST"])
@admin_required
def create_contest():
    form = ContestCreateForm()
    form.timezone.choices = timezone_choices()
    if form.validate_on_submit():
        contest = contests.create_contest(
            slug=form.slug.data, title_ru=form.title_ru.data, title_en=form.title_en.data,
            timezone=form.timezone.data, actor=current_user, draft=True,
            languages=form.languages.data,
        )
        db.session.commit()
        flash(_("The contest is created."), "success")
        return redirect(url_for("admin.organisers", slug=contest.slug))
    return render_template("admin/contest_new.html", form=form)


@bp.route("/contests/<slug>/organisers", methods=["GET", "POST"])
@admin_required
def organisers(slug):
    contest = get_contest_or_404(slug)
    form = OrganiserForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is None:
            if not (form.name.data or "").strip():
                form.name.errors.append(_("There is no account with this e-mail yet: give the "
                                          "person's name to create one."))
                return render_template("admin/organisers.html", contest=contest, form=form,
                                       organisers=contests.contest_organisers(contest))
            user = accounts.create_user(email=form.email.data, name=form.name.data)
            accounts.send_reset_mail(user)
        if contests.appoint_organiser(contest, user, actor=current_user):
            flash(_("%(name)s is now an organiser.", name=user.name), "success")
        else:
            flash(_("%(name)s is already an organiser.", name=user.name), "info")
        db.session.commit()
        return redirect(url_for("admin.organisers", slug=slug))
    return render_template("admin/organisers.html", contest=contest, form=form,
                           organisers=contests.contest_organisers(contest))


@bp.route("/contests/<slug>/organisers/<int:user_id>/remove", methods=["POST"])
@admin_required
def remove_organiser(slug, user_id):
    contest = get_contest_or_404(slug)
    user = db.get_or_404(User, user_id)
    contests.remove_organiser(contest, user, actor=current_user)
    db.session.commit()
    flash(_("%(name)s is no longer an organiser.", name=user.name), "info")
    return redirect(url_for("admin.organisers", slug=slug))
