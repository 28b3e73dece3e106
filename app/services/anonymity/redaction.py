"""What in an entry identifies its entrant, and blacking it out of what a judge reads."""

from __future__ import annotations

import re

from app.models import Entry

# Answers that tell a judge who the entrant is; hidden in blind rounds. A key matches when one of
# its words (split at "_" and "-") is listed here. Any other answer has the entrant's name, e-mail,
# organisation and INN blacked out where they occur.
IDENTITY_WORDS = frozenset({"organisation", "organization", "org", "inn", "ogrn", "kpp", "website", "site", "url",
                            "email", "phone", "contact", "contacts", "address", "leader", "director", "head",
                            "author", "applicant", "name"})
REDACTED = "▇▇▇"


def identity_texts(entry: Entry) -> list[str]:
    texts = [entry.organisation or "", entry.inn or "", entry.entrant.name or "", entry.entrant.email or ""]
    return [text.strip().lower() for text in texts if text and len(text.strip()) >= 3]


def is_identity_field(key: str) -> bool:
    return any(word in IDENTITY_WORDS for word in re.split(r"[_\-]+", key.lower()))


def redact(text: str, identity: list[str]) -> str:
    for part in identity:
        text = re.sub(re.escape(part), REDACTED, text, flags=re.IGNORECASE)
    return text
