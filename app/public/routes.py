"""Pages anyone can read: the contest list and each contest's page."""

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from app.access import get_contest_or_404
from app.extensions import db
from app.models import Contest
from app.public import bp
from app.services.platform import permissions


@bp.route("/")
def index():

    from sqlalchemy.orm import selectinload

    from app.services.platform.permissions import organised_contest_ids

    listed = db.session.scalars(sa.select(Contest).options(selectinload(Contest.rounds))
                                .order_by(Contest.created_at.desc())).all()
    mine = organised_contest_ids(current_user) if any(c.is_draft for c in listed) else set()
    contests = [c for c in listed if not c.is_draft or c.id in mine]
    from app.services.setup.contests import contest_stage

    return render_template("public/index.html", contests=contests,
                           stages={c.id: contest_stage(c) for c in contests})


@bp.route("/c/<slug>/")
def contest(slug):
    from flask import abort

    from app.services.setup.contests import contest_visible_to

    contest = get_contest_or_404(slug)
    if not contest_visible_to(contest, current_user):
        abort(404)  # a draft: only its organisers see it
    return render_template(
        "public/contest.html", contest=contest,
        is_organiser=permissions.is_organiser(current_user, contest),
    )
