"""Organisers: contest set-up (settings, nominations, rounds, criteria)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.forms_common import parse_decimal, to_local, to_utc
from app.manage import bp
from app.manage.forms import (
    ConfirmForm,
    ContestSettingsForm,
    CriterionForm,
    NominationForm,
    RoundForm,
)
from app.models import Criterion, Entry, Nomination, Round
from app.services.setup import contests
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
    form = ContestSettingsForm(obj=contest)
    form.timezone.choices = timezone_choices()
    if form.validate_on_submit():
        contests.update_contest(contest, actor=current_user, **{
            name: getattr(form, name).data for name in (
                "title_ru", "title_en", "description_ru", "description_en", "timezone",
                "declaration_ru", "declaration_en")
        })
        db.session.commit()
        flash(_("The settings are saved."), "success")
        return redirect(url_for("manage.contest", slug=contest.slug))
    return render_template("manage/settings.html", contest=contest, form=form)


@bp.route("/<slug>/nominations/new", methods=["GET", "POST"])
@organiser_required
def nomination_new(contest):
    form = NominationForm(taken_keys=[n.key for n in contest.nominations])
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
    form = NominationForm(obj=nomination, taken_keys=[
        n.key for n in contest.nominations if n.id != nomination.id])
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
        "disagreement_threshold", "blind")}
    values.update({name: to_utc(getattr(form, name).data, timezone) for name in ROUND_WINDOWS})
    values["weight"] = parse_decimal(form.weight.data)
    return values


@bp.route("/<slug>/rounds/new", methods=["GET", "POST"])
@organiser_required
def round_new(contest):
    form = RoundForm(taken_keys=[r.key for r in contest.rounds])
    del form.tie_break  # a new round has no criteria to break ties with yet
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


@bp.route("/<slug>/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@organiser_required
def round_edit(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = RoundForm(
        obj=round_, taken_keys=[r.key for r in contest.rounds if r.id != round_.id],
        round_criteria=round_.criteria,
    )
    if not form.is_submitted():
        for name in ROUND_WINDOWS:
            getattr(form, name).data = to_local(getattr(round_, name), contest.timezone)
        form.weight.data = str(round_.weight) if round_.weight is not None else ""
        form.tie_break.data = [tb.criterion_id for tb in round_.tie_breaks]
    if form.validate_on_submit():
        old = {"method": round_.method, "pass_mark": str(round_.pass_mark)}
        for name, value in _round_values(form, contest.timezone).items():
            setattr(round_, name, value)
        contests.set_tie_breaks(round_, [form.round_criteria[i] for i in form.tie_break.data])
        from app.services.platform.audit import record_event

        record_event(contest_id=contest.id, actor_id=current_user.id, action="round.update",
                     object_type="round", object_id=round_.id, old=old,
                     new={"method": round_.method, "pass_mark": str(round_.pass_mark)})
        db.session.commit()
        flash(_("The round is saved."), "success")
        return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_.id))
    return render_template("manage/round_form.html", contest=contest, form=form, round=round_)


@bp.route("/<slug>/rounds/<int:round_id>/criteria/new", methods=["GET", "POST"])
@organiser_required
def criterion_new(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = CriterionForm(taken_keys=[c.key for c in round_.criteria], other_criteria=round_.criteria)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "key", "title_ru", "title_en", "description_ru", "description_en", "anchors_ru",
            "anchors_en", "min_score", "max_score", "comment_required")}
        contests.add_criterion(round_, weight=parse_decimal(form.weight.data), **values)
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
    form = CriterionForm(obj=criterion, taken_keys=[c.key for c in others], other_criteria=others)
    if not form.is_submitted():
        form.weight.data = str(criterion.weight)
    if form.validate_on_submit():
        weight = parse_decimal(form.weight.data)
        form.populate_obj(criterion)
        criterion.weight = weight
        db.session.commit()
        flash(_("The criterion is saved."), "success")
        return redirect(url_for("manage.round_view", slug=contest.slug,
                                round_id=criterion.round_id))
    return render_template("manage/edit.html", contest=contest, form=form, title=_("Criterion"))


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
        db.session.delete(criterion)
        db.session.commit()
        flash(_("The criterion is deleted."), "info")
    return redirect(url_for("manage.round_view", slug=contest.slug, round_id=round_id))


# The other organiser areas register their routes on this blueprint.
