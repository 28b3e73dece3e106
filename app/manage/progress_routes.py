"""Organiser pages: progress. Routes are registered on the manage blueprint."""

from app.manage.routes import bp  # noqa: F401
