"""The assignment case's yardsticks, written independently of the product.

* `allowed_pairs` reads a round's entries, jury and conflicts from the database and gives the
  complete matrix of allowed entry–judge pairs (declared conflicts, the entrant, the same
  organisation or INN) and the expertise bonus of each pair.
* `Network` / `solve` are the textbook min-cost-flow network of DESIGN §4 handed to OR-Tools:
  source → entry (its demand), entry → judge (1, −bonus), judge → sink one arc per load level
  (cost M·level, so loads come out as even as possible). Solving it on all allowed pairs gives the
  optimum the product must reach; solving it on the arcs the product's solver was given is the
  "solver alone" baseline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from ortools.graph.python import min_cost_flow

from app.extensions import db
from app.models import Conflict, Entry, EntryRound, JuryExpertise, JuryMember, Round, User


@dataclass
class Problem:
    entry_ids: np.ndarray
    judge_ids: np.ndarray
    allowed: np.ndarray  # bool, entries × judges
    bonus: np.ndarray  # int, entries × judges: 1 where the judge knows the entry's nomination


def allowed_pairs(round_: Round) -> Problem:
    from app.services.jury.members import normalise_inn, normalise_organisation

    entries = db.session.execute(
        sa.select(Entry.id, Entry.nomination_id, Entry.organisation, Entry.inn, Entry.entrant_id)
        .join(EntryRound, EntryRound.entry_id == Entry.id)
        .where(EntryRound.round_id == round_.id, Entry.status == "submitted", Entry.eligible.is_(True))
        .order_by(Entry.id)).all()
    judges = db.session.execute(
        sa.select(JuryMember.id, JuryMember.user_id, JuryMember.organisation, JuryMember.inn,
                  User.organisation, User.inn)
        .join(User, User.id == JuryMember.user_id)
        .where(JuryMember.round_id == round_.id, JuryMember.status == "accepted")
        .order_by(JuryMember.user_id)).all()
    entry_ids = np.array([row.id for row in entries], dtype=np.int64)
    judge_ids = np.array([row.user_id for row in judges], dtype=np.int64)
    e_index = {int(e): i for i, e in enumerate(entry_ids)}
    j_index = {int(j): i for i, j in enumerate(judge_ids)}
    allowed = np.ones((len(entries), len(judges)), dtype=bool)
    for entry_id, user_id in db.session.execute(
            sa.select(Conflict.entry_id, Conflict.user_id).join(Entry, Entry.id == Conflict.entry_id)
            .where(Entry.contest_id == round_.contest_id)):
        if entry_id in e_index and user_id in j_index:
            allowed[e_index[entry_id], j_index[user_id]] = False
    allowed &= np.array([row.entrant_id for row in entries])[:, None] != judge_ids[None, :]
    by_name: dict[str, list[int]] = {}
    by_inn: dict[str, list[int]] = {}
    for j, row in enumerate(judges):
        for name in {normalise_organisation(row[2]), normalise_organisation(row[4])} - {None}:
            by_name.setdefault(name, []).append(j)
        for inn in {normalise_inn(row[3]), normalise_inn(row[5])} - {None}:
            by_inn.setdefault(inn, []).append(j)
    for e, row in enumerate(entries):
        name, inn = normalise_organisation(row.organisation), normalise_inn(row.inn)
        for j in by_name.get(name, []) + by_inn.get(inn, []):
            allowed[e, j] = False
    knows = {(member_id, nomination_id) for member_id, nomination_id in db.session.execute(
        sa.select(JuryExpertise.jury_member_id, JuryExpertise.nomination_id))}
    nominations = sorted({row.nomination_id for row in entries if row.nomination_id is not None})
    column = {nid: c for c, nid in enumerate(nominations)}
    judge_knows = np.zeros((len(judges), len(nominations) + 1), dtype=np.int64)
    for j, row in enumerate(judges):
        for nid, c in column.items():
            judge_knows[j, c] = (row.id, nid) in knows
    entry_column = np.array([column.get(row.nomination_id, len(nominations)) for row in entries], dtype=np.int64)
    bonus = judge_knows[:, entry_column].T
    return Problem(entry_ids, judge_ids, allowed, bonus)


@dataclass
class Network:
    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    costs: np.ndarray
    supply: int
    sink: int
    first_pair_arc: int
    arc_entries: np.ndarray
    arc_judges: np.ndarray
    arc_bonus: np.ndarray
    judges: int


def network(*, demand, base_load, max_load, arc_entries, arc_judges, arc_bonus) -> Network:
    demand = np.asarray(demand, dtype=np.int64)
    base_load = np.asarray(base_load, dtype=np.int64)
    arc_entries = np.asarray(arc_entries, dtype=np.int32)
    arc_judges = np.asarray(arc_judges, dtype=np.int32)
    arc_bonus = np.asarray(arc_bonus, dtype=np.int64)
    n, m = len(demand), len(base_load)
    sink = n + m + 1
    room = np.clip(np.asarray(max_load, dtype=np.int64) - base_load, 0, None)
    levels = np.minimum(room, np.bincount(arc_judges, minlength=m))
    level_judge = np.repeat(np.arange(m), levels)
    level = np.concatenate([base_load[j] + np.arange(1, c + 1) for j, c in enumerate(levels)]) \
        if len(level_judge) else np.zeros(0, np.int64)
    big = int(arc_bonus.max(initial=0)) * int(demand.sum()) + 1
    tails = np.concatenate([np.zeros(n, np.int32), 1 + arc_entries, n + 1 + level_judge]).astype(np.int32)
    heads = np.concatenate([np.arange(1, n + 1), n + 1 + arc_judges, np.full(len(level_judge), sink)]).astype(np.int32)
    capacities = np.concatenate([demand, np.ones(len(arc_entries) + len(level_judge), np.int64)])
    costs = np.concatenate([np.zeros(n, np.int64), -arc_bonus, level.astype(np.int64) * big])
    return Network(tails, heads, capacities, costs, int(demand.sum()), sink, n, arc_entries, arc_judges,
                   arc_bonus, m)


@dataclass
class Solved:
    seconds: float
    pairs: int
    expertise: int
    loads: np.ndarray  # new assignments per judge


def solve(net: Network) -> Solved:
    """Timed: OR-Tools building its graph from the arrays and solving; nothing else."""
    started = time.perf_counter()
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacities, net.costs)
    solver.set_node_supply(0, net.supply)
    solver.set_node_supply(net.sink, -net.supply)
    status = solver.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - started
    if status != solver.OPTIMAL:
        raise RuntimeError(f"reference min-cost flow: status {status}")
    flows = solver.flows(np.arange(net.first_pair_arc, net.first_pair_arc + len(net.arc_entries)))
    used = flows > 0
    return Solved(seconds=seconds, pairs=int(used.sum()), expertise=int(net.arc_bonus[used].sum()),
                  loads=np.bincount(net.arc_judges[used], minlength=net.judges))


def optimum(problem: Problem, *, demand_per_entry: int) -> Solved:
    """The best assignment of an empty round on the complete network of allowed pairs."""
    n, m = problem.allowed.shape
    rows, cols = np.nonzero(problem.allowed)
    return solve(network(demand=np.full(n, demand_per_entry), base_load=np.zeros(m, np.int64),
                         max_load=np.full(m, np.iinfo(np.int32).max), arc_entries=rows, arc_judges=cols,
                         arc_bonus=problem.bonus[rows, cols]))
