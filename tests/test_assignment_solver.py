"""The assignment solver (DESIGN §4) as a pure function: hand-made cases and a property test
against exhaustive search."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.jury.assignment import NO_MAX_LOAD, candidate_arcs, limit_candidates, solve_assignment


def solve(allowed, *, demand, base=None, cap=None, bonus=None):
    allowed = np.array(allowed, dtype=bool)
    n, m = allowed.shape
    bonus = np.zeros((n, m), dtype=np.int64) if bonus is None else np.array(bonus)
    base = np.zeros(m, dtype=np.int64) if base is None else np.array(base)
    cap = np.full(m, NO_MAX_LOAD) if cap is None else np.array([NO_MAX_LOAD if c is None else c for c in cap])
    entries, judges = candidate_arcs(allowed, bonus)
    solution = solve_assignment(demand=np.array(demand), base_load=base, max_load=cap, arc_entries=entries,
                                arc_judges=judges, arc_bonus=bonus[entries, judges])
    load = base.copy()
    np.add.at(load, solution.judges, 1)
    pairs = sorted(zip(solution.entries.tolist(), solution.judges.tolist(), strict=True))
    return pairs, load, solution


def test_solve_gives_each_entry_its_demand_of_distinct_judges():
    pairs, load, solution = solve(np.ones((6, 4)), demand=[2] * 6)
    assert len(pairs) == 12
    assert len(set(pairs)) == 12
    assert solution.served.tolist() == [2] * 6
    assert load.tolist() == [3, 3, 3, 3]


def test_solve_balances_loads_within_one():
    pairs, load, _ = solve(np.ones((7, 3)), demand=[1] * 7)
    assert load.max() - load.min() == 1
    assert sorted(load.tolist()) == [2, 2, 3]


def test_solve_counts_existing_load_when_balancing():
    pairs, load, _ = solve(np.ones((4, 2)), demand=[1] * 4, base=[4, 0])
    assert load.tolist() == [4, 4]
    assert {judge for _, judge in pairs} == {1}


def test_solve_respects_maximum_load():
    pairs, load, solution = solve(np.ones((4, 2)), demand=[2] * 4, cap=[1, None])
    assert load.tolist() == [1, 4]
    assert solution.served.tolist().count(2) == 1
    assert int(solution.served.sum()) == 5


def test_solve_never_uses_a_disallowed_pair():
    allowed = [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    pairs, _, _ = solve(allowed, demand=[2, 2, 2])
    assert pairs == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]


def test_solve_serves_what_it_can_when_infeasible():
    pairs, _, solution = solve([[1, 0, 0], [1, 1, 1]], demand=[2, 2])
    assert solution.served.tolist() == [1, 2]


def test_solve_prefers_expertise_among_balanced_solutions():
    bonus = [[1, 0], [1, 0], [0, 1], [0, 1]]
    pairs, load, _ = solve(np.ones((4, 2)), demand=[1] * 4, bonus=bonus)
    assert pairs == [(0, 0), (1, 0), (2, 1), (3, 1)]


def test_solve_balance_comes_before_expertise():
    # Judge 0 knows every entry, but the loads must stay even.
    bonus = [[1, 0]] * 4
    _, load, _ = solve(np.ones((4, 2)), demand=[1] * 4, bonus=bonus)
    assert load.tolist() == [2, 2]


def test_solve_with_nothing_to_do_returns_nothing():
    pairs, load, solution = solve(np.ones((2, 2)), demand=[0, 0])
    assert pairs == []
    assert solution.served.tolist() == [0, 0]


def test_limit_candidates_keeps_at_most_per_entry_with_experts_first():
    rng = np.random.default_rng(3)
    allowed = rng.random((200, 60)) < 0.9
    bonus = (rng.random((200, 60)) < 0.2).astype(np.int8)
    keep = limit_candidates(allowed, bonus, per_entry=12, seed=1)
    assert (keep <= allowed).all()
    assert keep.sum(axis=1).max() == 12
    expected_experts = np.minimum((allowed & (bonus > 0)).sum(axis=1), 6)
    assert ((keep & (bonus > 0)).sum(axis=1) >= expected_experts).all()
    # Each judge keeps a fair share of the arcs, so balance stays possible.
    per_judge = keep.sum(axis=0)
    assert per_judge.min() > 0


def test_limit_candidates_keeps_every_allowed_judge_of_a_thin_row():
    allowed = np.zeros((3, 40), dtype=bool)
    allowed[0, [1, 5, 9]] = True
    allowed[1] = True
    keep = limit_candidates(allowed, np.zeros((3, 40), dtype=np.int8), per_entry=8)
    assert keep[0].tolist() == allowed[0].tolist()
    assert keep[1].sum() == 8
    assert keep[2].sum() == 0


# ---------------------------------------------------------------------------------------------
# Property: the solver's result equals the lexicographic optimum found by exhaustive search —
# most assignments, then the most even loads (least Σ L²), then the most expertise.
# ---------------------------------------------------------------------------------------------

def exhaustive(allowed, bonus, demand, base, cap):
    n, m = allowed.shape
    options = []
    for e in range(n):
        candidates = [j for j in range(m) if allowed[e, j]]
        options.append([combo for size in range(min(demand[e], len(candidates)) + 1)
                        for combo in itertools.combinations(candidates, size)])
    best = None
    best_spread_by_size: dict[int, int] = {}
    for choice in itertools.product(*options):
        load = base.copy()
        score = 0
        for e, judges in enumerate(choice):
            for j in judges:
                load[j] += 1
                score += bonus[e, j]
        if any(load[j] > cap[j] and load[j] > base[j] for j in range(m)):
            continue
        size = int(load.sum() - base.sum())
        spread = int(load.max() - load.min())
        best_spread_by_size[size] = min(best_spread_by_size.get(size, spread), spread)
        key = (size, -int((load * load).sum()), int(score))
        if best is None or key > best:
            best = key
    return best, best_spread_by_size[best[0]]


@st.composite
def instances(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 4))
    k = draw(st.integers(1, 2))
    allowed = np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)), dtype=bool).reshape(n, m)
    bonus = np.array(draw(st.lists(st.integers(0, 2), min_size=n * m, max_size=n * m)), dtype=np.int64).reshape(n, m)
    demand = np.array(draw(st.lists(st.integers(0, k), min_size=n, max_size=n)), dtype=np.int64)
    base = np.array(draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)), dtype=np.int64)
    cap = np.array(draw(st.lists(st.one_of(st.just(NO_MAX_LOAD), st.integers(0, 4)), min_size=m, max_size=m)),
                   dtype=np.int64)
    return allowed, bonus, demand, base, cap


@settings(max_examples=60, deadline=None)
@given(instances())
def test_solver_matches_exhaustive_search(instance):
    allowed, bonus, demand, base, cap = instance
    entries, judges = candidate_arcs(allowed, bonus)
    solution = solve_assignment(demand=demand, base_load=base, max_load=cap, arc_entries=entries,
                                arc_judges=judges, arc_bonus=bonus[entries, judges])
    load = base.copy()
    np.add.at(load, solution.judges, 1)
    pairs = list(zip(solution.entries.tolist(), solution.judges.tolist(), strict=True))

    # Feasible: allowed pairs only, distinct, demand and maxima respected.
    assert all(allowed[e, j] for e, j in pairs)
    assert len(set(pairs)) == len(pairs)
    assert (np.bincount(solution.entries, minlength=len(demand)) <= demand).all()
    new = np.bincount(solution.judges, minlength=len(base))
    assert all(load[j] <= cap[j] for j in range(len(base)) if new[j])

    (size, neg_squares, score), best_spread = exhaustive(allowed, bonus, demand, base, cap)
    assert len(pairs) == size
    assert -int((load * load).sum()) == neg_squares
    assert int(sum(bonus[e, j] for e, j in pairs)) == score
    if best_spread <= 1:
        assert load.max() - load.min() <= 1
