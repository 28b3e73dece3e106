"""The ranking cache: a round's ranking kept between the events that change it.

A ranking is keyed by (round, `Round.ranking_version`, whole round or per nomination, snapshot).
The version is raised in the same transaction as every change that can change the ranking:

- a submitted review written (submitted, revised, reopened, imported), by the database's review
  triggers (models.review.RANKING_TRIGGERS), whichever way the row is written;
- everything else by the flush hook below, in the flush that writes the change: the round itself
  (its rules, finalising, reopening), its criteria and tie-breaks, the entries in it (EntryRound),
  an entry's number, title, organisation, nomination or submission time, a nomination, a review
  deleted (a conflict declared, a judge removed), a snapshot written.

`cached_ranking` reads the version with one query of its own (never the copy in the session, which
a trigger does not refresh), so a reader sees at least every change committed before its request;
two app instances sharing the database agree through it. A ranking is stored only when the
transaction that made it has written nothing (a ranking built on uncommitted writes that are then
rolled back must never be stored under a version another change will reach). Stored in the
process (a few rounds, least recently used first out) and, with REDIS_URL, in Redis (pickled, a
day), so another worker or instance reuses it. A finalised round's ranking is its frozen snapshot
as it is: the cache keeps the snapshot parsed, and the page no longer loads its JSON.
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, attributes

from app.extensions import db
from app.models import (
    Criterion,
    Entry,
    EntryRound,
    Nomination,
    RankingSnapshot,
    Review,
    Round,
    TieBreak,
)

log = logging.getLogger(__name__)

# Rankings kept in the process: a ranking of 10,000 entries is a few megabytes.
LOCAL_SIZE = 8
REDIS_SECONDS = 24 * 3600
_WRITES = "fj_ranking_writes"
# The attributes of an entry that a ranking shows or orders by.
_ENTRY_FIELDS = ("number", "title", "organisation", "nomination_id", "submitted_at")


@dataclass
class CachedRanking:
    """What a ranking is rebuilt from without the database: its rows (shared by every reader; never
    reordered), the frozen parts of a snapshot, the snapshot's data, and values derived from the rows
    (memo: the counts, the histograms' bins), all of one version."""

    rows: list
    frozen_parts: dict | None = None
    frozen_weights: dict = field(default_factory=dict)
    snapshot_data: dict | None = None
    memo: dict = field(default_factory=dict)


_lock = threading.Lock()
_redis_clients: dict[str, object] = {}


def _store() -> OrderedDict[tuple, CachedRanking]:
    """This app's rankings (one store per app instance, as one per process in production)."""
    store = current_app.extensions.get("fj_rankings")
    if store is None:
        store = current_app.extensions.setdefault("fj_rankings", OrderedDict())
    return store


def ranking_version(round_id: int) -> int:
    """The round's ranking version as committed (or as written by this transaction): one query."""
    return db.session.scalar(sa.select(Round.ranking_version).where(Round.id == round_id)) or 0


def cached_ranking(key: tuple, build: Callable[[], CachedRanking]) -> CachedRanking:
    """The ranking stored under `key` (see ranking_key), else `build()`, stored when it may be."""
    found = _local_get(key)
    if found is not None:
        return found
    found = _redis_get(key)
    if found is not None:
        _local_put(key, found)
        return found
    built = build()
    if not db.session.info.get(_WRITES):
        _local_put(key, built)
        _redis_put(key, built)
    return built


def ranking_key(round_id: int, version: int, overall: bool, snapshot_id: int | None) -> tuple:
    return round_id, version, bool(overall), snapshot_id


def clear() -> None:
    """Forgets every ranking kept by this app (tests; Redis entries age out by themselves)."""
    with _lock:
        _store().clear()


# --- the two stores ----------------------------------------------------------------------------

def _local_get(key: tuple) -> CachedRanking | None:
    with _lock:
        store = _store()
        found = store.get(key)
        if found is not None:
            store.move_to_end(key)
        return found


def _local_put(key: tuple, value: CachedRanking) -> None:
    with _lock:
        store = _store()
        # Older versions of the same round are never asked for again.
        for stale in [k for k in store if k[0] == key[0] and k[1] < key[1]]:
            del store[stale]
        store[key] = value
        store.move_to_end(key)
        while len(store) > LOCAL_SIZE:
            store.popitem(last=False)


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = _redis_clients.get(url)
    if client is None:
        from redis import Redis

        client = _redis_clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return client


def _redis_name(key: tuple) -> str:
    round_id, version, overall, snapshot_id = key
    return f"fj:ranking:{round_id}:{version}:{int(overall)}:{snapshot_id or 0}"


def _redis_get(key: tuple) -> CachedRanking | None:
    client = _redis()
    if client is None:
        return None
    try:
        data = client.get(_redis_name(key))
    except Exception:  # Redis down: the ranking is made here, as without Redis.
        log.warning("ranking cache: Redis unavailable", exc_info=True)
        return None
    # Our own Redis, written only by this function's pair below.
    return pickle.loads(data) if data else None  # noqa: S301


def _redis_put(key: tuple, value: CachedRanking) -> None:
    client = _redis()
    if client is None:
        return
    try:
        client.set(_redis_name(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=REDIS_SECONDS)
    except Exception:
        log.warning("ranking cache: Redis unavailable", exc_info=True)


# --- the flush hook: the version raised with the change ------------------------------------------

def _changed(session: Session, obj, names) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _affected(session: Session) -> tuple[set[int], set[int], set[int]]:
    """The rounds (by id), contests (every round of them) and entries (every round they are in)
    whose ranking this flush changes."""
    rounds: set[int] = set()
    contests: set[int] = set()
    entries: set[int] = set()
    for obj in session.new:
        if isinstance(obj, (Criterion, TieBreak, EntryRound, RankingSnapshot)):
            rounds.add(obj.round_id)
        elif isinstance(obj, Nomination):
            contests.add(obj.contest_id)
    for obj in session.dirty:
        if isinstance(obj, Round):
            if session.is_modified(obj, include_collections=False):
                rounds.add(obj.id)
        elif isinstance(obj, (Criterion, TieBreak, RankingSnapshot)):
            if session.is_modified(obj, include_collections=False):
                rounds.add(obj.round_id)
        elif isinstance(obj, Entry):
            # Only the rounds the entry is in: an entrant's drafts (in no round) touch no round row.
            if _changed(session, obj, _ENTRY_FIELDS):
                entries.add(obj.id)
        elif isinstance(obj, Nomination):
            if session.is_modified(obj, include_collections=False):
                contests.add(obj.contest_id)
    for obj in session.deleted:
        if isinstance(obj, (Criterion, TieBreak, EntryRound, Review, RankingSnapshot)):
            rounds.add(obj.round_id)
        elif isinstance(obj, (Entry, Nomination)):
            contests.add(obj.contest_id)
    rounds.discard(None)
    contests.discard(None)
    entries.discard(None)
    return rounds, contests, entries


@sa.event.listens_for(Session, "after_flush")
def _raise_versions(session: Session, _context) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WRITES] = True
    rounds, contests, entries = _affected(session)
    if not rounds and not contests and not entries:
        return
    if entries:
        rounds |= set(session.connection().scalars(
            sa.select(EntryRound.round_id).where(EntryRound.entry_id.in_(entries))))
        if not rounds and not contests:
            return
    condition = sa.or_(Round.id.in_(rounds) if rounds else sa.false(),
                       Round.contest_id.in_(contests) if contests else sa.false())
    session.connection().execute(
        sa.update(Round.__table__).where(condition).values(ranking_version=Round.__table__.c.ranking_version + 1))
    # The copies in the session are out of date now.
    for obj in session.identity_map.values():
        if isinstance(obj, Round) and (obj.id in rounds or obj.contest_id in contests):
            session.info.setdefault("fj_ranking_expire", []).append(obj)


@sa.event.listens_for(Session, "after_flush_postexec")
def _expire_versions(session: Session, _context) -> None:
    for obj in session.info.pop("fj_ranking_expire", []):
        if obj in session:
            session.expire(obj, ["ranking_version"])


@sa.event.listens_for(Session, "do_orm_execute")
def _note_writes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WRITES] = True


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITES, None)
