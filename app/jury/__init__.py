"""Judges: invitations, declarations, the dashboard and scoring."""

from flask import Blueprint

bp = Blueprint("jury", __name__)

import app.jury.documents  # noqa: E402,F401 - the documents of issue 18 register their views on bp
from app.jury import invitations, routes  # noqa: E402,F401 - each registers its views on bp
