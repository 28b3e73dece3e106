"""Organisers: contest set-up, entries, jury, progress and results."""

from flask import Blueprint

bp = Blueprint("manage", __name__)

import app.manage.documents_routes  # noqa: E402,F401 - the documents of issue 18 register their views on bp
from app.manage import (  # noqa: E402,F401 - each registers its views on bp
    anonymity_routes,  # noqa: E402,F401
    entries_routes,
    funding_routes,
    jury_routes,
    progress_routes,
    results_routes,
    routes,
)
