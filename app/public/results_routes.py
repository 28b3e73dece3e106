"""Published results: the rating list per nomination with the winners, and each entrant's own result.

Before publication nobody but the contest's organisers sees any of it (`permissions.can_see_scores`);
to everyone else these pages do not exist.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user, login_required

from app.access import get_contest_or_404
from app.extensions import db
from app.models import Entry
from app.public import bp
from app.services.platform import permissions
from app.services.platform.money import format_amount
from app.services.results import outcomes as results_service
from app.services.results import reading


@bp.route("/c/<slug>/results")
def results(slug):
    contest = get_contest_or_404(slug)
    if not permissions.can_see_scores(current_user, contest):
        abort(404)
    published = results_service.public_results(contest, preview=not contest.is_published)
    return render_template("public/results.html", contest=contest, published=published,
                           awards_by_entry=published.awards_by_entry(),
                           nominations={n.id: n for n in contest.nominations},
                           tie_rule=reading.tie_rule_of, tie_titles=reading.tie_break_titles,
                           money=format_amount)


@bp.route("/c/<slug>/results/entry/<int:entry_id>")
@login_required
def results_entry(slug, entry_id):
    contest = get_contest_or_404(slug)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.contest_id != contest.id:
        abort(404)
    organiser = permissions.is_organiser(current_user, contest)
    if not organiser and not (entry.entrant_id == current_user.id and contest.is_published):
        abort(404)
    rounds, final = results_service.entry_results(entry, preview=not contest.is_published)
    feedback = {item.round.id: results_service.entry_feedback(entry, item.round) for item in rounds}
    awards = [a for a in results_service.contest_awards(contest) if a.entry_id == entry.id]
    return render_template("public/results_entry.html", contest=contest, entry=entry, rounds=rounds,
                           final=final, feedback=feedback, awards=awards,
                           corrections=results_service.corrections(contest),
                           tie_rule=reading.tie_rule_of, tie_titles=reading.tie_break_titles,
                           money=format_amount)
