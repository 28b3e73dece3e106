"""Judges: invitations, declarations, the dashboard and scoring."""

from flask import Blueprint

bp = Blueprint("jury", __name__)

from app.jury import invitations, routes  # noqa: E402,F401 - each registers its views on bp
from app.jury import documents  # noqa: E402,F401 - the judge's PDFs (issue 18)
