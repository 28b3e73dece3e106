"""Judges: answering an invitation, signing the declaration, declaring a conflict of interest."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from app.access import get_contest_or_404
from app.extensions import db
from app.i18n import current_language, remember_language
from app.jury import bp
from app.jury.forms_invitations import ConflictForm, DeclarationForm
from app.models import Assignment, Declaration, Entry, Round
from app.safe_redirect import is_safe_next, redirect_next
from app.services.anonymity.titles import entry_judge_title
from app.services.jury import members as jury
from app.services.platform import permissions


def _jury_home() -> str:
    if "jury.dashboard" in current_app.view_functions:
        return url_for("jury.dashboard")
    return url_for("public.index")


def _member_or_404(token: str):
    member = jury.member_for_token(token)
    if member is None:
        abort(404)
    return member


@bp.route("/invitation/<token>")
def invitation(token):
    member = _member_or_404(token)
    if not current_user.is_authenticated and request.args.get("lang"):
        # the invitation's language (the one its e-mail was written in) for someone not logged in;
        # an account's own choice wins once they log in
        remember_language(request.args["lang"])
        refresh()
    round_ = db.session.get(Round, member.round_id)
    problem = None
    if current_user.is_authenticated and member.status != "accepted":
        problem = jury.acceptance_problem(member, current_user)
    return render_template("jury/invitation.html", member=member, round=round_, contest=round_.contest,
                           problem=problem)


@bp.route("/invitation/<token>/accept", methods=["POST"])
def invitation_accept(token):
    member = _member_or_404(token)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("jury.invitation", token=token)))
    round_ = db.session.get(Round, member.round_id)
    try:
        jury.accept_invitation(member=member, user=current_user)
    except jury.JuryError as error:
        flash(str(error), "danger")
        return redirect(url_for("jury.invitation", token=token))
    db.session.commit()
    flash(_("Thank you! You are on the jury of %(round)s.", round=round_.loc("title")), "success")
    if not jury.has_signed_declaration(round_.contest, current_user):
        return redirect(url_for("jury.declaration", slug=round_.contest.slug, next=_jury_home()))
    return redirect(_jury_home())


@bp.route("/invitation/<token>/decline", methods=["POST"])
def invitation_decline(token):
    member = _member_or_404(token)
    user = current_user if current_user.is_authenticated else None
    try:
        jury.decline_invitation(member=member, user=user)
    except jury.JuryError as error:
        flash(str(error), "danger")
        return redirect(url_for("jury.invitation", token=token))
    db.session.commit()
    flash(_("You have declined the invitation. Thank you for letting us know."), "info")
    return redirect(url_for("jury.invitation", token=token))


@bp.route("/<slug>/declaration", methods=["GET", "POST"])
@login_required
def declaration(slug):
    contest = get_contest_or_404(slug)
    if not permissions.is_judge_in_contest(current_user, contest):
        abort(403)
    signed = db.session.get(Declaration, (contest.id, current_user.id))
    form = DeclarationForm(next=request.args.get("next"))
    if signed is None and form.validate_on_submit():
        jury.sign_declaration(contest=contest, user=current_user, language=current_language())
        db.session.commit()
        flash(_("Thank you, the declaration is signed."), "success")
        return redirect_next(form.next.data) if is_safe_next(form.next.data) else redirect(_jury_home())
    return render_template("jury/declaration.html", contest=contest, form=form, signed=signed,
                           text=signed.text if signed else jury.declaration_text(contest, current_language()))


@bp.route("/<slug>/rounds/<int:round_id>/entries/<int:entry_id>/conflict", methods=["GET", "POST"])
@login_required
def declare_conflict(slug, round_id, entry_id):
    contest = get_contest_or_404(slug)
    round_ = db.session.get(Round, round_id)
    entry = db.session.get(Entry, entry_id)
    if round_ is None or entry is None or round_.contest_id != contest.id or entry.contest_id != contest.id:
        abort(404)
    if not permissions.is_judge_in_round(current_user, round_):
        abort(403)
    if not jury.has_signed_declaration(contest, current_user):
        return redirect(url_for("jury.declaration", slug=contest.slug, next=request.path))
    assigned = db.session.scalar(sa.select(sa.exists().where(
        Assignment.round_id == round_.id, Assignment.entry_id == entry.id, Assignment.judge_id == current_user.id)))
    if not assigned:
        abort(404)
    form = ConflictForm()
    if form.validate_on_submit():
        # Worded before the call: declare_conflict withdraws the judge only from rounds not yet
        # finalised, and a frozen ranking keeps the review it was made with (DESIGN §3a.2).
        frozen = round_.finalised_at is not None
        jury.declare_conflict(entry=entry, user=current_user, reason=form.reason.data, source="judge")
        db.session.commit()
        if frozen:
            flash(_("The conflict is recorded and the organisers are told. This round is finalised: its "
                    "results are frozen, so your review stays in them as it was."), "warning")
        else:
            flash(_("The conflict is recorded and the entry is withdrawn from you. The organisers are told."),
                  "success")
        return redirect(_jury_home())
    show_identity = permissions.can_see_entrant_identity(current_user, entry)
    return render_template("jury/conflict.html", contest=contest, round=round_, entry=entry, form=form,
                           show_identity=show_identity,
                           title_shown=entry_judge_title(entry, round_, show_identity=show_identity))
