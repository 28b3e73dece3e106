"""Entrants: the application form, drafts, attachments, submission."""

from flask import Blueprint

bp = Blueprint("apply", __name__)
