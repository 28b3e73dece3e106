"""Organisers: contest set-up (settings, nominations, rounds, criteria)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.forms_common import fit_languages, parse_decimal, to_local, to_utc
from app.manage import bp
from app.manage.forms import (
    ConfirmForm,
    ContestSettingsForm,
    CriterionForm,
    NominationForm,
    RoundForm,
)
from app.models import Criterion, Entry, Nomination, Round
from app.services.roundrules import changes as rule_changes
from app.services.setup import contests, lifecycle
from app.services.setup.lifecycle import LifecycleError
from app.timezones import timezone_choices

ROUND_WINDOWS = ("intake_opens_at", "intake_closes_at", "judging_opens_at", "judging_closes_at")


@bp.route("/")
@login_required
def index():
    return render_template("manage/index.html", contests=contests.organised_contests(current_user))


@bp.route("/<slug>/")
@organiser_required
def contest(contest):
    entry_counts = dict(db.session.execute(
        sa.select(Entry.status, sa.func.count()).where(Entry.contest_id == contest.id)
        .group_by(Entry.status)
    ).all())
    return render_template("manage/contest.html", contest=contest, entry_counts=entry_counts,
                           confirm_form=ConfirmForm())


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@organiser_required
def settings(contest):
    # The titles stay: choosing both languages in this very form asks for the other title at once.
    form = fit_languages(ContestSettingsForm(obj=contest), contest, contest, only=("description", "declaration"))
    form.timezone.choices = timezone_choices()
    if form.validate_on_submit():
        contests.update_contest(contest, actor=current_user, **{
            name: getattr(form, name).data for name in (
                "languages", "title_ru", "title_en", "description_ru", "description_en", "timezone",
                "declaration_ru", "declaration_en")
        })
        db.session.commit()
        flash(_("The settings are saved."), "success")
        return redirect(url_for("manage.contest", slug=contest.slug))
    return render_template("manage/settings.html", contest=contest, form=form)


@bp.route("/<slug>/nominations/new", methods=["GET", "POST"])
@organiser_required
def nomination_new(contest):
    form = fit_languages(NominationForm(taken_keys=[n.key for n in contest.nominations]), contest)
    if form.validate_on_submit():
        contests.add_nomination(contest, key=form.key.data, title_ru=form.title_ru.data,
                                title_en=form.title_en.data)
        db.session.commit()
        flash(_("The nomination is added."), "success")
        return redirect(url_for("manage.contest", slug=contest.slug))
    return render_template("manage/edit.html", contest=contest, form=form,
                           title=_("New nomination"))


@bp.route("/<slug>/nominations/<int:nomination_id>/edit", methods=["GET", "POST"])
@organiser_required
def nomination_edit(contest, nomination_id):
    nomination = get_in_contest_or_404(Nomination, nomination_id, contest)
    form = fit_languages(NominationForm(obj=nomination, taken_keys=[
        n.key for n in contest.nominations if n.id != nomination.id]), contest, nomination)
    if form.validate_on_submit():
        form.populate_obj(nomination)
        db.session.commit()
        flash(_("The nomination is saved."), "success")
        return redirect(url_for("manage.contest", slug=contest.slug))
    return render_template("manage/edit.html", contest=contest, form=form,
                           title=_("Nomination"))


@bp.route("/<slug>/nominations/<int:nomination_id>/move/<direction>", methods=["POST"])
@organiser_required
def nomination_move(contest, nomination_id, direction):
    nomination = get_in_contest_or_404(Nomination, nomination_id, contest)
    if ConfirmForm().validate_on_submit():
        contests.move(nomination, -1 if direction == "up" else 1, contest.nominations)
        db.session.commit()
    return redirect(url_for("manage.contest", slug=contest.slug))


@bp.route("/<slug>/nominations/<int:nomination_id>/delete", methods=["POST"])
@organiser_required
def nomination_delete(contest, nomination_id):
    nomination = get_in_contest_or_404(Nomination, nomination_id, contest)
    used = db.session.scalar(sa.select(sa.func.count()).where(Entry.nomination_id == nomination.id))
    if used:
        flash(_("This nomination has entries and cannot be deleted."), "danger")
    elif ConfirmForm().validate_on_submit():
        db.session.delete(nomination)
        db.session.commit()
        flash(_("The nomination is deleted."), "info")
    return redirect(url_for("manage.contest", slug=contest.slug))


def _round_values(form: RoundForm, timezone: str) -> dict:
    values = {name: getattr(form, name).data for name in (
        "key", "title_ru", "title_en", "reviews_per_entry", "method", "pass_mark",
        "disagreement_threshold", "blind", "titles_safe")}
    values.update({name: to_utc(getattr(form, name).data, timezone) for name in ROUND_WINDOWS})
    values["weight"] = parse_decimal(form.weight.data)
    return values


@bp.route("/<slug>/rounds/new", methods=["GET", "POST"])
@organiser_required
def round_new(contest):
    form = fit_languages(RoundForm(taken_keys=[r.key for r in contest.rounds]), contest)
    del form.tie_break  # a new round has no criteria to break ties with yet
    del form.rules_change_reason  # nor any review whose rules could change
    if form.validate_on_submit():
        round_ = contests.add_round(contest, **_round_values(form, contest.timezone))
        db.session.commit()
        flash(_("The round is added. Now add its criteria."), "success")
        return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_.id))
    return render_template("manage/round_form.html", contest=contest, form=form, round=None)


@bp.route("/<slug>/rounds/<int:round_id>/")
@organiser_required
def round_view(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    return render_template("manage/round.html", contest=contest, round=round_,
                           confirm_form=ConfirmForm())


def _rules_notice(round_: Round) -> str | None:
    """What the organiser is told on a set-up form of a round whose rules are fixed (DESIGN §3a.1)."""
    if round_.finalised_at is not None:
        return _("This round is finalised: its rules cannot change until it is reopened.")
    if lifecycle.has_submitted_review(round_):
        return _("Judging has started. Criteria cannot be added or deleted, and the tie-break order and "
                 "the blind flag are locked. A change of weight, scale, method, pass mark or threshold "
                 "is a change of the rules of a round in progress: give a reason; every submitted total "
                 "is recomputed at once and the judges are told by e-mail.")
    return None


def _show_refusal(form, error: LifecycleError) -> None:
    """The refusal at its field when it has one (what was typed stays), else above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "danger")


@bp.route("/<slug>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@organiser_required
def round_edit(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = RoundForm(
        obj=round_, taken_keys=[r.key for r in contest.rounds if r.id != round_.id],
        round_criteria=round_.criteria,
    )
    fit_languages(form, contest, round_)
    if not form.is_submitted():
        for name in ROUND_WINDOWS:
            getattr(form, name).data = to_local(getattr(round_, name), contest.timezone)
        form.weight.data = str(round_.weight) if round_.weight is not None else ""
        form.tie_break.data = [tb.criterion_id for tb in round_.tie_breaks]
    if form.validate_on_submit():
        try:
            rule_changes.edit_round(
                round_, values=_round_values(form, contest.timezone),
                tie_break=[form.round_criteria[i] for i in form.tie_break.data],
                reason=form.rules_change_reason.data or "", actor=current_user)
        except LifecycleError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("The round is saved."), "success")
            return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_.id))
    return render_template("manage/round_form.html", contest=contest, form=form, round=round_,
                           notice=_rules_notice(round_))


_CRITERION_VALUES = ("key", "title_ru", "title_en", "description_ru", "description_en", "anchors_ru",
                     "anchors_en", "min_score", "max_score", "comment_required")


@bp.route("/<slug>/rounds/<int:round_id>/criteria/new", methods=["GET", "POST"])
@organiser_required
def criterion_new(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = fit_languages(CriterionForm(taken_keys=[c.key for c in round_.criteria], other_criteria=round_.criteria),
                         contest)
    del form.rules_change_reason  # adding is refused outright once judging has started
    refusal = lifecycle.rules_refusal(round_, "criteria.add")
    if refusal:
        flash(refusal, "danger")
        return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_.id))
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in _CRITERION_VALUES}
        rule_changes.add_criterion(round_, weight=parse_decimal(form.weight.data), actor=current_user, **values)
        db.session.commit()
        flash(_("The criterion is added."), "success")
        return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_.id))
    return render_template("manage/edit.html", contest=contest, form=form,
                           title=_("New criterion"))


@bp.route("/<slug>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@organiser_required
def criterion_edit(contest, criterion_id):
    criterion = get_in_contest_or_404(Criterion, criterion_id, contest)
    others = [c for c in criterion.round.criteria if c.id != criterion.id]
    form = fit_languages(CriterionForm(obj=criterion, taken_keys=[c.key for c in others], other_criteria=others),
                         contest, criterion)
    if not form.is_submitted():
        from app.i18n import format_number

        form.weight.data = format_number(criterion.weight).replace("\u202f", "")  # «0,7»
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in _CRITERION_VALUES}
        values["weight"] = parse_decimal(form.weight.data)
        try:
            recomputed = rule_changes.edit_criterion(criterion, values=values, actor=current_user,
                                                     reason=form.rules_change_reason.data or "")
        except LifecycleError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            round_id = criterion.round_id
            db.session.commit()
            flash(_("The criterion is saved."), "success")
            if recomputed:
                flash(ngettext("%(num)d submitted total was recomputed; the judges are told.",
                               "%(num)d submitted totals were recomputed; the judges are told.", recomputed), "info")
            return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_id))
    return render_template("manage/edit.html", contest=contest, form=form, title=_("Criterion"),
                           notice=_rules_notice(criterion.round))


@bp.route("/<slug>/criteria/<int:criterion_id>/move/<direction>", methods=["POST"])
@organiser_required
def criterion_move(contest, criterion_id, direction):
    criterion = get_in_contest_or_404(Criterion, criterion_id, contest)
    if ConfirmForm().validate_on_submit():
        contests.move(criterion, -1 if direction == "up" else 1, criterion.round.criteria)
        db.session.commit()
    return redirect(url_for("manage.round_view", slug=contest.slug, round_id=criterion.round_id))


@bp.route("/<slug>/criteria/<int:criterion_id>/delete", methods=["POST"])
@organiser_required
def criterion_delete(contest, criterion_id):
    criterion = get_in_contest_or_404(Criterion, criterion_id, contest)
    round_id = criterion.round_id
    if ConfirmForm().validate_on_submit():
        try:
            rule_changes.delete_criterion(criterion, actor=current_user)
        except LifecycleError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The criterion is deleted."), "info")
    return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_id))


@bp.route("/<slug>/announce", methods=["POST"])
@organiser_required
def contest_announce(contest):
    """A draft contest becomes public: its page, the home page, applications."""
    if ConfirmForm().validate_on_submit() and contests.announce_contest(contest, actor=current_user):
        db.session.commit()
        flash(_("The contest is published: everyone can see it now."), "success")
    return redirect(url_for("manage.contest", slug=contest.slug))


# The other organiser areas register their routes on this blueprint.
