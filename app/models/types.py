"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware datetime stored in UTC on every database.

    SQLite has no time zones, so values come back naive; they are always UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Localised:
    """Models with `<name>_ru` / `<name>_en` columns read them through `loc(name)`."""

    def loc(self, name: str, language: str | None = None) -> str:
        if language is None:
            from app.i18n import current_language

            language = current_language()
        other = "en" if language == "ru" else "ru"
        return getattr(self, f"{name}_{language}", None) or getattr(self, f"{name}_{other}", None) or ""
