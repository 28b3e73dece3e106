"""Judges: dashboard and scoring. Invitations and declarations are in invitations.py."""

from flask import Blueprint

bp = Blueprint("jury", __name__)

from app.jury import invitations  # noqa: E402,F401 - registers its routes on bp
