"""The three proposals of DESIGN §3b as pure functions over candidates (no database).

A candidate is an entry in the fund's candidate order with its exact score and its ask in
kopecks (an integer: money is never a float here). `propose` gives, for one fund, which
candidates are funded and why each other one is not.

Rule 3 is an exact 0/1 knapsack solved by OR-Tools' branch-and-bound knapsack solver, then made
unique: among the sets of equal best value the one whose sorted candidate positions are
lexicographically smallest wins (1st and 4th beats 2nd and 3rd). That is found by walking the
positions in order and taking each one whenever some optimal set holding the positions fixed so
far and it exists (one more solve over the later candidates; positions after the last one of the
current best set never need a solve, as adding a candidate of positive value to an optimal set
would beat the optimum).
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
    best_value, current = _solve([values[i] for i in usable], [weights[i] for i in usable], capacity)
    current_set = {usable[i] for i in current}
    chosen: list[int] = []
    used = gained = 0
    for index, position in enumerate(usable):
        if not current_set or position > max(current_set):
            break
        if position in current_set:
            chosen.append(position)
            used += weights[position]
            gained += values[position]
            continue
        room = capacity - used - weights[position]
        if room < 0:
            continue
        later = usable[index + 1:]
        value, picked = _solve([values[i] for i in later], [weights[i] for i in later], room)
        if gained + values[position] + value == best_value:
            chosen.append(position)
            used += weights[position]
            gained += values[position]
            current_set = set(chosen) | {later[i] for i in picked}
    return chosen


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
