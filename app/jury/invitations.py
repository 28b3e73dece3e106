"""Judges: accepting an invitation, signing the declaration, declaring conflicts."""

from app.jury.routes import bp  # noqa: F401
