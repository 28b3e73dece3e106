"""Organiser pages: funds and the funding of a finalised round (DESIGN §3b).

Routes are registered on the manage blueprint.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import organiser_required
from app.extensions import db
from app.manage import bp
from app.manage.funding_forms import (
    CutForm,
    FundDeleteForm,
    FundForm,
    FundingRuleForm,
    ShowAmountsForm,
    UncutForm,
)
from app.manage.results_forms import ReasonForm
from app.models import Contest, Fund, Round
from app.services.funding import allocation, funds
from app.services.funding.allocation import FundingError
from app.services.funding.funds import FundError
from app.services.funding.rules import RULES
from app.services.platform.money import format_amount, format_kopecks


def _round_in(contest: Contest, round_id: int) -> Round:
    for round_ in contest.rounds:
        if round_.id == round_id:
            return round_
    abort(404)


def _back(contest: Contest, round_: Round):
    return redirect(url_for("manage.funding", slug=contest.slug, round_id=round_.id))


@bp.route("/<slug>/funds", methods=["GET", "POST"])
@organiser_required
def funds_page(contest):
    form = FundForm(nominations=contest.nominations)
    if form.validate_on_submit():
        try:
            funds.set_fund(contest, nomination_id=form.nomination_id(), amount=form.amount.amount,
                           currency=form.currency.data, min_grant=form.min_grant.amount,
                           max_grant=form.max_grant.amount, actor=current_user)
        except FundError as error:
            db.session.rollback()
            field = getattr(form, error.field)
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The fund is saved."), "success")
            return redirect(url_for("manage.funds_page", slug=contest.slug))
    return render_template("manage/funds.html", contest=contest, form=form, funds=funds.contest_funds(contest),
                           delete_form=FundDeleteForm(), refusal=funds.fund_change_refusal(contest),
                           money=format_amount, kmoney=format_kopecks, show_all=request.args.get("all") == "1")


@bp.route("/<slug>/funds/delete", methods=["POST"])
@organiser_required
def fund_delete(contest):
    form = FundDeleteForm()
    if form.validate_on_submit():
        fund = db.session.get(Fund, form.fund_id.data)
        if fund is None or fund.contest_id != contest.id:
            abort(404)
        try:
            funds.delete_fund(fund, actor=current_user)
        except FundError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The fund is deleted."), "info")
    return redirect(url_for("manage.funds_page", slug=contest.slug))


@bp.route("/<slug>/results/<int:round_id>/funding")
@organiser_required
def funding(contest, round_id):
    round_ = _round_in(contest, round_id)
    plan = views = ranking = None
    if allocation.proposal_refusal(round_) is None:
        plan, views, ranking = allocation.funding_page(round_)
    rule_form = FundingRuleForm(data={"rule": plan.rule, "objective": plan.objective} if plan else None)
    return render_template(
        "manage/funding.html", contest=contest, round=round_, plan=plan, views=views or [],
        rows=ranking.by_entry() if ranking else {}, rule_form=rule_form, cut_form=CutForm(), uncut_form=UncutForm(),
        show_form=ShowAmountsForm(data={"show": plan.show_amounts} if plan else None),
        refusal=allocation.allocation_refusal(round_), rules=RULES, side_by_side=allocation.SIDE_BY_SIDE,
        money=format_amount, kmoney=format_kopecks, show_all=request.args.get("all") == "1")


def _act(contest: Contest, round_: Round, form, action, done: str):
    """Validates the form, runs the service, commits; a refusal is flashed. One shape for each button."""
    if form.validate_on_submit():
        try:
            action()
        except FundingError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(done, "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
    return _back(contest, round_)


@bp.route("/<slug>/results/<int:round_id>/funding/rule", methods=["POST"])
@organiser_required
def funding_rule(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = FundingRuleForm()
    return _act(contest, round_, form, lambda: allocation.choose_rule(
        round_, rule=form.rule.data, objective=form.objective.data, actor=current_user), _("The rule is chosen."))


def _entry_id(form) -> int:
    value = str(form.entry_id.data or "")
    if not value.isdigit() or len(value) > 12:
        abort(404)
    return int(value)


@bp.route("/<slug>/results/<int:round_id>/funding/cut", methods=["POST"])
@organiser_required
def funding_cut(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = CutForm()
    return _act(contest, round_, form, lambda: allocation.cut_grant(
        round_, entry_id=_entry_id(form), amount=form.amount.amount, reason=form.reason.data, actor=current_user),
        _("The grant is cut; the proposal is recomputed."))


@bp.route("/<slug>/results/<int:round_id>/funding/uncut", methods=["POST"])
@organiser_required
def funding_uncut(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = UncutForm()
    return _act(contest, round_, form, lambda: allocation.remove_cut(
        round_, entry_id=_entry_id(form), actor=current_user), _("The cut is undone."))


@bp.route("/<slug>/results/<int:round_id>/funding/confirm", methods=["POST"])
@organiser_required
def funding_confirm(contest, round_id):
    from app.manage.forms import ConfirmForm

    round_ = _round_in(contest, round_id)
    return _act(contest, round_, ConfirmForm(), lambda: allocation.confirm_allocation(round_, actor=current_user),
                _("The allocation is confirmed and frozen with the round's results."))


@bp.route("/<slug>/results/<int:round_id>/funding/show", methods=["POST"])
@organiser_required
def funding_show(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = ShowAmountsForm()
    return _act(contest, round_, form, lambda: allocation.set_show_amounts(
        round_, show=form.show.data, actor=current_user), _("Saved."))


@bp.route("/<slug>/results/<int:round_id>/funding/withdraw", methods=["GET", "POST"])
@organiser_required
def funding_withdraw(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            allocation.withdraw_confirmation(round_, reason=form.reason.data, actor=current_user)
        except FundingError as error:
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The confirmation is withdrawn: the allocation may change again."), "success")
            return _back(contest, round_)
    return render_template("manage/results_reason.html", contest=contest, round=round_, form=form,
                           title=_("Withdraw the confirmed funding of “%(round)s”", round=round_.loc("title")),
                           lead=_("The reason goes to the audit log."))
