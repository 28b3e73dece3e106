"""What in an entry identifies its entrant, and blacking it out of what a judge reads.

The organiser marks the form fields that identify the entrant (`FormField.identifying`); a blind
round hides their answers. What the entrant wrote elsewhere is searched for the identity in its
usual variants, and each occurrence is blacked out:

- each word of a person's name in any grammatical case (Блинов, Блинова, Блиновым), compared by
  the words' dictionary forms from the pymorphy3 morphology library;
- the organisation with or without its legal form and quotes (АНО «Заря», Фонд Заря, «Заря»,
  фонда «Зари»), its words compared the same way;
- e-mail addresses (any address, not only the entrant's), website domains (with or without scheme,
  www and path), and numbers such as the INN, OGRN or a phone, whatever spaces or dashes are typed
  between the digits.

`redact(text, identity)` is the one function for every text a judge reads: the score page, the
dashboard's titles, e-mails and the PDFs built for judges. Build the identity once per entry with
`entry_identity(entry)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from app.models import Entry

REDACTED = "▇▇▇"

# Keys of the standard fields that identify the entrant: a new field with one of them is marked
# identifying unless the organiser says otherwise (hidden from judges in blind rounds).
STANDARD_IDENTIFYING_KEYS = frozenset({
    "organisation", "organization", "inn", "ogrn", "kpp", "website", "site", "url", "email", "phone",
    "contacts", "contact", "address", "team", "team_members", "leader", "director", "author", "applicant",
    "full_name", "name",
})

# Legal forms written before (or after) an organisation's name; removed to find its own name.
LEGAL_FORMS = (
    "автономная некоммерческая организация", "некоммерческая организация", "благотворительный фонд",
    "общество с ограниченной ответственностью", "публичное акционерное общество", "акционерное общество",
    "некоммерческое партнерство", "некоммерческое партнёрство", "региональная общественная организация",
    "межрегиональная общественная организация", "общественная организация", "индивидуальный предприниматель",
    "ассоциация", "фонд", "союз", "учреждение", "центр", "ано", "нко", "ооо", "оао", "зао", "пао", "ао", "ип",
    "бф", "роо", "мроо", "моо", "оо", "нп", "тос", "мбу", "мбоу", "мауо", "гбу", "гбоу", "гау", "фгбоу", "мку",
    "foundation", "fund", "llc", "ltd", "inc", "ngo",
)
_LEGAL_RE = "|".join(re.escape(form) for form in sorted(LEGAL_FORMS, key=len, reverse=True))
_LEGAL_FORM = re.compile(rf"(?<!\w)(?:{_LEGAL_RE})(?!\w)\.?", re.IGNORECASE)
_QUOTES = "«»\"“”„‟'‘’"
# Words as the search sees them: letters and digits, split at hyphens and underscores (file names).
_WORD = re.compile(r"[^\W_]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A website's domain, with or without the scheme, www and a path: the domain is what is searched for.
_URL = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-zа-я0-9-]+\.)+(?:[a-z]{2,}|рф))(?![\w.])(?:[/?#][^\s,;]*)?",
                  re.IGNORECASE)
_NUMBER = re.compile(r"\+?\d[\d\s\u00a0\u202f\-–().]{4,}\d")
# Labels typed before a value in a free-text answer ("ИНН 7701234567", "тел.: …"), not identity.
_LABEL_WORDS = frozenset({"инн", "огрн", "огрнип", "кпп", "тел", "телефон", "сайт", "почта", "email", "e-mail",
                          "site", "phone", "website", "web", "mail", "адрес", "руководитель", "директор"})
_NUMBER_SEPARATORS = re.compile(r"[\s\u00a0\u202f\-–()+.]")
# A run of digits with separators between them; an identity's numbers are looked for in its digits.
_DIGIT_RUN = re.compile(r"\d(?:[\s\u00a0\u202f\-–()+.]*\d)*")
# Mail services whose domain says nothing about the entrant.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "yandex.ru", "ya.ru", "mail.ru", "bk.ru", "list.ru", "inbox.ru", "rambler.ru", "outlook.com",
    "hotmail.com", "yahoo.com", "icloud.com", "proton.me", "protonmail.com", "example.org", "example.com",
})
_PERSON_TAGS = ("Name", "Surn", "Patr")
MIN_WORD = 3   # shorter words (initials, prepositions) are not searched for on their own
MIN_DIGITS = 6  # shorter numbers (years, sums) are not identity
MAX_NAME_WORDS = 8  # a longer piece of an identifying answer is prose, not a name


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _norm(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=200_000)
def _forms(word: str) -> frozenset[str]:
    """A word's dictionary forms (all readings), with the word itself: what two words share when
    one is a case form of the other."""
    word = _norm(word)
    if not re.search(r"[а-я]", word):
        return frozenset({word})
    return frozenset({word, *(_norm(parse.normal_form) for parse in _morph().parse(word))})


@lru_cache(maxsize=20_000)
def _identity_forms(word: str, person: bool) -> frozenset[str]:
    """The dictionary forms an identity word is known by. A person's name takes only its readings as
    a name (so «Блинов» does not match «блины»)."""
    word = _norm(word)
    if not re.search(r"[а-я]", word):
        return frozenset({word})
    parses = _morph().parse(word)
    if person:
        named = [parse for parse in parses if any(tag in parse.tag for tag in _PERSON_TAGS)]
        parses = named or parses
    return frozenset({word, *(_norm(parse.normal_form) for parse in parses)})


def is_person_word(word: str) -> bool:
    """Whether the dictionary reads the word as a first name, surname or patronymic."""
    if not re.search(r"[а-яё]", word.lower()):
        return False
    return any(any(tag in parse.tag for tag in _PERSON_TAGS) for parse in _morph().parse(word.lower()))


@dataclass(frozen=True)
class Identity:
    """What identifies one entrant, ready to be searched for."""

    words: frozenset[str] = frozenset()                 # words of people's names, in any case
    phrases: tuple[tuple[str, ...], ...] = ()           # organisations' own names, word by word
    literals: tuple[str, ...] = ()                      # e-mails, domains, strings as typed
    numbers: tuple[str, ...] = ()                       # INN, OGRN, phones: their digits
    _prefixes: frozenset[str] = field(default=frozenset(), compare=False)
    # The literals as one pattern, compiled once per identity: with a pattern per literal, a check
    # over 10,000 entries spent 10 % of its time recompiling (re's cache holds 512). Numbers are
    # not in it (`_number_spans`): a pattern with separators between every digit of an INN and a
    # phone took about 9 ms to compile, per entrant.
    _pattern: re.Pattern | None = field(default=None, compare=False)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.literals or self.numbers)


@dataclass(frozen=True)
class Found:
    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start:self.end]


def organisation_core(name: str) -> str:
    """The organisation's own name: legal forms and quotes removed (АНО «Заря» → Заря)."""
    core = _LEGAL_FORM.sub(" ", name or "")
    core = "".join(" " if char in _QUOTES else char for char in core)
    return " ".join(core.split())


class IdentityBuilder:
    def __init__(self):
        self.words: set[str] = set()
        self.phrases: set[tuple[str, ...]] = set()
        self.literals: set[str] = set()
        self.numbers: set[str] = set()

    def person(self, name: str) -> None:
        for word in _WORD.findall(name or ""):
            if len(word) >= MIN_WORD and not word.isdigit():
                self.words.add(_norm(word))

    def organisation(self, name: str) -> None:
        name = (name or "").strip()
        if not any(len(word) >= MIN_WORD for word in _WORD.findall(name)):
            return
        self.literals.add(name)
        parts = [part for part in re.split(r"[()\[\]/|,;]+", name) if part.strip()]
        if len(parts) > 1:  # «Фонд «Заря» (Fund Zarya)»: each name on its own
            for part in parts:
                self.organisation(part)
            return
        words = tuple(_norm(word) for word in _WORD.findall(organisation_core(name)))
        if words and any(len(word) >= MIN_WORD for word in words):
            self.phrases.add(words)

    def email(self, address: str) -> None:
        address = (address or "").strip()
        if "@" not in address:
            return
        self.literals.add(address)
        local, _, domain = address.rpartition("@")
        if domain.lower() not in PUBLIC_MAIL_DOMAINS:
            self.literals.add(domain)
        if len(local) >= 4 and not local.isdigit():
            self.literals.add(local)

    def number(self, text: str) -> bool:
        digits = _NUMBER_SEPARATORS.sub("", text or "")
        if digits.isdigit() and len(digits) >= MIN_DIGITS:
            self.numbers.add(digits)
            if len(digits) == 11 and digits[0] in "78":
                self.numbers.add(digits[1:])  # a Russian phone, written with +7 or 8
            return True
        return False

    def value(self, value) -> None:
        """An identifying answer, whatever it holds: e-mails, a website, a number, names."""
        if value is None or isinstance(value, bool):
            return
        text = str(value).strip()
        if not text:
            return
        for address in _EMAIL.findall(text):
            self.email(address)
        text = _EMAIL.sub(" ", text)
        for url in _URL.findall(text):
            self.literals.add(url.lower())
        text = _URL.sub(" ", text)
        for number in _NUMBER.findall(text):
            self.number(number)
        text = _NUMBER.sub(" ", text)
        for chunk in re.split(r"[,;\n|]+", text):
            words = [word for word in _WORD.findall(chunk)
                     if not word.isdigit() and _norm(word) not in _LABEL_WORDS]
            if not words or len(words) > MAX_NAME_WORDS:
                continue  # prose, not a name: its e-mails, sites and numbers are taken above
            names = [word for word in words if is_person_word(word)]
            if names and len(names) * 2 >= len(words):
                for word in names:
                    self.person(word)
            else:
                self.organisation(" ".join(words) if len(words) < len(_WORD.findall(chunk)) else chunk.strip())

    def build(self) -> Identity:
        words = frozenset(word for word in self.words if len(word) >= MIN_WORD)
        prefixes = {word[:2] for word in words}
        prefixes |= {phrase[0][:2] for phrase in self.phrases}
        for word in words:
            prefixes |= {form[:2] for form in _identity_forms(word, True)}
        for phrase in self.phrases:
            prefixes |= {form[:2] for form in _identity_forms(phrase[0], False)}
        literals = tuple(sorted(self.literals, key=len, reverse=True))
        numbers = tuple(sorted(self.numbers))
        return Identity(words=words, phrases=tuple(sorted(self.phrases, key=len, reverse=True)),
                        literals=literals, numbers=numbers, _prefixes=frozenset(prefixes),
                        _pattern=_literal_pattern(literals))


def _literal_pattern(literals: tuple[str, ...]) -> re.Pattern | None:
    """E-mails, domains and strings as typed (with an optional scheme, www and path); matched in
    the lower-cased text. (Numbers are found by `_number_spans`.)"""
    parts = [rf"(?<![\w@.])(?:https?://)?(?:www\.)?{re.escape(literal.lower())}(?:/[^\s]*)?(?![\w@])"
             for literal in literals]
    return re.compile("|".join(f"(?:{part})" for part in parts)) if parts else None


def _number_spans(text: str, numbers: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where each number occurs with any spaces, dashes, brackets, pluses or points between its
    digits, not as part of a longer number (no digit right before or after it)."""
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        positions = [run.start() + offset for offset, char in enumerate(run.group()) if char.isdigit()]
        digits = "".join(text[position] for position in positions)
        for number in numbers:
            at = digits.find(number)
            while at != -1:
                start, end = positions[at], positions[at + len(number) - 1] + 1
                if not text[start - 1:start].isdigit() and not text[end:end + 1].isdigit():
                    spans.append((start, end))
                at = digits.find(number, at + 1)
    return spans


def _identifying_fields(contest_id: int) -> list:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import FormField

    return list(db.session.scalars(sa.select(FormField).where(
        FormField.contest_id == contest_id, FormField.identifying.is_(True))))


def hidden_field_keys(fields: Iterable) -> frozenset[str]:
    """The keys of the fields the organiser marked as identifying."""
    return frozenset(form_field.key for form_field in fields if form_field.identifying)


def entry_identity(entry: Entry, fields: Iterable | None = None) -> Identity:
    """The entrant's identity: their name and e-mail, the entry's organisation and INN, and the
    answers to the fields the organiser marked as identifying."""
    if fields is None:
        fields = _identifying_fields(entry.contest_id)
    builder = IdentityBuilder()
    builder.person(entry.entrant.name if entry.entrant else "")
    builder.email(entry.entrant.email if entry.entrant else "")
    builder.organisation(entry.organisation or "")
    builder.number(entry.inn or "")
    answers = entry.answers or {}
    for key in hidden_field_keys(fields):
        builder.value(answers.get(key))
    return builder.build()


def _word_matches(token: str, word_forms: frozenset[str]) -> bool:
    return bool(_forms(token) & word_forms)


def find_identity(text: str, identity: Identity) -> list[Found]:
    """Where the identity occurs in the text, as non-overlapping spans in order."""
    if not text:
        return []
    # Any e-mail address tells who wrote it, the entrant's or not.
    spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if not identity:
        return _merge(spans)
    if identity._pattern is not None:
        spans += [(m.start(), m.end()) for m in identity._pattern.finditer(text.lower())]
    if identity.numbers:
        spans += _number_spans(text, identity.numbers)
    tokens = [m for m in _WORD.finditer(text) if _norm(m.group())[:2] in identity._prefixes]
    if tokens:
        person_forms = {word: _identity_forms(word, True) for word in identity.words}
        for token in tokens:
            if any(_word_matches(token.group(), forms) for forms in person_forms.values()):
                spans.append((token.start(), token.end()))
        all_tokens = list(_WORD.finditer(text))
        index = {m.start(): i for i, m in enumerate(all_tokens)}
        for phrase in identity.phrases:
            phrase_forms = [_identity_forms(word, False) for word in phrase]
            for token in tokens:
                start_at = index[token.start()]
                if start_at + len(phrase) > len(all_tokens):
                    continue
                run = all_tokens[start_at:start_at + len(phrase)]
                if all(_word_matches(m.group(), forms) for m, forms in zip(run, phrase_forms, strict=True)):
                    spans.append(_with_form_and_quotes(text, run[0].start(), run[-1].end()))
    return _merge(spans)


def _with_form_and_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    """Widens an organisation's name to the quotes around it and the legal form before it."""
    before = re.search(rf"(?:(?:{_LEGAL_RE})\.?\s*)?[{_QUOTES}]?\s*$", text[:start], re.IGNORECASE)
    if before and before.group().strip():
        opened = any(char in _QUOTES for char in before.group())
        after = re.match(rf"\s*[{_QUOTES}]", text[end:]) if opened else None
        match_start = before.start()
        # The legal form must start at a word boundary.
        if match_start == 0 or not text[match_start - 1].isalnum():
            start = match_start
        if after:
            end += after.end()
    return start, end


def _merge(spans: list[tuple[int, int]]) -> list[Found]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Found(start, end) for start, end in merged]


def redact(text: str, identity: Identity) -> str:
    """The text with every occurrence of the identity blacked out: the one function for every
    text a judge of a blind round reads."""
    if not text:
        return text
    pieces = []
    last = 0
    for found in find_identity(text, identity):
        pieces.append(text[last:found.start])
        pieces.append(REDACTED)
        last = found.end
    pieces.append(text[last:])
    return "".join(pieces)


def redact_for_judge(text: str, entry: Entry, *, show_identity: bool) -> str:
    """`redact` for one entry's text where the identity is not yet built (e-mails, documents)."""
    if show_identity:
        return text
    return redact(text, entry_identity(entry))


def identities_of(entry_ids: Iterable[int]) -> dict[int, Identity]:
    """The identities of many entries in two queries (the entries with their entrants, and the
    identifying fields of their contests), for lists such as the judge's dashboard or e-mails."""
    import sqlalchemy as sa
    from sqlalchemy.orm import joinedload

    from app.extensions import db
    from app.models import FormField

    ids = sorted(set(entry_ids))
    if not ids:
        return {}
    entries = list(db.session.scalars(sa.select(Entry).options(joinedload(Entry.entrant)).where(Entry.id.in_(ids))))
    fields: dict[int, list] = {}
    for form_field in db.session.scalars(sa.select(FormField).where(
            FormField.contest_id.in_({entry.contest_id for entry in entries}), FormField.identifying.is_(True))):
        fields.setdefault(form_field.contest_id, []).append(form_field)
    return {entry.id: entry_identity(entry, fields.get(entry.contest_id, [])) for entry in entries}
