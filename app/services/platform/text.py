"""Text that can be stored: the one rule every form field, application answer and import obeys."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# C0 control characters other than tab, line feed and carriage return. PostgreSQL refuses NUL in
# any string, and XLSX (XML) refuses the rest, so the exports would fail on them later.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

FORBIDDEN_CHARACTER_MESSAGE = _l("This text contains an invisible control character (such as NUL) "
                                 "that cannot be stored. Remove it and try again.")


def has_forbidden_characters(value) -> bool:
    return isinstance(value, str) and FORBIDDEN_CHARACTERS.search(value) is not None
