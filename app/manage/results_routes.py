"""Organiser pages: results. Routes are registered on the manage blueprint."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import admin_required, organiser_required
from app.extensions import db
from app.forms_common import fit_languages, parse_decimal
from app.input_limits import query_int
from app.manage import bp
from app.manage.forms import ConfirmForm
from app.manage.results_forms import (
    AdvanceForm,
    AwardForm,
    AwardPlacesForm,
    ImportForm,
    ReasonForm,
    finalise_form,
    weights_form,
)
from app.models import Award, Contest, Entry, Round, User
from app.services import exchange
from app.services.platform.collector import collector_paused
from app.services.results import export as results_export
from app.services.results import finalising
from app.services.results import outcomes as results_service
from app.services.results.outcomes import ResultsError
from app.services.results.reading import round_results
from app.services.statistics import export as statistics_export
from app.services.statistics import report as statistics_report

# Rows of the ranking table (as on the other lists of entries), and judges of the judges' chart,
# per page of the results page.
RESULTS_PER_PAGE = 50
JUDGES_PER_PAGE = 25

EXPORT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _round_in(contest: Contest, round_id: int | None) -> Round:
    for round_ in contest.rounds:
        if round_.id == round_id:
            return round_
    abort(404)


def _download(data: str | bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _back_to_round(contest: Contest, round_: Round):
    return redirect(url_for("manage.results", slug=contest.slug, round=round_.id))


@bp.route("/<slug>/results")
@organiser_required
def results(contest):
    rounds = contest.rounds
    if not rounds:
        return render_template("manage/results.html", contest=contest, round=None, rounds=[])
    round_id = request.args.get("round", type=query_int)
    round_ = _round_in(contest, round_id) if round_id is not None else rounds[0]
    overall = request.args.get("scope") == "round"
    # The whole page works on the ranking's 10,000 rows: the collector waits until it is rendered
    # (see collector.collector_paused).
    with collector_paused():
        ranking = round_results(round_, overall=overall)
        # A round of 10,000 entries is read a page at a time: the criterion columns are read and the
        # rows rendered for one page only (the ranking itself is always the whole round's).
        pages = max(1, -(-len(ranking.rows) // RESULTS_PER_PAGE))
        page = min(max(request.args.get("page", 1, type=query_int), 1), pages)
        shown = ranking.rows[(page - 1) * RESULTS_PER_PAGE:page * RESULTS_PER_PAGE]
        criteria = list(round_.criteria)
        snapshot = ranking.snapshot  # the frozen ranking the page shows (None while the round is open)
        finaliser = db.session.get(User, round_.finalised_by_id) if round_.finalised_by_id else None
        # Judges too are shown a page at a time (a round can have 800; the chart draws one line each).
        judges = results_service.round_judges(round_, ranking)
        judge_pages = max(1, -(-len(judges) // JUDGES_PER_PAGE))
        judge_page = min(max(request.args.get("judges", 1, type=query_int), 1), judge_pages)
        profiles = results_service.judge_profiles(
            round_, judge_ids=judges[(judge_page - 1) * JUDGES_PER_PAGE:judge_page * JUDGES_PER_PAGE], ranking=ranking)
        edges = results_service.bin_edges(round_)
        return render_template(
            "manage/results.html", contest=contest, round=round_, rounds=rounds, ranking=ranking, overall=overall,
            groups=ranking.groups(shown), counts=ranking.counts(), page=page, pages=pages,
            judge_page=judge_page, judge_pages=judge_pages,
            criteria=criteria, means=ranking.weighted_means(criteria, [row.entry_id for row in shown]),
            profiles=profiles, edges=edges, judge_chart=judge_chart(profiles, edges), histogram_chart=histogram_chart,
            histograms=results_service.score_histograms(ranking), snapshot=snapshot, finaliser=finaliser,
            next_round=results_service.next_round(round_), confirm_form=ConfirmForm(),
            waiting=results_service.unfinalised_rounds(contest),
            nomination_titles={n.id: n.loc("title") for n in ranking.nominations},
        )


@bp.route("/<slug>/results/<int:round_id>/entries/<int:entry_id>")
@organiser_required
def results_entry(contest, round_id, entry_id):
    round_ = _round_in(contest, round_id)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.contest_id != contest.id:
        abort(404)
    ranking = round_results(round_)
    row = ranking.by_entry().get(entry.id)
    if row is None:
        abort(404)
    return render_template(
        "manage/results_entry.html", contest=contest, round=round_, entry=entry, row=row,
        criteria=list(round_.criteria), breakdown=ranking.breakdown([entry.id]),
        reviews=results_service.entry_reviews(round_, entry),
    )


@bp.route("/<slug>/results/<int:round_id>/finalise", methods=["GET", "POST"])
@organiser_required
def results_finalise(contest, round_id):
    """The pre-finalise list (DESIGN §3a.3): each open item ticked, a reason, then the round freezes."""
    round_ = _round_in(contest, round_id)
    items = finalising.finalise_checklist(round_)
    form = finalise_form(items)
    if form.validate_on_submit():
        confirmed = {item.key for item, field in form.item_fields if field.data}
        try:
            results_service.finalise_round(round_, actor=current_user, confirmed=confirmed,
                                           reason=form.reason.data or "")
        except ResultsError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The round is finalised: its ranking is frozen."), "success")
            return _back_to_round(contest, round_)
    return render_template("manage/results_finalise.html", contest=contest, round=round_, form=form, items=items)


@bp.route("/<slug>/results/<int:round_id>/reopen", methods=["GET", "POST"])
@organiser_required
def results_reopen(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            results_service.reopen_round(round_, actor=current_user, reason=form.reason.data)
        except ResultsError as error:
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The round is reopened."), "success")
            return _back_to_round(contest, round_)
    return render_template("manage/results_reason.html", contest=contest, round=round_, form=form,
                           title=_("Reopen the round “%(round)s”", round=round_.loc("title")),
                           lead=_("The frozen ranking is kept for the record; the reason goes to the audit log."))


@bp.route("/<slug>/results/<int:round_id>/advance", methods=["GET", "POST"])
@organiser_required
def results_advance(contest, round_id):
    round_ = _round_in(contest, round_id)
    form = AdvanceForm(has_pass_mark=round_.pass_mark is not None)
    plan = None
    if form.validate_on_submit():
        count = form.count.data if form.mode.data in ("top", "share") else None
        try:
            if form.submit.data:
                plan = results_service.advance_entries(round_, mode=form.mode.data, count=count,
                                                       actor=current_user)
                db.session.commit()
                flash(_("Entries advanced to “%(round)s”: %(count)s.", count=len(plan.new_entries),
                        round=plan.target.loc("title")), "success")
                return _back_to_round(contest, round_)
            plan = results_service.plan_advancement(round_, mode=form.mode.data, count=count)
        except ResultsError as error:
            form.mode.errors = [*form.mode.errors, str(error)]
    return render_template("manage/advance.html", contest=contest, round=round_, form=form, plan=plan,
                           target=results_service.next_round(round_))


@bp.route("/<slug>/results/final", methods=["GET", "POST"])
@organiser_required
def results_final(contest):
    form = weights_form(contest.rounds)
    if form.validate_on_submit():
        weights = {r.id: parse_decimal(getattr(form, f"weight_{r.id}").data) for r in contest.rounds}
        try:
            results_service.set_round_weights(contest, weights, actor=current_user, reason=form.reason.data or "")
        except ResultsError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The round weights are saved."), "success")
            return redirect(url_for("manage.results_final", slug=contest.slug))
    return render_template("manage/results_final.html", contest=contest, form=form,
                           ranking=results_service.final_ranking(contest),
                           fields=[(r, getattr(form, f"weight_{r.id}")) for r in contest.rounds])


@bp.route("/<slug>/results/<int:round_id>/export.<fmt>")
@organiser_required
def results_export_file(contest, round_id, fmt):
    round_ = _round_in(contest, round_id)
    if fmt not in EXPORT_TYPES:
        abort(404)
    data = {"json": statistics_export.results_json, "csv": results_export.results_csv,
            "xlsx": results_export.results_xlsx}[fmt](round_)
    return _download(data, f"{contest.slug}-{round_.key}-results.{fmt}", EXPORT_TYPES[fmt])


@bp.route("/<slug>/export.json")
@organiser_required
def contest_export(contest):
    return _download(exchange.export_json(contest), f"{contest.slug}.json", EXPORT_TYPES["json"])


@bp.route("/<slug>/export.zip")
@organiser_required
def contest_export_zip(contest):
    return _download(exchange.export_zip(contest), f"{contest.slug}.zip", "application/zip")


@bp.route("/import", methods=["GET", "POST"])
@admin_required
def contest_import():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            document, files = exchange.read_upload(form.file.data.read())
            contest = exchange.import_contest(document, files=files, actor=current_user)
        except exchange.ExchangeError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, _("Nothing was imported. %(error)s", error=str(error))]
        else:
            db.session.commit()
            flash(_("The contest “%(title)s” is imported.", title=contest.loc("title")), "success")
            return redirect(url_for("manage.contest", slug=contest.slug))
    return render_template("manage/import.html", form=form)


@bp.route("/<slug>/results/publish", methods=["POST"])
@organiser_required
def results_publish(contest):
    if ConfirmForm().validate_on_submit():
        try:
            sent = results_service.publish_results(contest, actor=current_user)
        except ResultsError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The results are published; %(count)s entrants were told by e-mail.", count=sent), "success")
    return redirect(url_for("manage.results", slug=contest.slug))


@bp.route("/<slug>/results/unpublish", methods=["GET", "POST"])
@organiser_required
def results_unpublish(contest):
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            results_service.unpublish_results(contest, actor=current_user, reason=form.reason.data)
        except ResultsError as error:
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The publication is withdrawn: scores are hidden again."), "success")
            return redirect(url_for("manage.results", slug=contest.slug))
    return render_template("manage/results_reason.html", contest=contest, round=None, form=form,
                           title=_("Withdraw the publication"),
                           lead=_("Entrants and the public will no longer see scores or ranks."))


@bp.route("/<slug>/awards", methods=["GET", "POST"])
@organiser_required
def awards(contest):
    form = fit_languages(AwardForm(), contest)
    places_form = AwardPlacesForm(prefix="places")
    if form.submit.data and form.validate_on_submit():
        entry = results_service.entry_by_number(contest, form.entry_number.data)
        if entry is None:
            form.entry_number.errors = [_("There is no entry with this number.")]
        else:
            try:
                results_service.add_award(contest, entry=entry, place=form.place.data, title_ru=form.title_ru.data,
                                          title_en=form.title_en.data, actor=current_user,
                                          correction=form.correction.data)
            except ResultsError as error:
                db.session.rollback()
                field = form.correction if contest.is_published and not (form.correction.data or "").strip() \
                    else form.entry_number
                field.errors = [*field.errors, str(error)]
            else:
                db.session.commit()
                flash(_("The award is added."), "success")
                return redirect(url_for("manage.awards", slug=contest.slug))
    return _awards_page(contest, form, places_form)


def _awards_page(contest, form, places_form):
    return render_template("manage/awards.html", contest=contest, form=form, places_form=places_form,
                           awards=results_service.contest_awards(contest),
                           ranking=results_service.deciding_ranking(contest), confirm_form=ConfirmForm())


@bp.route("/<slug>/awards/places", methods=["POST"])
@organiser_required
def awards_places(contest):
    places_form = AwardPlacesForm(prefix="places")
    if places_form.validate_on_submit():
        try:
            created = results_service.award_places(contest, places=places_form.places.data, actor=current_user,
                                                   correction=places_form.correction.data)
        except ResultsError as error:
            db.session.rollback()
            places_form.places.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Places awarded: %(count)s.", count=len(created)), "success")
            return redirect(url_for("manage.awards", slug=contest.slug))
    return _awards_page(contest, fit_languages(AwardForm(formdata=None), contest), places_form)


@bp.route("/<slug>/awards/<int:award_id>/delete", methods=["GET", "POST"])
@organiser_required
def award_delete(contest, award_id):
    """Removes an award; after publication it is a correction, so a reason is asked for first."""
    award = db.session.get(Award, award_id)
    if award is None or award.contest_id != contest.id:
        abort(404)
    if contest.is_published:
        form = ReasonForm()
        if form.validate_on_submit():
            try:
                results_service.remove_award(award, actor=current_user, correction=form.reason.data)
            except ResultsError as error:
                db.session.rollback()
                form.reason.errors = [*form.reason.errors, str(error)]
            else:
                db.session.commit()
                flash(_("The award is removed and the correction is noted on the public page."), "info")
                return redirect(url_for("manage.awards", slug=contest.slug))
        return render_template("manage/results_reason.html", contest=contest, round=None, form=form,
                               title=_("Correct the published results"),
                               lead=_("Removing this award corrects the published results: the public page shows a "
                                      "“corrected on” note with your reason, and the entrant is told by e-mail."))
    if request.method == "GET":
        # Before publication removing is a button on the awards page: a GET shows that page.
        return _awards_page(contest, fit_languages(AwardForm(formdata=None), contest),
                            AwardPlacesForm(prefix="places", formdata=None))
    if ConfirmForm().validate_on_submit():
        results_service.remove_award(award, actor=current_user)
        db.session.commit()
        flash(_("The award is removed."), "info")
    return redirect(url_for("manage.awards", slug=contest.slug))


# --- chart geometry: plain numbers for the inline SVG (no JavaScript, no inline styles) ---------

CHART_LEFT, CHART_WIDTH, ROW_HEIGHT = 170, 400, 30


def judge_chart(profiles, edges) -> dict:
    """Each judge's range (min–max) and mean on the round's common scale, one row per judge."""
    low, high = float(edges[0]), float(edges[-1])
    span = (high - low) or 1.0

    def x(value) -> float:
        return round(CHART_LEFT + (float(value) - low) / span * CHART_WIDTH, 1)

    rows = []
    for i, p in enumerate(profiles):
        y = 20 + i * ROW_HEIGHT
        tallest = max(p.bins) or 1
        step = CHART_WIDTH / len(p.bins)
        # The judge's histogram, drawn faintly in the row behind the range and the mean.
        bars = [{"x": round(CHART_LEFT + b * step + 1, 1), "width": round(step - 2, 1),
                 "height": round(count / tallest * (ROW_HEIGHT - 6), 1),
                 "y": round(y + ROW_HEIGHT / 2 - 3 - count / tallest * (ROW_HEIGHT - 6), 1)}
                for b, count in enumerate(p.bins) if count]
        rows.append({"profile": p, "y": y, "x_low": x(p.low), "x_high": x(p.high), "x_mean": x(p.mean),
                     "bars": bars})
    return {"rows": rows, "height": 40 + len(rows) * ROW_HEIGHT, "left": CHART_LEFT,
            "right": CHART_LEFT + CHART_WIDTH, "axis_y": 24 + len(rows) * ROW_HEIGHT}


def histogram_chart(counts: list[int], width: int = 200, height: int = 60) -> list[dict]:
    """Bars of a histogram: x, y, width and height of each bin's rectangle."""
    tallest = max(counts) or 1
    bar = width / len(counts)
    return [{"x": round(i * bar + 1, 1), "width": round(bar - 2, 1), "count": count,
             "height": round(count / tallest * height, 1), "y": round(height - count / tallest * height, 1)}
            for i, count in enumerate(counts)]


# --- statistics of a round: agreement, judge severity, plausible places --------------------------

STATISTICS_SORTS = ("rank", "width", "low")
STATISTICS_SHOWS = ("all", "ties", "uncertain")


@bp.route("/<slug>/results/<int:round_id>/statistics.xlsx")
@organiser_required
def results_statistics_xlsx(contest, round_id):
    round_ = _round_in(contest, round_id)
    with collector_paused():
        data = statistics_export.statistics_xlsx(round_)
    return _download(data, f"{contest.slug}-{round_.key}-statistics.xlsx", EXPORT_TYPES["xlsx"])


@bp.route("/<slug>/results/<int:round_id>/statistics-<table>.csv")
@organiser_required
def results_statistics_csv(contest, round_id, table):
    round_ = _round_in(contest, round_id)
    if table not in statistics_export.STATISTICS_TABLES:
        abort(404)
    with collector_paused():
        data = statistics_export.statistics_csv(round_, table)
    return _download(data, f"{contest.slug}-{round_.key}-statistics-{table}.csv", EXPORT_TYPES["csv"])


@bp.route("/<slug>/results/<int:round_id>/statistics")
@organiser_required
def results_statistics(contest, round_id):
    round_ = _round_in(contest, round_id)
    overall = request.args.get("scope") == "round"
    sort = request.args.get("sort") if request.args.get("sort") in STATISTICS_SORTS else "rank"
    show = request.args.get("show") if request.args.get("show") in STATISTICS_SHOWS else "all"
    with collector_paused():
        stats = statistics_report.round_statistics(round_, ranking=round_results(round_, overall=overall))
        places = statistics_report.sorted_places(stats, sort=sort, show=show)
        pages = max(1, -(-len(places) // RESULTS_PER_PAGE))
        page = min(max(request.args.get("page", 1, type=query_int), 1), pages)
        judge_pages = max(1, -(-len(stats.judges) // JUDGES_PER_PAGE))
        judge_page = min(max(request.args.get("judges", 1, type=query_int), 1), judge_pages)
        return render_template(
            "manage/results_statistics.html", contest=contest, round=round_, rounds=contest.rounds, stats=stats,
            overall=overall, sort=sort, show=show, page=page, pages=pages,
            places=places[(page - 1) * RESULTS_PER_PAGE:page * RESULTS_PER_PAGE],
            judges=stats.judges[(judge_page - 1) * JUDGES_PER_PAGE:judge_page * JUDGES_PER_PAGE],
            judge_page=judge_page, judge_pages=judge_pages,
            nomination_titles={n.id: n.loc("title") for n in stats.ranking.nominations},
            cut_titles={kind: str(line.title) for kind, line in statistics_report.CUT_LINES.items()},
            flag_text=statistics_report.flag_text,
        )
