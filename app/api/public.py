"""Published results, for anyone, without a token: what the public results page shows."""

from __future__ import annotations

import sqlalchemy as sa

from app.api import bp
from app.api import schemas as s
from app.api.access import iso
from app.api.contests import awards_out
from app.api.errors import ApiError
from app.extensions import db
from app.models import Contest
from app.services.platform.money import amount_text
from app.services.results import outcomes


def _localised(obj, name: str) -> dict:
    return {lang: value for lang in ("ru", "en") if (value := getattr(obj, f"{name}_{lang}", "") or "")}


def _rows(ranking, keys: dict, grants: dict) -> list[dict]:
    rows = []
    for _nomination, group in ranking.groups():
        for row in group:
            grant = grants.get(row.entry_id)
            rows.append({"nomination": keys.get(row.nomination_id), "rank": row.rank, "entry": row.number,
                         "title": row.title, "organisation": row.organisation,
                         "score": None if row.unrated else str(row.display_score), "not_rated": row.unrated,
                         "below_pass_mark": row.below_pass_mark,
                         "granted": amount_text(grant[0]) if grant else None,
                         "currency": grant[1] if grant else None})
    return rows


@bp.route("/public/contests/<slug>/results")
@bp.response(200, s.PublicResultsOut)
@bp.doc(security=[])
def public_results(slug):
    """The published results, as the public results page shows them (results.outcomes.public_results):
    each finalised round's frozen ranking per nomination, with the grants of its confirmed funding
    where the organisers chose to show the amounts (an entrant's own page shows the same grant), the
    final score over rounds where round weights are set, and the awards. 404 until published."""
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == slug))
    if contest is None or not contest.is_published:
        raise ApiError(404)
    published = outcomes.public_results(contest)
    keys = {n.id: n.key for n in contest.nominations}
    rounds = [{"round": round_.key, "title": _localised(round_, "title"),
               "rankings": _rows(ranking, keys, published.grants.get(round_.id, {}))}
              for round_, ranking in published.rounds]
    return {"contest": contest.slug, "published_at": iso(contest.results_published_at), "rounds": rounds,
            "final": _rows(published.final, keys, {}) if published.final is not None else None,
            "awards": awards_out(contest, published.awards)}
