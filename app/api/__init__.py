"""The JSON API at /api/v1 (flask-smorest: OpenAPI 3 from the code), its token pages and webhooks page.

Why flask-smorest: it registers ordinary Flask blueprints on our existing app, so Flask-WTF's CSRF,
Flask-Login, Flask-Babel and Flask-Limiter work as on the pages. APIFlask and Flask-OpenAPI3 each
replace the Flask class with their own (APIFlask, OpenAPI) and bring their own error and auth
layers; see README "The JSON API".

Who is calling: a request with `Authorization: Bearer <token>` acts as the token's owner, limited
by its scopes, and is exempt from CSRF (no browser adds that header by itself). Without it, a
cookie session acts as the signed-in person, and every unsafe method needs the CSRF token
(X-CSRFToken), as the pages do. An invalid, expired or revoked token is 401, never a fallback to
the cookie.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, g, request
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException

from app.api.errors import ApiError, api_error_response, http_error_response
from app.extensions import csrf, limiter

API_PREFIX = "/api/v1"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

bp = Blueprint("api", __name__, url_prefix=API_PREFIX, description="Formula Jury API v1")


class FormulaJuryApi(Api):
    """flask-smorest's Api without its app-wide HTTPException handler: the pages keep their own error
    pages; the API's errors are answered in its one shape (app.api.errors)."""

    from app.api.schemas import Error as ERROR_SCHEMA  # noqa: N811 - smorest's attribute name

    def _register_error_handlers(self):
        pass


def _rate_key() -> str:
    """Per token (a hash of the presented secret: no database read before the limit), else per
    person of a cookie session, else per address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "api-token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:24]
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return "api-addr:" + (request.remote_addr or "")


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


# Once, at import: the limiter keeps its blueprint limits across the apps it serves.
limiter.limit(_rate_limit, key_func=_rate_key)(bp)
csrf.exempt(bp)  # authenticate_request does the CSRF check for cookie sessions itself


@bp.before_request
def authenticate_request():
    """Who is calling (see the module docstring); g.api_token is the token, or None."""
    from flask_login import current_user

    from app.extensions import db
    from app.models import User
    from app.services.api import tokens

    g.api_token = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            raise ApiError(401)
        token, refusal = tokens.authenticate(secret.strip())
        if refusal:
            from flask_babel import gettext as _

            messages = {"expired": _("This API token has expired."), "revoked": _("This API token is revoked."),
                        "invalid": _("This API token is not valid.")}
            raise ApiError(401, f"token_{refusal}", messages[refusal])
        user = db.session.get(User, token.user_id)
        db.session.commit()  # last_used_at
        # Flask-Login's current_user for this request only: nothing goes into the session cookie.
        g._login_user = user
        g.api_token = token
        return
    config = current_app.config
    if (request.method not in SAFE_METHODS and current_user.is_authenticated
            and config.get("WTF_CSRF_ENABLED", True) and config.get("WTF_CSRF_CHECK_DEFAULT", True)):
        csrf.protect()


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return api_error_response(error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return http_error_response(error)


def is_api_request() -> bool:
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/") or request.path == "/api" \
        or request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    from app.api import contests, funding, judging, public  # noqa: F401 - their routes join bp
    from app.api.pages import bp as pages_bp

    app.config.setdefault("API_TITLE", "Formula Jury API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Organisers' and judges' scripts, and published results for everyone. "
                                "Authenticate with a personal API token: Authorization: Bearer fj_…"},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    api = FormulaJuryApi(app)
    api.register_blueprint(bp)
    app.extensions["formula_jury_api"] = api
    app.register_blueprint(pages_bp)
