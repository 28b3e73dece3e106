"""The API's one error shape: {"error": {"code": machine code, "message": translated, "fields": {…}}}.

The message speaks the language of the request's Accept-Language (app.i18n.select_locale).
"""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

# The machine code and message of each HTTP status the API answers without a more precise one.
STATUS_CODES = {
    400: ("bad_request", _l("The request could not be read.")),
    401: ("unauthorized", _l("Send a valid API token: Authorization: Bearer <token>.")),
    403: ("forbidden", _l("You may not do this.")),
    404: ("not_found", _l("There is nothing here.")),
    405: ("method_not_allowed", _l("This address does not accept this method.")),
    409: ("refused", _l("This change is refused in the present state.")),
    413: ("too_large", _l("The request is too large.")),
    415: ("unsupported_media_type", _l("Send JSON (Content-Type: application/json).")),
    422: ("invalid", _l("Some values are not valid; see fields.")),
    429: ("rate_limited", _l("Too many requests; wait a little and try again.")),
    500: ("server_error", _l("Something went wrong on our side; it has been logged.")),
}


class ApiError(Exception):
    """Raised by API views: answered in the one shape with this status and code."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None,
                 fields: dict | None = None):
        super().__init__(message or code)
        default_code, default_message = STATUS_CODES.get(status, STATUS_CODES[400])
        self.status = status
        self.code = code or default_code
        self.message = str(message) if message else str(default_message)
        self.fields = fields


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
    body = {"error": {"code": code, "message": str(message)}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def api_error_response(error: ApiError):
    return error_response(error.status, error.code, error.message, error.fields)


def http_error_response(error: HTTPException):
    """Any HTTP error on an /api/ path: routing 404/405, the limiter's 429, CSRF's 400, webargs' 422."""
    status = getattr(error, "code", 500) or 500
    code, message = STATUS_CODES.get(status, ("error", error.description or ""))
    fields = None
    if status == 422:
        messages = getattr(error, "data", {}).get("messages") if getattr(error, "data", None) else None
        # webargs: {"json": {"field": ["message"]}}; the location is not the client's business.
        if isinstance(messages, dict):
            fields = {}
            for part in messages.values():
                if isinstance(part, dict):
                    fields.update(part)
    if error.__class__.__name__ == "CSRFError":
        code, message = "csrf_failed", _("The CSRF token is missing or invalid. Send X-CSRFToken with a "
                                          "cookie session, or use an API token.")
    headers = {}
    if status == 429 and getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return error_response(status, code, str(message), fields, headers)
