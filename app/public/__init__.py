"""The public pages: the home page, contests, published results."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from app.public import results_routes, routes  # noqa: E402,F401 - each registers its views on bp
