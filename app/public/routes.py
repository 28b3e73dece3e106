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
    contests = db.session.scalars(sa.select(Contest).order_by(Contest.created_at.desc())).all()
    return render_template("public/index.html", contests=contests)


@bp.route("/c/<slug>/")
def contest(slug):
    contest = get_contest_or_404(slug)
    return render_template(
        "public/contest.html", contest=contest,
        is_organiser=permissions.is_organiser(current_user, contest),
    )
