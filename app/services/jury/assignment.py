"""Assigning entries to judges (DESIGN §4): the min-cost-flow solver and the round-level operations.

The solver (`solve_assignment`) is a pure function over numpy arrays. The network, in the manner of
HotCRP's autoassigner and openreview-matcher:

    source ──(cap = judges still needed, cost 0)──▶ entry
    entry  ──(cap 1, cost −expertise bonus)──▶ judge      (no arc for a conflict or an existing pair)
    judge  ──(cap 1, cost M·ℓ)──▶ sink, one arc per load level ℓ = current load + 1 … max load

The flow is maximised first (as many assignments as possible), then its cost minimised. The level
arcs make a judge's cost a convex function of their load (Σ M·ℓ = M·L(L+1)/2), so the cheapest
flow has the least-majorised load vector: its maximum load is as low and its minimum as high as
the conflicts and maxima allow, hence max − min ≤ 1 whenever any assignment of the same size
achieves that. M exceeds the largest possible total expertise bonus, so balance always comes first
and expertise is maximised among the balanced solutions.

For very large rounds (more than CANDIDATE_LIMIT_PAIRS entry–judge pairs) each entry keeps only
a sample of candidate judges (`limit_candidates`): half chosen among the judges whose expertise
matches, half at random among all allowed judges, so every judge gets about the same number of
arcs and balance stays feasible. Entries the sampled network cannot serve get all their allowed
judges back and the problem is solved again. Below the limit the network is complete and the
result exact.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from types import SimpleNamespace

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _
from ortools.graph.python import min_cost_flow

from app.extensions import db
from app.models import Assignment, Conflict, Entry, EntryRound, JuryMember, Review, Round, User
from app.services.platform.audit import record_event
from app.services.platform.clock import now
from app.services.platform.collector import collector_paused
from app.services.platform.links import external_url

# Above this many entry–judge pairs, each entry keeps a sample of candidate judges.
CANDIDATE_LIMIT_PAIRS = 1_000_000
# Unlimited maximum load, as a number the solver can work with.
NO_MAX_LOAD = np.iinfo(np.int32).max


class AssignmentError(Exception):
    """A manual assignment change that breaks a rule; the message is translated."""


# ---------------------------------------------------------------------------------------------
# The solver: numpy in, numpy out, no database.
# ---------------------------------------------------------------------------------------------

@dataclass
class Solution:
    """New pairs chosen by the solver, as indices into the problem's entries and judges."""

    entries: np.ndarray  # int, one per new pair
    judges: np.ndarray  # int, one per new pair
    served: np.ndarray  # int per entry: how many of its demanded judges were found
    solve_seconds: float = 0.0
    arcs: int = 0


def candidate_arcs(allowed: np.ndarray, bonus: np.ndarray, *, per_entry: int | None = None,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Entry–judge arcs from an (entries × judges) boolean matrix of allowed pairs.

    With `per_entry`, each entry keeps at most that many judges (see `limit_candidates`).
    Returns (entry indices, judge indices).
    """
    if per_entry is not None and allowed.shape[1] > per_entry:
        allowed = limit_candidates(allowed, bonus, per_entry=per_entry, seed=seed)
    rows, cols = np.nonzero(allowed)
    return rows.astype(np.int32), cols.astype(np.int32)


def limit_candidates(allowed: np.ndarray, bonus: np.ndarray, *, per_entry: int,
                     seed: int = 0) -> np.ndarray:
    """Keeps, per entry, up to `per_entry` allowed judges: up to half of them a random sample of the
    judges whose expertise matches, the rest a random sample of the other allowed judges.

    Deterministic for a given seed. Each entry draws a few times `per_entry` random judges and keeps
    the first allowed ones, experts first: work in proportion to the sample, not to the whole
    (entries × judges) matrix, which a full random ranking of every row (two partitions of a
    10,000 × 800 matrix) spent most of its time on. Rows the draws do not fill as the rule asks
    (few allowed judges or few experts) are sampled exactly over the whole row instead.
    """
    n, m = allowed.shape
    if m <= per_entry:
        return allowed
    rng = np.random.default_rng(seed)
    expert = allowed & (bonus > 0)
    expert_slots = per_entry // 2
    draws = rng.integers(0, m, size=(n, 4 * per_entry))
    rows = np.arange(n)[:, None]
    # The first draw of each judge in a row (draw order kept): sort, mark repeats, scatter back.
    order = np.argsort(draws, axis=1, kind="stable")
    ordered = np.take_along_axis(draws, order, axis=1)
    repeat_sorted = np.zeros(draws.shape, dtype=bool)
    repeat_sorted[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    repeat = np.zeros(draws.shape, dtype=bool)
    np.put_along_axis(repeat, order, repeat_sorted, axis=1)
    fresh = ~repeat & allowed[rows, draws]
    is_expert = fresh & expert[rows, draws]
    take_expert = is_expert & (np.cumsum(is_expert, axis=1) <= expert_slots)
    experts_taken = take_expert.sum(axis=1)
    others = fresh & ~take_expert
    take_other = others & (np.cumsum(others, axis=1) <= (per_entry - experts_taken)[:, None])
    keep = np.zeros_like(allowed)
    taken = take_expert | take_other
    keep[np.broadcast_to(rows, draws.shape)[taken], draws[taken]] = True

    # Rows the draws left short of what the rule gives: fewer experts than it would take, or
    # fewer judges in all. Those are sampled exactly.
    short = (experts_taken < np.minimum(expert_slots, expert.sum(axis=1))) | \
        (taken.sum(axis=1) < np.minimum(per_entry, allowed.sum(axis=1)))
    if short.any():
        keep[short] = _limit_candidates_exact(allowed[short], bonus[short], per_entry=per_entry, seed=seed)
    return keep


def _limit_candidates_exact(allowed: np.ndarray, bonus: np.ndarray, *, per_entry: int,
                            seed: int = 0) -> np.ndarray:
    """limit_candidates by a random ranking of every allowed judge of each row."""
    n, m = allowed.shape
    noise = np.random.default_rng(seed).random((n, m), dtype=np.float32)
    keep = np.zeros_like(allowed)
    expert_slots = per_entry // 2
    if expert_slots:
        key = np.where(allowed & (bonus > 0), noise, np.float32(-1))
        top = np.argpartition(-key, expert_slots - 1, axis=1)[:, :expert_slots]
        np.put_along_axis(keep, top, np.take_along_axis(key, top, axis=1) >= 0, axis=1)
    # Fill the remaining slots of each row (more where an entry has few experts) at random.
    key = np.where(allowed & ~keep, noise, np.float32(-1))
    top = np.argpartition(-key, per_entry - 1, axis=1)[:, :per_entry]
    top_key = np.take_along_axis(key, top, axis=1)
    order = np.argsort(-top_key, axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_key = np.take_along_axis(top_key, order, axis=1)
    slots = per_entry - keep.sum(axis=1)
    take = (np.arange(per_entry)[None, :] < slots[:, None]) & (top_key >= 0)
    np.put_along_axis(keep, top, take | np.take_along_axis(keep, top, axis=1), axis=1)
    return keep


def solve_assignment(*, demand: np.ndarray, base_load: np.ndarray, max_load: np.ndarray,
                     arc_entries: np.ndarray, arc_judges: np.ndarray,
                     arc_bonus: np.ndarray) -> Solution:
    """Chooses new entry–judge pairs: most assignments, then most even loads, then most expertise.

    demand[e]: judges entry e still needs; base_load[j]: judge j's current load; max_load[j]:
    their maximum (NO_MAX_LOAD for none); arcs: the allowed new pairs with a bonus ≥ 0 each.
    """
    n, m = len(demand), len(base_load)
    demand = np.asarray(demand, dtype=np.int64)
    base_load = np.asarray(base_load, dtype=np.int64)
    arc_entries = np.asarray(arc_entries, dtype=np.int32)
    arc_judges = np.asarray(arc_judges, dtype=np.int32)
    arc_bonus = np.asarray(arc_bonus, dtype=np.int64)
    empty = Solution(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(n, np.int64))
    total_demand = int(demand.sum())
    if total_demand == 0 or len(arc_entries) == 0:
        return empty

    source, sink = 0, n + m + 1
    entry_node = np.arange(1, n + 1, dtype=np.int32)
    judge_node = np.arange(n + 1, n + m + 1, dtype=np.int32)

    # Levels: a judge can take at most as many new entries as arcs reach them, and up to the maximum.
    degree = np.bincount(arc_judges, minlength=m).astype(np.int64)
    room = np.clip(np.asarray(max_load, dtype=np.int64) - base_load, 0, None)
    levels = np.minimum(room, degree)
    level_judge = np.repeat(np.arange(m), levels)
    starts = np.cumsum(levels) - levels
    level_value = base_load[level_judge] + (np.arange(int(levels.sum())) - np.repeat(starts, levels)) + 1
    # Balance dominates expertise: one step of Σ L(L+1)/2 outweighs every possible bonus.
    weight = int(arc_bonus.max(initial=0)) * total_demand + 1

    tails = np.concatenate([
        np.full(n, source, np.int32), entry_node[arc_entries], judge_node[level_judge]])
    heads = np.concatenate([
        entry_node, judge_node[arc_judges], np.full(len(level_judge), sink, np.int32)])
    capacities = np.concatenate([
        demand, np.ones(len(arc_entries), np.int64), np.ones(len(level_judge), np.int64)])
    costs = np.concatenate([
        np.zeros(n, np.int64), -arc_bonus, level_value.astype(np.int64) * weight])

    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    solver.set_node_supply(source, total_demand)
    solver.set_node_supply(sink, -total_demand)
    started = time.perf_counter()
    status = solver.solve_max_flow_with_min_cost()
    elapsed = time.perf_counter() - started
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")

    first_pair_arc = n
    flows = solver.flows(np.arange(first_pair_arc, first_pair_arc + len(arc_entries)))
    used = flows > 0
    served = np.bincount(arc_entries[used], minlength=n).astype(np.int64)
    return Solution(arc_entries[used].astype(np.int64), arc_judges[used].astype(np.int64), served,
                    solve_seconds=elapsed, arcs=len(tails))


# ---------------------------------------------------------------------------------------------
# A round's assignment, read from and written to the database.
# ---------------------------------------------------------------------------------------------

@dataclass
class Unserved:
    entry_id: int
    number: int | None
    title: str
    missing: int
    reason: str


@dataclass
class AssignmentResult:
    """What an automatic assignment did (or, with dry_run, would do)."""

    pairs: list[tuple[int, int]]  # new (entry id, judge user id)
    unserved: list[Unserved]
    entries_total: int  # entries considered
    loads_before: dict[int, int]  # judge user id → load, every accepted judge
    loads_after: dict[int, int]
    dry_run: bool = False
    solve_seconds: float = 0.0
    total_seconds: float = 0.0
    arcs: int = 0
    new_by_judge: dict[int, int] = field(default_factory=dict)
    entry_numbers: dict[int, int | None] = field(default_factory=dict)

    @property
    def entries_served(self) -> int:
        return self.entries_total - len(self.unserved)

    @property
    def min_load(self) -> int:
        return min(self.loads_after.values(), default=0)

    @property
    def max_load(self) -> int:
        return max(self.loads_after.values(), default=0)

    @property
    def mean_load(self) -> float:
        return sum(self.loads_after.values()) / len(self.loads_after) if self.loads_after else 0.0


def round_pool_query(round_: Round):
    """Entries taking part in the round: in EntryRound, submitted and eligible."""
    return (sa.select(Entry).join(EntryRound, EntryRound.entry_id == Entry.id)
            .where(EntryRound.round_id == round_.id, Entry.status == "submitted",
                   Entry.eligible.is_(True)))


def entry_in_pool(round_: Round, entry: Entry) -> bool:
    return db.session.scalar(sa.select(sa.exists(
        round_pool_query(round_).where(Entry.id == entry.id).with_only_columns(Entry.id))))


def _key_ids(keys: list[str | None], table: dict[str, int]) -> np.ndarray:
    """Strings → small ints (−1 for none), shared across calls through `table`."""
    return np.array([table.setdefault(key, len(table)) if key else -1 for key in keys], dtype=np.int64)


def _positions(ids: np.ndarray):
    """A vectorised `index of id in ids` (−1 where absent), for mapping fetched id columns."""
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]

    def position(values: np.ndarray) -> np.ndarray:
        if len(ordered) == 0:
            return np.full(len(values), -1, dtype=np.int64)
        at = np.clip(np.searchsorted(ordered, values), 0, len(ordered) - 1)
        return np.where(ordered[at] == values, order[at], -1)

    return position


def _id_pairs(connection, query) -> np.ndarray:
    """Two integer columns of a query as an (rows × 2) int64 array."""
    rows = connection.execute(query).all()
    # np.array(rows) would probe each Row for the array protocols; a flat iterator does not.
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows))
    return flat.reshape(len(rows), 2)


def _entry_judge_problem(round_: Round, *, target_extra: set[int] | None,
                         only_entry_ids: set[int] | None):
    """Reads the round and builds the solver's arrays."""
    from app.services.jury.members import (
        accepted_members,
        judge_organisation_keys,
        normalise_inn,
        normalise_organisation,
    )

    k = round_.reviews_per_entry
    # Column queries run as Core on the session's connection: the ORM's per-row result handling
    # is most of the read time for 10,000 entries and 100,000 conflicts. Flushed first, as
    # session.execute would.
    db.session.flush()
    connection = db.session.connection()
    entries = connection.execute(
        round_pool_query(round_).with_only_columns(
            Entry.id, Entry.number, Entry.title, Entry.nomination_id, Entry.organisation, Entry.inn,
            Entry.entrant_id).order_by(Entry.number, Entry.id)).all()
    if only_entry_ids is not None:
        entries = [row for row in entries if row.id in only_entry_ids]
    if target_extra is not None:
        entries = [row for row in entries if row.id in target_extra]
    members = accepted_members(round_)
    n, m = len(entries), len(members)
    entry_ids = np.array([row.id for row in entries], dtype=np.int64)
    judge_ids = np.array([member.user_id for member in members], dtype=np.int64)
    entry_position = _positions(entry_ids)
    judge_position = _positions(judge_ids)

    existing_pairs = _id_pairs(connection, sa.select(Assignment.entry_id, Assignment.judge_id).where(
        Assignment.round_id == round_.id))
    e = entry_position(existing_pairs[:, 0])
    j = judge_position(existing_pairs[:, 1])
    existing = np.bincount(e[e >= 0], minlength=n).astype(np.int64)
    base_load = np.bincount(j[j >= 0], minlength=m).astype(np.int64)
    allowed = np.ones((n, m), dtype=bool)
    both = (e >= 0) & (j >= 0)
    allowed[e[both], j[both]] = False

    # Declared conflicts (judge, organiser, imported).
    if n and m:
        conflicts = _id_pairs(connection, sa.select(Conflict.entry_id, Conflict.user_id).join(
            Entry, Entry.id == Conflict.entry_id).where(Entry.contest_id == round_.contest_id))
        e = entry_position(conflicts[:, 0])
        j = judge_position(conflicts[:, 1])
        both = (e >= 0) & (j >= 0)
        allowed[e[both], j[both]] = False
    # Automatic conflicts: the entrant themself, the same organisation, the same INN.
    entrant = np.array([row.entrant_id for row in entries], dtype=np.int64)
    allowed &= entrant[:, None] != judge_ids[None, :]
    names: dict[str, int] = {}
    inns: dict[str, int] = {}
    entry_name = _key_ids([normalise_organisation(row.organisation) for row in entries], names)
    entry_inn = _key_ids([normalise_inn(row.inn) for row in entries], inns)
    judge_keys = [judge_organisation_keys(member, member.user) for member in members]
    for slot in range(2):
        judge_name = _key_ids([sorted(keys[0])[slot] if len(keys[0]) > slot else None
                               for keys in judge_keys], names)
        judge_inn = _key_ids([sorted(keys[1])[slot] if len(keys[1]) > slot else None
                              for keys in judge_keys], inns)
        allowed &= ~((entry_name[:, None] == judge_name[None, :]) & (entry_name[:, None] >= 0))
        allowed &= ~((entry_inn[:, None] == judge_inn[None, :]) & (entry_inn[:, None] >= 0))

    # Expertise: 1 where the judge knows the entry's nomination.
    nomination_ids = sorted({n.id for n in round_.contest.nominations})
    column = {nomination_id: c for c, nomination_id in enumerate(nomination_ids)}
    knows = np.zeros((m, len(nomination_ids) + 1), dtype=np.int8)  # last column: no nomination
    for j, member in enumerate(members):
        for expertise in member.expertise:
            if expertise.nomination_id in column:
                knows[j, column[expertise.nomination_id]] = 1
    entry_column = np.array([column.get(row.nomination_id, len(nomination_ids)) for row in entries],
                            dtype=np.int64)
    bonus = knows[:, entry_column].T if n and m else np.zeros((n, m), dtype=np.int8)

    if target_extra is not None:
        target = existing + 1
    else:
        target = np.full(n, k, dtype=np.int64)
    demand = np.clip(target - existing, 0, None)
    max_load = np.array([NO_MAX_LOAD if member.max_load is None else member.max_load for member in members],
                        dtype=np.int64)
    return entries, members, entry_ids, judge_ids, existing, target, demand, base_load, max_load, allowed, bonus


def assign_round(*, round_: Round, actor: User | None = None, dry_run: bool = False,
                 extra_for_entry_ids: list[int] | None = None, only_entry_ids: list[int] | None = None,
                 notify: bool = True, seed: int = 0) -> AssignmentResult:
    """Automatic assignment of the round (DESIGN §4); existing assignments are kept.

    With `extra_for_entry_ids`, only those entries get one judge more than they have (§3.6).
    With `dry_run`, nothing is written: the result is a preview.
    """
    started = time.perf_counter()
    if round_.finalised_at is not None and not dry_run:
        raise AssignmentError(_("The round is finalised; its assignments cannot change."))
    # Rows of 10,000 entries and 100,000s of conflicts: the collector waits (see collector_paused).
    with collector_paused():
        (entries, members, entry_ids, judge_ids, existing, target, demand, base_load, max_load,
         allowed, bonus) = _entry_judge_problem(
            round_, target_extra=set(extra_for_entry_ids) if extra_for_entry_ids is not None else None,
            only_entry_ids=set(only_entry_ids) if only_entry_ids is not None else None)
    n, m = allowed.shape
    needy_allowed = allowed & (demand > 0)[:, None]
    per_entry = None
    if int((demand > 0).sum()) * m > CANDIDATE_LIMIT_PAIRS:
        per_entry = max(24, 8 * round_.reviews_per_entry)
    arc_entries, arc_judges = candidate_arcs(needy_allowed, bonus, per_entry=per_entry, seed=seed)
    solution = solve_assignment(demand=demand, base_load=base_load, max_load=max_load,
                                arc_entries=arc_entries, arc_judges=arc_judges,
                                arc_bonus=bonus[arc_entries, arc_judges])
    solve_seconds = solution.solve_seconds
    if per_entry is not None and (solution.served < demand).any():
        # The sample was too thin for some entries: give them all their allowed judges, solve again.
        short = solution.served < demand
        full_rows, full_cols = np.nonzero(needy_allowed & short[:, None])
        sampled = ~short[arc_entries]
        arc_entries = np.concatenate([arc_entries[sampled], full_rows.astype(np.int32)])
        arc_judges = np.concatenate([arc_judges[sampled], full_cols.astype(np.int32)])
        solution = solve_assignment(demand=demand, base_load=base_load, max_load=max_load,
                                    arc_entries=arc_entries, arc_judges=arc_judges,
                                    arc_bonus=bonus[arc_entries, arc_judges])
        solve_seconds += solution.solve_seconds

    pairs = [(int(entry_ids[e]), int(judge_ids[j])) for e, j in zip(solution.entries, solution.judges, strict=True)]
    loads_after = base_load.copy()
    np.add.at(loads_after, solution.judges, 1)
    new_by_judge = dict(zip(judge_ids.tolist(), np.bincount(solution.judges, minlength=m).tolist(), strict=True))
    unserved = _unserved(entries, members, existing, target, solution.served, demand, allowed,
                         pending=_pending_invitees(round_))

    if not dry_run and pairs:
        _insert_assignments(round_.id, pairs, now())
        record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None,
                     action="assignment.extra" if extra_for_entry_ids is not None else "assignment.auto",
                     object_type="round", object_id=round_.id,
                     new={"assignments": len(pairs), "unserved": len(unserved)})
        if notify:
            notify_new_assignments(round_)
    return AssignmentResult(
        pairs=pairs, unserved=unserved, entries_total=n,
        loads_before=dict(zip(judge_ids.tolist(), base_load.tolist(), strict=True)),
        loads_after=dict(zip(judge_ids.tolist(), loads_after.tolist(), strict=True)),
        dry_run=dry_run, solve_seconds=solve_seconds, total_seconds=time.perf_counter() - started,
        arcs=solution.arcs, new_by_judge=new_by_judge,
        entry_numbers={int(entry_ids[e]): entries[e].number for e in set(solution.entries.tolist())})


def _insert_assignments(round_id: int, pairs: list[tuple[int, int]], moment: datetime) -> None:
    """Writes new assignments in bulk, without 10,000s of ORM objects or per-row parameter handling.

    PostgreSQL: COPY (psycopg would otherwise send one INSERT per row). SQLite: one DB-API
    executemany with the creation time converted once, as the column type would convert it.
    """
    db.session.flush()
    connection = db.session.connection()
    table = Assignment.__table__
    created_type = table.c.created_at.type
    dialect = connection.dialect
    if dialect.name == "postgresql":
        created_at = created_type.process_bind_param(moment, dialect)
        cursor = connection.connection.driver_connection.cursor()
        try:
            with cursor.copy("COPY assignment (round_id, entry_id, judge_id, created_at) FROM STDIN") as copy:
                for entry_id, judge_id in pairs:
                    copy.write_row((round_id, entry_id, judge_id, created_at))
        finally:
            cursor.close()
        return
    if dialect.name == "sqlite":
        processor = created_type.dialect_impl(dialect).bind_processor(dialect)
        created_at = processor(moment) if processor else moment
        connection.exec_driver_sql(
            "INSERT INTO assignment (round_id, entry_id, judge_id, created_at) VALUES (?, ?, ?, ?)",
            [(round_id, entry_id, judge_id, created_at) for entry_id, judge_id in pairs])
        return
    connection.execute(sa.insert(table), [
        {"round_id": round_id, "entry_id": entry_id, "judge_id": judge_id, "created_at": moment}
        for entry_id, judge_id in pairs])


def _pending_invitees(round_: Round) -> int:
    """Invited to the round's jury but not accepted (nor declined) yet."""
    from app.models import JuryMember

    return db.session.scalar(sa.select(sa.func.count()).select_from(JuryMember).where(
        JuryMember.round_id == round_.id, JuryMember.status == "invited")) or 0


def _unserved(entries, members, existing, target, served, demand, allowed, pending: int = 0) -> list[Unserved]:
    from flask_babel import ngettext

    result = []
    short = np.nonzero(served < demand)[0]
    if len(short) == 0:
        return result
    without_conflict = existing + allowed.sum(axis=1)
    for e in short:
        row = entries[e]
        if not members:
            reason = _("The round's jury has no accepted members yet.")
        elif without_conflict[e] < target[e]:
            count = int(without_conflict[e])
            reason = ngettext("Only %(num)d judge of the jury has no conflict with this entry.",
                              "Only %(num)d judges of the jury have no conflict with this entry.", count)
        else:
            reason = _("The judges without a conflict with this entry are at their maximum load.")
        if pending:
            # the real cause, when there is one: people invited who have not answered yet
            reason = " ".join((reason, ngettext("%(num)d invitee has not accepted yet.",
                                                "%(num)d invitees have not accepted yet.", pending)))
        result.append(Unserved(entry_id=row.id, number=row.number, title=row.title,
                               missing=int(demand[e] - served[e]), reason=reason))
    return result


def assign_extra_for_flagged(*, round_: Round, actor: User | None = None, dry_run: bool = False) -> AssignmentResult:
    """One more judge for every entry flagged for disagreement (DESIGN §3.6)."""
    from app.services.results.disagreement import flagged_entry_ids

    return assign_round(round_=round_, actor=actor, dry_run=dry_run,
                        extra_for_entry_ids=list(flagged_entry_ids(round_)))


# ---------------------------------------------------------------------------------------------
# Assignments by hand.
# ---------------------------------------------------------------------------------------------

def _member(round_: Round, judge: User) -> JuryMember | None:
    return db.session.scalar(sa.select(JuryMember).where(
        JuryMember.round_id == round_.id, JuryMember.user_id == judge.id, JuryMember.status == "accepted"))


def assignment_problem(*, round_: Round, entry: Entry, judge: User) -> str | None:
    """Why `judge` may not be given `entry` in `round_` (translated), or None."""
    from app.services.jury.members import conflict_problem

    if round_.finalised_at is not None:
        return _("The round is finalised; its assignments cannot change.")
    if entry.contest_id != round_.contest_id or not entry_in_pool(round_, entry):
        return _("This entry is not among the round's eligible entries.")
    member = _member(round_, judge)
    if member is None:
        return _("%(name)s is not an accepted member of this round's jury.", name=judge.name)
    if db.session.scalar(sa.select(sa.exists().where(
            Assignment.round_id == round_.id, Assignment.entry_id == entry.id, Assignment.judge_id == judge.id))):
        return _("%(name)s already has this entry.", name=judge.name)
    problem = conflict_problem(entry, judge, member)
    if problem:
        return problem
    if member.max_load is not None:
        load = db.session.scalar(sa.select(sa.func.count()).where(
            Assignment.round_id == round_.id, Assignment.judge_id == judge.id))
        if load >= member.max_load:
            return _("%(name)s is at their maximum load (%(max)d).", name=judge.name, max=member.max_load)
    return None


def add_assignment(*, round_: Round, entry: Entry, judge: User, actor: User | None = None) -> Assignment:
    problem = assignment_problem(round_=round_, entry=entry, judge=judge)
    if problem:
        raise AssignmentError(problem)
    assignment = Assignment(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, created_at=now())
    db.session.add(assignment)
    db.session.flush()
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="assignment.add",
                 object_type="assignment", object_id=assignment.id,
                 new={"entry": entry.id, "judge": judge.id})
    return assignment


def removal_problem(assignment: Assignment) -> str | None:
    round_ = db.session.get(Round, assignment.round_id)
    if round_.finalised_at is not None:
        return _("The round is finalised; its assignments cannot change.")
    submitted = db.session.scalar(sa.select(sa.exists().where(
        Review.round_id == assignment.round_id, Review.entry_id == assignment.entry_id,
        Review.judge_id == assignment.judge_id, Review.status == "submitted")))
    if submitted:
        return _("The judge has already submitted a review of this entry.")
    return None


def remove_assignment(*, assignment: Assignment, actor: User | None = None) -> None:
    """Withdraws an assignment (and the judge's draft review); refused once the review is submitted."""
    problem = removal_problem(assignment)
    if problem:
        raise AssignmentError(problem)
    for review in db.session.scalars(sa.select(Review).where(
            Review.round_id == assignment.round_id, Review.entry_id == assignment.entry_id,
            Review.judge_id == assignment.judge_id)):
        db.session.delete(review)
    round_ = db.session.get(Round, assignment.round_id)
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="assignment.remove",
                 object_type="assignment", object_id=assignment.id,
                 old={"entry": assignment.entry_id, "judge": assignment.judge_id})
    db.session.delete(assignment)
    db.session.flush()


def move_assignment(*, assignment: Assignment, judge: User, actor: User | None = None) -> Assignment:
    """Gives the entry to another judge instead, with the same rules as adding and removing."""
    round_ = db.session.get(Round, assignment.round_id)
    entry = db.session.get(Entry, assignment.entry_id)
    problem = removal_problem(assignment) or assignment_problem(round_=round_, entry=entry, judge=judge)
    if problem:
        raise AssignmentError(problem)
    remove_assignment(assignment=assignment, actor=actor)
    return add_assignment(round_=round_, entry=entry, judge=judge, actor=actor)


# ---------------------------------------------------------------------------------------------
# Telling judges about their new assignments, one e-mail per judge per batch.
# ---------------------------------------------------------------------------------------------

def pending_notifications(round_: Round) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(
        Assignment.round_id == round_.id, Assignment.notified_at.is_(None)))


def _judge_titles(round_: Round, rows) -> dict[int, str | None]:
    """Each entry's title as the round's judges may read it; None where it stays hidden."""
    from app.services.anonymity.redaction import identities_of
    from app.services.anonymity.titles import shown_title, title_visible

    if not round_.blind:
        return {row.entry_id: row.title for row in rows}
    visible = {row.entry_id for row in rows if title_visible(
        title=row.title, title_checked=row.title_checked, blind=True, titles_safe=round_.titles_safe)}
    identities = identities_of(visible)
    return {row.entry_id: shown_title(number=row.number, title=row.title, title_checked=row.title_checked,
                                      blind=True, titles_safe=round_.titles_safe,
                                      identity=identities.get(row.entry_id)) for row in rows}


def notify_new_assignments(round_: Round, *, at: datetime | None = None, actor: User | None = None) -> int:
    """Sends each judge one e-mail listing their assignments not yet announced; returns e-mails sent."""
    from flask import current_app, render_template
    from flask_babel import force_locale

    from app.services.platform.mail import send_mail

    rows = db.session.execute(
        sa.select(Assignment.id, Assignment.judge_id, Assignment.entry_id, Entry.number, Entry.title,
                  Entry.title_checked)
        .join(Entry, Entry.id == Assignment.entry_id)
        .where(Assignment.round_id == round_.id, Assignment.notified_at.is_(None))
        .order_by(Assignment.judge_id, Entry.number)).all()
    if not rows:
        return 0
    by_judge: dict[int, list] = {}
    # In a blind round each title is shown as a judge may read it (anonymity.titles).
    titles = _judge_titles(round_, rows)
    for row in rows:
        by_judge.setdefault(row.judge_id, []).append(
            SimpleNamespace(id=row.id, judge_id=row.judge_id, number=row.number, title=titles[row.entry_id]))
    judges = {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(by_judge)))}
    endpoint = "jury.dashboard" if "jury.dashboard" in current_app.view_functions else "public.index"
    link = external_url(endpoint)
    contest = round_.contest
    for judge_id, items in by_judge.items():
        judge = judges[judge_id]
        with force_locale(judge.locale):
            send_mail(
                to=judge.email,
                subject=_("New entries to review in %(contest)s", contest=contest.loc("title")),
                body=render_template("manage/assign_mail.txt", judge=judge, contest=contest, round=round_,
                                     items=items, link=link),
            )
    # The rows just read, without a parameter per row (a batch may hold tens of thousands).
    db.session.execute(sa.update(Assignment).where(
        Assignment.round_id == round_.id, Assignment.notified_at.is_(None),
        Assignment.id <= max(row.id for row in rows),
    ).values(notified_at=at or now()).execution_options(synchronize_session=False))
    record_event(contest_id=round_.contest_id, actor_id=actor.id if actor else None, action="assignment.notify",
                 object_type="round", object_id=round_.id, new={"judges": len(by_judge), "assignments": len(rows)})
    return len(by_judge)
