"""Organiser pages: the jury of each round, invitations, and assigning entries to judges."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.access import get_in_contest_or_404, organiser_required
from app.extensions import db
from app.input_limits import query_int
from app.manage import bp
from app.manage.jury_forms import (
    AddAssignmentForm,
    InviteForm,
    InviteListForm,
    MemberForm,
    MoveAssignmentForm,
    OrganiserConflictForm,
)
from app.models import Assignment, Contest, Entry, JuryMember, Round, User
from app.services.jury import assignment as assigning
from app.services.jury import members as jury

ENTRIES_PER_PAGE = 50


def _nomination_choices(contest: Contest) -> list[tuple[int, str]]:
    return [(n.id, n.loc("title")) for n in contest.nominations]


# ---------------------------------------------------------------------------------------------
# The jury list and invitations.
# ---------------------------------------------------------------------------------------------

def _render_jury(contest: Contest, round_: Round | None, *, invite_form=None, list_form=None, skipped=None):
    choices = _nomination_choices(contest)
    invite_form = invite_form or InviteForm(formdata=None)
    list_form = list_form or InviteListForm(formdata=None)
    invite_form.expertise.choices = choices
    list_form.list_expertise.choices = choices
    members, loads, signed = [], {}, set()
    if round_ is not None:
        members = jury.jury_members(round_)
        loads = jury.current_loads(round_)
        signed = jury.signed_user_ids(contest)
    nominations = {n.id: n for n in contest.nominations}
    return render_template("manage/jury.html", contest=contest, round=round_, members=members, loads=loads,
                           signed=signed, nominations=nominations, invite_form=invite_form,
                           list_form=list_form, skipped=skipped or [])


@bp.route("/<slug>/jury", endpoint="jury")
@organiser_required
def jury_page(contest):
    round_id = request.args.get("round", type=query_int)
    if round_id is not None:
        round_ = get_in_contest_or_404(Round, round_id, contest)
    else:
        round_ = contest.rounds[0] if contest.rounds else None
    return _render_jury(contest, round_)


@bp.route("/<slug>/rounds/<int:round_id>/jury/invite", methods=["POST"])
@organiser_required
def jury_invite(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = InviteForm()
    form.expertise.choices = _nomination_choices(contest)
    if form.validate_on_submit():
        try:
            jury.invite_judge(round_=round_, email=form.email.data, organisation=form.organisation.data,
                              inn=form.inn.data, max_load=form.max_load.data,
                              nomination_ids=form.expertise.data or [], actor=current_user)
        except jury.JuryError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The invitation is sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("manage.jury", slug=contest.slug, round=round_.id))
    return _render_jury(contest, round_, invite_form=form)


@bp.route("/<slug>/rounds/<int:round_id>/jury/invite-list", methods=["POST"])
@organiser_required
def jury_invite_list(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = InviteListForm()
    form.list_expertise.choices = _nomination_choices(contest)
    if form.validate_on_submit():
        invited, skipped = jury.invite_judges(round_=round_, text=form.emails.data,
                                              nomination_ids=form.list_expertise.data or [], actor=current_user)
        if not invited and not skipped:
            form.emails.errors.append(_("Paste at least one e-mail address."))
        else:
            db.session.commit()
            flash(_("Invitations sent: %(count)d.", count=len(invited)), "success" if invited else "warning")
            if not skipped:
                return redirect(url_for("manage.jury", slug=contest.slug, round=round_.id))
            return _render_jury(contest, round_, skipped=skipped)
    return _render_jury(contest, round_, list_form=form)


@bp.route("/<slug>/jury/members/<int:member_id>/edit", methods=["GET", "POST"])
@organiser_required
def jury_member_edit(contest, member_id):
    member = get_in_contest_or_404(JuryMember, member_id, contest)
    form = MemberForm(data={
        "organisation": member.organisation, "inn": member.inn, "max_load": member.max_load,
        "expertise": [e.nomination_id for e in member.expertise]})
    form.expertise.choices = _nomination_choices(contest)
    if form.validate_on_submit():
        jury.update_member(member=member, organisation=form.organisation.data, inn=form.inn.data,
                           max_load=form.max_load.data, nomination_ids=form.expertise.data or [],
                           actor=current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("manage.jury", slug=contest.slug, round=member.round_id))
    round_ = db.session.get(Round, member.round_id)
    return render_template("manage/jury_member.html", contest=contest, round=round_, member=member, form=form)


@bp.route("/<slug>/jury/members/<int:member_id>/resend", methods=["POST"])
@organiser_required
def jury_member_resend(contest, member_id):
    member = get_in_contest_or_404(JuryMember, member_id, contest)
    try:
        jury.resend_invitation(member=member, actor=current_user)
    except jury.JuryError as error:
        flash(str(error), "info")
    else:
        db.session.commit()
        flash(_("The invitation is sent to %(email)s again.", email=member.email), "success")
    return redirect(url_for("manage.jury", slug=contest.slug, round=member.round_id))


@bp.route("/<slug>/jury/members/<int:member_id>/remove", methods=["POST"])
@organiser_required
def jury_member_remove(contest, member_id):
    member = get_in_contest_or_404(JuryMember, member_id, contest)
    round_id = member.round_id
    try:
        jury.remove_member(member=member, actor=current_user)
    except jury.JuryError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Removed from the jury."), "success")
    return redirect(url_for("manage.jury", slug=contest.slug, round=round_id))


# ---------------------------------------------------------------------------------------------
# Assignment.
# ---------------------------------------------------------------------------------------------

def _judge_choices(round_: Round) -> list[tuple[int, str]]:
    return [(m.user_id, f"{m.user.name} <{m.user.email}>") for m in jury.accepted_members(round_)]


def _back_to_assign(contest: Contest, round_: Round, anchor: str | None = None):
    """After a POST on the assignment page: back where the organiser was, the same page of the
    list, the same filter, scrolled to the row or form they used."""
    page = request.args.get("page", type=query_int)
    short = 1 if request.args.get("short") == "1" else None
    return redirect(url_for("manage.assign", slug=contest.slug, round_id=round_.id,
                            page=page if page and page > 1 else None, short=short, _anchor=anchor))


def _render_assign(contest: Contest, round_: Round, *, result=None, result_kind: str | None = None,
                   add_form=None, conflict_form=None):
    members = jury.accepted_members(round_)
    judge_choices = [(m.user_id, f"{m.user.name} <{m.user.email}>") for m in members]
    add_form = add_form or AddAssignmentForm(formdata=None)
    conflict_form = conflict_form or OrganiserConflictForm(formdata=None)
    add_form.judge.choices = judge_choices
    conflict_form.conflict_judge.choices = judge_choices
    loads = jury.current_loads(round_)

    k = round_.reviews_per_entry
    counts = (sa.select(Assignment.entry_id, sa.func.count().label("n")).where(Assignment.round_id == round_.id)
              .group_by(Assignment.entry_id).subquery())
    pool = assigning.round_pool_query(round_).outerjoin(counts, counts.c.entry_id == Entry.id)
    only_short = request.args.get("short") == "1"
    done = session.pop("assign_done", None) if result is None else None
    if only_short:
        pool = pool.where(sa.func.coalesce(counts.c.n, 0) < k)
    total = db.session.scalar(pool.with_only_columns(sa.func.count()).order_by(None))
    pool_total = db.session.scalar(assigning.round_pool_query(round_).with_only_columns(sa.func.count()))
    short_total = db.session.scalar(assigning.round_pool_query(round_).outerjoin(counts, counts.c.entry_id == Entry.id)
                                    .where(sa.func.coalesce(counts.c.n, 0) < k)
                                    .with_only_columns(sa.func.count()))
    pages = max(1, -(-total // ENTRIES_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=query_int), 1), pages)
    entries = list(db.session.scalars(pool.options(selectinload(Entry.nomination))
                                      .order_by(Entry.number, Entry.id)
                                      .limit(ENTRIES_PER_PAGE).offset((page - 1) * ENTRIES_PER_PAGE)))
    by_entry: dict[int, list[Assignment]] = {entry.id: [] for entry in entries}
    if entries:
        for item in db.session.scalars(sa.select(Assignment).where(
                Assignment.round_id == round_.id, Assignment.entry_id.in_(by_entry))
                .options(selectinload(Assignment.judge)).order_by(Assignment.id)):
            by_entry[item.entry_id].append(item)
    users = {m.user_id: m.user for m in members}
    if result is not None:
        missing = set(result.loads_after) - set(users)
        if missing:
            users.update({u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(missing)))})
    return render_template(
        "manage/assign.html", contest=contest, round=round_, members=members, loads=loads, entries=entries,
        by_entry=by_entry, total=total, pool_total=pool_total, short_total=short_total, page=page, pages=pages,
        only_short=only_short,
        pending=assigning.pending_notifications(round_), result=result, result_kind=result_kind, users=users,
        add_form=add_form, conflict_form=conflict_form, nominations={n.id: n for n in contest.nominations},
        done=done if done and done.get("round") == round_.id else None,
        back={"page": page if page > 1 else None, "short": 1 if only_short else None},
    )


@bp.route("/<slug>/rounds/<int:round_id>/assign")
@organiser_required
def assign(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    preview = request.args.get("preview")
    result = None
    if preview == "auto":
        result = assigning.assign_round(round_=round_, actor=current_user, dry_run=True)
    elif preview == "extra":
        try:
            result = assigning.assign_extra_for_flagged(round_=round_, actor=current_user, dry_run=True)
        except assigning.AssignmentError as error:
            flash(str(error), "warning")
            preview = None
    return _render_assign(contest, round_, result=result, result_kind=f"{preview}-preview" if result else None)


@bp.route("/<slug>/rounds/<int:round_id>/assign/run", methods=["POST"])
@organiser_required
def assign_run(contest, round_id):
    return _run_assignment(contest, round_id, assigning.assign_round, kind="auto-done",
                           message=_l("New assignments: %(count)d. Entries that could not be fully served: "
                                      "%(unserved)d."))


@bp.route("/<slug>/rounds/<int:round_id>/assign/extra", methods=["POST"])
@organiser_required
def assign_extra(contest, round_id):
    return _run_assignment(contest, round_id, assigning.assign_extra_for_flagged, kind="extra-done",
                           message=_l("Flagged entries that got one more judge: %(count)d. Could not get one: "
                                      "%(unserved)d."))


def _run_assignment(contest, round_id, assign, *, kind: str, message):
    """Runs an automatic assignment (`assign(round_=…, actor=…)`), commits, and redirects to the
    assignment page (a reload does not run it again), which shows what it did: the counts, and the
    entries it could not serve grouped by their reason (kept small: the session is a cookie)."""
    round_ = get_in_contest_or_404(Round, round_id, contest)
    try:
        result = assign(round_=round_, actor=current_user)
    except assigning.AssignmentError as error:
        flash(str(error), "danger")
        return _back_to_assign(contest, round_)
    db.session.commit()
    flash(str(message) % {"count": len(result.pairs), "unserved": len(result.unserved)},
          "success" if not result.unserved else "warning")
    reasons: dict[str, list] = {}
    for item in result.unserved:
        reasons.setdefault(item.reason, []).append(item.number)
    session["assign_done"] = {
        "round": round_.id, "kind": kind, "new": len(result.pairs), "total": result.entries_total,
        "served": result.entries_served,
        "reasons": [[reason, numbers[:30], len(numbers)] for reason, numbers in list(reasons.items())[:8]],
    }
    return _back_to_assign(contest, round_, "result-heading")


@bp.route("/<slug>/rounds/<int:round_id>/assign/notify", methods=["POST"])
@organiser_required
def assign_notify(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    sent = assigning.notify_new_assignments(round_, actor=current_user)
    db.session.commit()
    flash(_("E-mails sent to %(count)d judges.", count=sent), "success")
    return _back_to_assign(contest, round_)


def _entry_by_number(contest: Contest, number: int | None) -> Entry | None:
    if number is None:
        return None
    return db.session.scalar(sa.select(Entry).where(Entry.contest_id == contest.id, Entry.number == number))


@bp.route("/<slug>/rounds/<int:round_id>/assignments/add", methods=["POST"])
@organiser_required
def assignment_add(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = AddAssignmentForm()
    form.judge.choices = _judge_choices(round_)
    if form.validate_on_submit():
        entry = _entry_by_number(contest, form.entry_number.data)
        judge = db.session.get(User, form.judge.data)
        if entry is None:
            form.entry_number.errors.append(_("There is no entry with this number."))
        else:
            try:
                assigning.add_assignment(round_=round_, entry=entry, judge=judge, actor=current_user)
            except assigning.AssignmentError as error:
                form.judge.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Entry %(number)s is assigned to %(name)s.", number=entry.number, name=judge.name), "success")
                return _back_to_assign(contest, round_, "add-heading")
    return _render_assign(contest, round_, add_form=form)


@bp.route("/<slug>/assignments/<int:assignment_id>/remove", methods=["POST"])
@organiser_required
def assignment_remove(contest, assignment_id):
    item = get_in_contest_or_404(Assignment, assignment_id, contest)
    round_ = db.session.get(Round, item.round_id)
    number = item.entry.number
    try:
        assigning.remove_assignment(assignment=item, actor=current_user)
    except assigning.AssignmentError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The assignment is removed."), "success")
    return _back_to_assign(contest, round_, f"entry-{number}")


@bp.route("/<slug>/assignments/<int:assignment_id>/move", methods=["GET", "POST"])
@organiser_required
def assignment_move(contest, assignment_id):
    item = get_in_contest_or_404(Assignment, assignment_id, contest)
    round_ = db.session.get(Round, item.round_id)
    form = MoveAssignmentForm()
    form.judge.choices = [choice for choice in _judge_choices(round_) if choice[0] != item.judge_id]
    if form.validate_on_submit():
        judge = db.session.get(User, form.judge.data)
        try:
            assigning.move_assignment(assignment=item, judge=judge, actor=current_user)
        except assigning.AssignmentError as error:
            form.judge.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The entry is moved to %(name)s.", name=judge.name), "success")
            return _back_to_assign(contest, round_, f"entry-{item.entry.number}")
    back = {"page": request.args.get("page", type=query_int), "short": 1 if request.args.get("short") == "1" else None}
    return render_template("manage/assign_move.html", contest=contest, round=round_, assignment=item, form=form,
                           back=back)


@bp.route("/<slug>/rounds/<int:round_id>/conflicts/add", methods=["POST"])
@organiser_required
def conflict_add(contest, round_id):
    round_ = get_in_contest_or_404(Round, round_id, contest)
    form = OrganiserConflictForm()
    form.conflict_judge.choices = _judge_choices(round_)
    if form.validate_on_submit():
        entry = _entry_by_number(contest, form.conflict_entry_number.data)
        if entry is None:
            form.conflict_entry_number.errors.append(_("There is no entry with this number."))
        else:
            judge = db.session.get(User, form.conflict_judge.data)
            jury.declare_conflict(entry=entry, user=judge, reason=form.reason.data, source="organiser",
                                  actor=current_user)
            db.session.commit()
            flash(_("The conflict between %(name)s and entry %(number)s is recorded; any assignment of it "
                    "to this judge is withdrawn.", name=judge.name, number=entry.number), "success")
            return _back_to_assign(contest, round_, "conflict-heading")
    return _render_assign(contest, round_, conflict_form=form)
