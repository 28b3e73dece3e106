"""Odd input answered as "not found" or a message, never a server error.

Ids and numbers in addresses must fit the database's integer columns (a 64-bit or larger value
made PostgreSQL raise), and no text may carry a NUL character (PostgreSQL refuses it in any string).
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column (PostgreSQL's int4; every id and number we store).
DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in a route: an id beyond any stored one matches nothing (404), not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def query_int(value: str) -> int:
    """`request.args.get(name, default, type=query_int)`: a number that fits an integer column,
    else the default (a ValueError makes Werkzeug fall back to it)."""
    number = int(value)
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


def _refuse_nul_in_address() -> None:
    # A NUL in a path segment or a query value cannot name anything we store.
    if any("\x00" in value for value in (request.view_args or {}).values() if isinstance(value, str)):
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(404)


def init_app(app: Flask) -> None:
    """Call before the blueprints are registered: their rules are compiled with the converter."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_refuse_nul_in_address)
