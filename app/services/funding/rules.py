"""The three proposals of DESIGN §3b as pure functions over candidates (no database).

A candidate is an entry in the fund's candidate order with its exact score and its ask in
kopecks (an integer: money is never a float here). `propose` gives, for one fund, which
candidates are funded and why each other one is not.

Rule 3 is an exact 0/1 knapsack, made unique: among the sets of equal best value the one whose
sorted candidate positions are lexicographically smallest wins (1st and 4th beats 2nd and 3rd).
By score it is solved by OR-Tools' branch-and-bound knapsack solver on the core the LP bound
leaves (`_reduce`); the better places are found by walking the core in order and taking each
candidate whenever some optimal set holding the choices so far and it exists (one more solve
over the later core candidates). By count no solver is needed: the most entries that fit are
the smallest asks (`_most_entries`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

RULES = ("strict", "skip", "best")
OBJECTIVES = ("score", "count")

# Why a candidate is not funded (codes kept in the JSON; pages translate them).
DOES_NOT_FIT = "does not fit"
NOT_REACHED = "not reached"
NOT_CHOSEN = "not in the best set"
BELOW_MINIMUM = "below the minimum grant"
NOTHING_REQUESTED = "requested nothing"
CUT_TO_NOTHING = "cut to nothing"

# Exact scores are scaled to integers by their common denominator while the knapsack's values
# stay within 64 bits; past that (z-scores are floats) they are rounded to a millionth.
_VALUE_LIMIT = 2**62
_ROUNDED_SCALE = 10**6


@dataclass
class Candidate:
    entry_id: int
    place: int
    score: Fraction | float
    requested: int | None          # kopecks, as the entrant asked; None when nothing was asked
    ask: int | None = None         # kopecks the rule works with: requested capped (or cut)
    cut: bool = False
    excluded: str | None = None    # a reason that keeps it out before any rule runs


@dataclass
class FundProposal:
    capacity: int                  # the fund in kopecks
    funded: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)

    @property
    def allocated(self) -> int:
        return sum(c.ask for c in self.funded)

    @property
    def left(self) -> int:
        return self.capacity - self.allocated


def prepare(candidates: list[Candidate], *, min_grant: int | None, max_grant: int | None,
            cuts: dict[int, int] | None = None) -> None:
    """Sets each candidate's ask (requested capped at the maximum grant, or the organiser's cut)
    and the reason that keeps it out (nothing asked, below the minimum grant, cut to nothing)."""
    cuts = cuts or {}
    for candidate in candidates:
        candidate.excluded = None
        candidate.cut = candidate.entry_id in cuts
        if candidate.cut:
            candidate.ask = cuts[candidate.entry_id]
            if candidate.ask <= 0:
                candidate.excluded = CUT_TO_NOTHING
            continue
        if not candidate.requested:
            candidate.ask = None
            candidate.excluded = NOTHING_REQUESTED
            continue
        candidate.ask = min(candidate.requested, max_grant) if max_grant is not None else candidate.requested
        if min_grant is not None and candidate.ask < min_grant:
            candidate.excluded = BELOW_MINIMUM


def propose(rule: str, candidates: list[Candidate], capacity: int, *, objective: str = "score") -> FundProposal:
    """One fund's proposal by `rule` over prepared candidates in the fund's candidate order."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}")
    proposal = FundProposal(capacity=capacity)
    eligible = [c for c in candidates if c.excluded is None]
    if rule == "best":
        chosen = best_set(eligible, capacity, objective=objective)
        funded_ids = {eligible[i].entry_id for i in chosen}
    else:
        funded_ids = set()
        left = capacity
        stopped = False
        for candidate in eligible:
            if stopped:
                continue
            if candidate.ask <= left:
                funded_ids.add(candidate.entry_id)
                left -= candidate.ask
            elif rule == "strict":
                stopped = True
    stop_seen = False
    for candidate in candidates:
        if candidate.excluded is not None:
            proposal.skipped.append((candidate, candidate.excluded))
        elif candidate.entry_id in funded_ids:
            proposal.funded.append(candidate)
        elif rule == "best":
            reason = DOES_NOT_FIT if candidate.ask > capacity else NOT_CHOSEN
            proposal.skipped.append((candidate, reason))
        elif rule == "strict" and stop_seen:
            proposal.skipped.append((candidate, NOT_REACHED))
        else:
            stop_seen = True
            proposal.skipped.append((candidate, DOES_NOT_FIT))
    return proposal


def knapsack_values(candidates: list[Candidate], objective: str) -> list[int]:
    """Integer values of the candidates for the knapsack: 1 each for `count`; for `score` the
    exact scores over their common denominator (scores at or below zero add nothing: 0)."""
    if objective == "count":
        return [1] * len(candidates)
    scores = [max(Fraction(c.score), Fraction(0)) if not isinstance(c.score, float)
              else max(Fraction(c.score), Fraction(0)) for c in candidates]
    denominator = 1
    for score in scores:
        denominator = math.lcm(denominator, score.denominator)
        if denominator > _VALUE_LIMIT:
            break
    values = [int(score * denominator) for score in scores] if denominator <= _VALUE_LIMIT else None
    if values is None or sum(values) > _VALUE_LIMIT:
        values = [round(score * _ROUNDED_SCALE) for score in scores]
    return values


def best_set(candidates: list[Candidate], capacity: int, *, objective: str = "score") -> list[int]:
    """Positions (0-based, in candidate order) of the best set of DESIGN §3b rule 3."""
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}")
    values = knapsack_values(candidates, objective)
    weights = [c.ask for c in candidates]
    # Candidates of no value or that cannot fit on their own are never in the best set.
    usable = [i for i in range(len(candidates)) if values[i] > 0 and weights[i] <= capacity]
    if not usable or capacity <= 0:
        return []
    if objective == "count":
        return _most_entries([weights[i] for i in usable], capacity, usable)
    return _best_value([values[i] for i in usable], [weights[i] for i in usable], capacity, usable)


def _most_entries(weights: list[int], capacity: int, positions: list[int]) -> list[int]:
    """Objective `count`: every value is 1, so the most entries that fit are the k smallest asks,
    exactly, with no solver; the better places are then taken by walking the candidates in order
    and keeping each one whenever the smallest asks after it still complete a set of k."""
    import numpy as np

    asks = np.array(weights, dtype=np.int64)
    cumulative = np.cumsum(np.sort(asks))
    most = int(np.searchsorted(cumulative, capacity, side="right"))
    chosen: list[int] = []
    used = 0
    for index in range(len(weights)):
        needed = most - len(chosen)
        if needed == 0:
            break
        rest = asks[index + 1:]
        if needed - 1 > len(rest):
            continue
        smallest = int(np.partition(rest, needed - 2)[:needed - 1].sum()) if needed > 1 else 0
        if used + weights[index] + smallest <= capacity:
            chosen.append(positions[index])
            used += weights[index]
    return chosen


def _best_value(values: list[int], weights: list[int], capacity: int, positions: list[int]) -> list[int]:
    """Objective `score`: the exact knapsack (OR-Tools), then the better places among equal optima.

    The LP bound fixes most candidates first (`_reduce`): with a feasible value it leaves a core;
    the solver's optimum over that core is the exact best value V, and fixing again against V
    leaves only the candidates some optimal set has and another has not. Only those are walked."""
    always, free = _reduce(values, weights, capacity, None)
    best = sum(values[i] for i in always)
    if free:
        room = capacity - sum(weights[i] for i in always)
        value, _picked = _solve([values[i] for i in free], [weights[i] for i in free], room)
        best += value
    always, free = _reduce(values, weights, capacity, best)
    room = capacity - sum(weights[i] for i in always)
    core_best = best - sum(values[i] for i in always)
    chosen: list[int] = []
    used = gained = 0
    for index, item in enumerate(free):
        if gained == core_best:
            break
        left = room - used - weights[item]
        if left < 0:
            continue
        later = free[index + 1:]
        value, _picked = _solve([values[i] for i in later], [weights[i] for i in later], left)
        if gained + values[item] + value == core_best:
            chosen.append(item)
            used += weights[item]
            gained += values[item]
    return sorted(positions[i] for i in always + chosen)


def _reduce(values: list[int], weights: list[int], capacity: int, known: int | None) -> tuple[list[int], list[int]]:
    """Splits the items into those in every optimal set, and those that may or may not be (the
    rest are in none), by the LP bound with the critical ratio λ as its dual (Dembo and Hammer):
    forcing item j against its LP value bounds the optimum by U − |v_j − λ·w_j|. Where that is
    below a value some feasible set reaches (`known`, else the greedy fill's), every optimal set
    agrees with the LP on j. Exact integer arithmetic (both sides times λ's denominator)."""
    order = sorted(range(len(values)), key=lambda i: Fraction(values[i], weights[i]), reverse=True)
    room = capacity
    full_value = 0
    critical = None
    in_lp = set()
    for position, i in enumerate(order):
        if weights[i] <= room:
            room -= weights[i]
            full_value += values[i]
            in_lp.add(i)
        else:
            critical = position
            break
    if critical is None:
        return sorted(in_lp), []       # everything fits: every usable candidate is funded
    if known is None:
        # The greedy fill in ratio order, adding whatever still fits, is a feasible value.
        greedy_room, known = room, full_value
        for i in order[critical:]:
            if weights[i] <= greedy_room:
                greedy_room -= weights[i]
                known += values[i]
    v_c, w_c = values[order[critical]], weights[order[critical]]
    scaled_bound = w_c * full_value + room * v_c      # w_c · U
    scaled_known = w_c * known
    always, free = [], []
    for i in range(len(values)):
        reduced = abs(values[i] * w_c - v_c * weights[i])  # w_c · |v_i − λ·w_i|
        if scaled_bound - reduced < scaled_known:
            if i in in_lp:
                always.append(i)
        else:
            free.append(i)
    return always, free


def _solve(values: list[int], weights: list[int], capacity: int) -> tuple[int, list[int]]:
    """An exact 0/1 knapsack: (best value, indices of one best set)."""
    if not values or capacity <= 0:
        return 0, []
    from ortools.algorithms.python import knapsack_solver

    solver = knapsack_solver.KnapsackSolver(
        knapsack_solver.SolverType.KNAPSACK_MULTIDIMENSION_BRANCH_AND_BOUND_SOLVER, "fund")
    solver.init(values, [weights], [capacity])
    value = solver.solve()
    return value, [i for i in range(len(values)) if solver.best_solution_contains(i)]
