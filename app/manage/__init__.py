"""Organisers: contest set-up, entries, jury, progress and results."""

from flask import Blueprint

bp = Blueprint("manage", __name__)

from app.manage import entries_routes, funding_routes, jury_routes, progress_routes, results_routes, routes  # noqa: E402,F401 - each registers its views on bp
