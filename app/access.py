"""View decorators that load a contest and check the caller's role before the view runs."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort, g, request
from flask_login import current_user, login_required

from app.extensions import db
from app.i18n import use_contest_languages
from app.models import Contest
from app.services.platform import permissions

# Where a contest's pages are seen by entrants and the public: they speak the contest's languages.
PUBLIC_BLUEPRINTS = ("public", "apply")


def get_contest_or_404(slug: str) -> Contest:
    contest = db.session.scalar(sa.select(Contest).where(Contest.slug == slug))
    if contest is None:
        abort(404)
    if request.blueprint in PUBLIC_BLUEPRINTS:
        use_contest_languages(contest)
    return contest


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def organiser_required(view):
    """For views under /<slug>/…: loads g.contest and refuses anyone but its organisers."""

    @wraps(view)
    @login_required
    def wrapped(slug, *args, **kwargs):
        contest = get_contest_or_404(slug)
        if not permissions.is_organiser(current_user, contest):
            abort(403)
        g.contest = contest
        return view(contest, *args, **kwargs)

    return wrapped


def get_in_contest_or_404(model, object_id: int | None, contest: Contest):
    """Loads a row of a contest (directly, or through its round) or answers 404.

    Ids come from URLs; an id of another contest's row must look exactly like a missing one.
    """
    from app.models import Round

    item = db.session.get(model, object_id) if object_id is not None else None
    if item is None:
        abort(404)
    contest_id = getattr(item, "contest_id", None)
    if contest_id is None and getattr(item, "round_id", None) is not None:
        contest_id = db.session.get(Round, item.round_id).contest_id
    if contest_id != contest.id:
        abort(404)
    return item
