"""Duplicate applications: the same or nearly the same project submitted twice, by one entrant or
by two, within the contest and against the entries of earlier contests in the database.

An entry's text is its title and its answers to the text fields not marked identifying (the
project, not who is behind it). The text is cut into word shingles (three words running); each
entry gets a MinHash signature of NUM_PERM values (numpy: one 64-bit hash per shingle, NUM_PERM
multiply-shift permutations, the minimum of each); entries sharing any band of BAND_ROWS values
(locality-sensitive hashing) are candidates, and a candidate pair is listed when the Jaccard
similarity of its shingle sets — computed exactly, not estimated — reaches the threshold.
The cost grows with the number of entries, not with its square (about 10,000 entries in a few
seconds), except for groups of identical texts, which are compared once.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from app.extensions import db
from app.models import Contest, Entry, FormField

NUM_PERM = 64
BAND_ROWS = 4  # 16 bands of 4: pairs from about 0.5 similar up are nearly always candidates
SHINGLE = 3
THRESHOLD = 0.5
TEXT_TYPES = ("text", "textarea")
_WORD = re.compile(r"\w+")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_rng = np.random.default_rng(20261204)  # fixed: the same signatures in every process
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass(frozen=True)
class Candidate:
    """An entry as the comparison sees it."""

    entry_id: int
    contest_id: int
    number: int | None
    title: str
    entrant_id: int | None


@dataclass(frozen=True)
class Duplicate:
    """Two entries whose texts are `similarity` alike (Jaccard of their word shingles, 0–1);
    `first` is always an entry of the contest looked at, `second` of it or of an earlier one."""

    first: Candidate
    second: Candidate
    similarity: float

    @property
    def same_entrant(self) -> bool:
        return self.first.entrant_id is not None and self.first.entrant_id == self.second.entrant_id

    @property
    def percent(self) -> int:
        return int(self.similarity * 100)


def words(text: str) -> list[str]:
    return [word.replace("ё", "е") for word in _WORD.findall(text.lower())]


def shingles(text: str) -> np.ndarray:
    """The sorted distinct 64-bit hashes of the text's word shingles (the words themselves when
    the text is shorter than a shingle); empty for a text without words."""
    tokens = words(text)
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    hashes = np.fromiter((zlib.crc32(token.encode()) for token in tokens), dtype=np.uint64, count=len(tokens))
    if len(hashes) >= SHINGLE:
        combined = np.zeros(len(hashes) - SHINGLE + 1, dtype=np.uint64)
        for offset in range(SHINGLE):
            combined = combined * _K1 + hashes[offset:len(hashes) - SHINGLE + 1 + offset]
        hashes = combined
    return np.unique(hashes * _K2)


def signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature: for each of NUM_PERM permutations h → a·h + b (mod 2^64), the least
    value's upper 32 bits."""
    if not len(shingle_hashes):
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint64)
    values = (shingle_hashes[None, :] * _A[:, None] + _B[:, None]) >> np.uint64(32)
    return values.min(axis=1)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) or not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def entry_text(title: str | None, answers: dict | None, text_keys: frozenset[str]) -> str:
    parts = [title or ""]
    parts += [value for key, value in (answers or {}).items() if key in text_keys and isinstance(value, str)]
    return "\n".join(parts)


def _text_keys(contest_ids) -> dict[int, frozenset[str]]:
    keys: dict[int, set[str]] = defaultdict(set)
    for contest_id, key in db.session.execute(
            sa.select(FormField.contest_id, FormField.key).where(
                FormField.contest_id.in_(contest_ids), FormField.type.in_(TEXT_TYPES),
                FormField.identifying.is_(False))):
        keys[contest_id].add(key)
    return {contest_id: frozenset(keys.get(contest_id, ())) for contest_id in contest_ids}


def earlier_contest_ids(contest: Contest) -> list[int]:
    """The contests created before this one (the previous contests in the database)."""
    return list(db.session.scalars(sa.select(Contest.id).where(
        Contest.id != contest.id,
        sa.or_(Contest.created_at < contest.created_at,
               sa.and_(Contest.created_at == contest.created_at, Contest.id < contest.id)))))


def find_duplicates(contest: Contest, *, threshold: float = THRESHOLD, earlier: bool = True) -> list[Duplicate]:
    """Pairs of entries at least `threshold` alike, most alike first: submitted entries of the
    contest against each other and (with `earlier`) against the submitted entries of earlier contests."""
    contest_ids = [contest.id, *(earlier_contest_ids(contest) if earlier else [])]
    text_keys = _text_keys(contest_ids)
    rows = db.session.execute(
        sa.select(Entry.id, Entry.contest_id, Entry.number, Entry.title, Entry.entrant_id, Entry.answers)
        .where(Entry.contest_id.in_(contest_ids), Entry.status == "submitted")
        .order_by(Entry.contest_id != contest.id, Entry.number, Entry.id)).all()
    candidates: list[Candidate] = []
    sets: list[np.ndarray] = []
    by_text: dict[bytes, int] = {}  # identical shingle sets: compared once, through the first
    same_as: dict[int, list[int]] = defaultdict(list)
    buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for entry_id, contest_id, number, title, entrant_id, answers in rows:
        hashes = shingles(entry_text(title, answers, text_keys.get(contest_id, frozenset())))
        if not len(hashes):
            continue
        index = len(candidates)
        candidates.append(Candidate(entry_id, contest_id, number, title or "", entrant_id))
        sets.append(hashes)
        key = hashes.tobytes()
        if key in by_text:
            same_as[by_text[key]].append(index)
            continue
        by_text[key] = index
        values = signature(hashes)
        for band in range(0, NUM_PERM, BAND_ROWS):
            buckets[(band, values[band:band + BAND_ROWS].tobytes())].append(index)
    pairs: dict[tuple[int, int], float] = {}
    for members in buckets.values():
        for i, left in enumerate(members):
            for right in members[i + 1:]:
                if (left, right) not in pairs:
                    pairs[(left, right)] = jaccard(sets[left], sets[right])
    # Each group of identical texts: its members are 1.0 alike, and alike to others as their first is.
    for first, others in same_as.items():
        group = [first, *others]
        for i, left in enumerate(group):
            for right in group[i + 1:]:
                pairs[(left, right)] = 1.0
        for (left, right), similarity in list(pairs.items()):
            if first in (left, right) and similarity < 1.0:
                partner = right if left == first else left
                for other in others:
                    pairs[(min(other, partner), max(other, partner))] = similarity
    found = []
    for (left, right), similarity in pairs.items():
        if similarity < threshold:
            continue
        a, b = candidates[left], candidates[right]
        if a.contest_id != contest.id and b.contest_id != contest.id:
            continue  # two earlier entries: that contest's business
        if a.contest_id != contest.id:
            a, b = b, a
        found.append(Duplicate(a, b, similarity))
    found.sort(key=lambda d: (-d.similarity, d.first.number or 0, d.second.contest_id != contest.id,
                              d.second.number or 0))
    return found


def contests_shown(found: list[Duplicate], contest: Contest, user) -> dict[int, Contest]:
    """The earlier contests of the pairs that the person may read (they organise them): by id.
    An entry of another contest is shown with its title and link only then; otherwise only as
    "an entry of an earlier contest" with its similarity."""
    from app.services.platform.permissions import organised_contest_ids

    other_ids = {d.second.contest_id for d in found} - {contest.id}
    if not other_ids:
        return {}
    readable = other_ids & set(organised_contest_ids(user))
    if not readable:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Contest).where(Contest.id.in_(readable)))}
