"""The three proposals of DESIGN §3b on hand-made cases, and rule 3 against a brute force."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.funding import rules
from app.services.funding.rules import Candidate, best_set, prepare, propose


def _candidates(*asks, scores=None, requested=None):
    scores = scores or [Fraction(100 - i) for i in range(len(asks))]
    return [Candidate(entry_id=i + 1, place=i + 1, score=scores[i], requested=ask)
            for i, ask in enumerate(asks)]


def _run(rule, candidates, capacity, *, min_grant=None, max_grant=None, cuts=None, objective="score"):
    prepare(candidates, min_grant=min_grant, max_grant=max_grant, cuts=cuts)
    proposal = propose(rule, candidates, capacity, objective=objective)
    return ([c.entry_id for c in proposal.funded], [(c.entry_id, reason) for c, reason in proposal.skipped],
            proposal.left)


def test_strict_order_stops_at_the_first_that_does_not_fit():
    assert _run("strict", _candidates(40, 50, 30, 5), 100) == (
        [1, 2], [(3, rules.DOES_NOT_FIT), (4, rules.NOT_REACHED)], 10)


def test_skip_goes_on_down_the_ranking():
    assert _run("skip", _candidates(40, 50, 30, 5), 100) == ([1, 2, 4], [(3, rules.DOES_NOT_FIT)], 5)


def test_first_entry_does_not_fit():
    cases = _candidates(150, 50, 30)
    assert _run("strict", cases, 100) == ([], [(1, rules.DOES_NOT_FIT), (2, rules.NOT_REACHED),
                                              (3, rules.NOT_REACHED)], 100)
    assert _run("skip", _candidates(150, 50, 30), 100)[0] == [2, 3]
    assert _run("best", _candidates(150, 50, 30), 100)[0] == [2, 3]


def test_exact_fit_funds_everything():
    for rule in rules.RULES:
        assert _run(rule, _candidates(60, 40), 100) == ([1, 2], [], 0)


def test_all_amounts_larger_than_the_fund():
    for rule in rules.RULES:
        funded, skipped, left = _run(rule, _candidates(200, 300), 100)
        assert funded == [] and left == 100 and skipped[0] == (1, rules.DOES_NOT_FIT)


def test_zero_fund_funds_nobody():
    for rule in rules.RULES:
        assert _run(rule, _candidates(10, 20), 0)[0] == []


def test_minimum_and_maximum_grant_and_nothing_requested():
    cases = _candidates(500, 5, None, 50)
    funded, skipped, left = _run("skip", cases, 200, min_grant=10, max_grant=100)
    assert funded == [1, 4] and left == 50
    assert skipped == [(2, rules.BELOW_MINIMUM), (3, rules.NOTHING_REQUESTED)]
    assert cases[0].ask == 100


def test_partial_cut_recomputes_what_is_left():
    # Without the cut, 1 and 2 fill the fund; cutting 1 lets 3 in and leaves the rest.
    assert _run("skip", _candidates(60, 40, 30), 100)[0] == [1, 2]
    assert _run("skip", _candidates(60, 40, 30), 100, cuts={1: 30}) == ([1, 2, 3], [], 0)
    assert _run("skip", _candidates(60, 40, 30), 100, cuts={1: 0})[1] == [(1, rules.CUT_TO_NOTHING)]


def test_best_use_beats_order_and_prefers_better_places_among_equals():
    # Scores 10, 9, 9, 8: asks 60, 50, 50, 40 in a fund of 100. Order gives {1} (10 points);
    # the best sets are {2, 3} and {1, 4}, both 18 points: 1st and 4th beats 2nd and 3rd.
    cases = _candidates(60, 50, 50, 40, scores=[Fraction(10), Fraction(9), Fraction(9), Fraction(8)])
    assert _run("strict", cases, 100)[0] == [1, 4][:1]
    assert _run("best", cases, 100)[0] == [1, 4]


def test_best_use_by_count():
    cases = _candidates(90, 30, 30, 30)
    assert _run("best", cases, 100, objective="count")[0] == [2, 3, 4]


def test_ties_at_the_edge_follow_the_candidate_order():
    # Equal scores: the candidate order (the round's tie-breaks) decides who fits.
    cases = _candidates(60, 50, 50, scores=[Fraction(10), Fraction(9), Fraction(9)])
    assert _run("skip", cases, 110)[0] == [1, 2]
    cases = _candidates(60, 50, 50, scores=[Fraction(10), Fraction(9), Fraction(9)])
    assert _run("best", cases, 110)[0] == [1, 2]


def _brute_force(candidates, capacity, objective):
    values = rules.knapsack_values(candidates, objective)
    best = None
    for size in range(len(candidates) + 1):
        for subset in combinations(range(len(candidates)), size):
            if any(values[i] <= 0 for i in subset):
                continue
            if sum(candidates[i].ask for i in subset) > capacity:
                continue
            key = (-sum(values[i] for i in subset), list(subset))
            if best is None or key < best:
                best = key
    return best[1]


@settings(max_examples=20, deadline=None)
@given(
    items=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 40)), min_size=0, max_size=15),
    capacity=st.integers(0, 120),
    objective=st.sampled_from(rules.OBJECTIVES),
    denominator=st.sampled_from([1, 2, 3, 4]),
)
def test_best_use_equals_brute_force(items, capacity, objective, denominator):
    ordered = sorted(items, key=lambda item: -item[0])
    candidates = [Candidate(entry_id=i + 1, place=i + 1, score=Fraction(score, denominator), requested=ask, ask=ask)
                  for i, (score, ask) in enumerate(ordered)]
    assert best_set(candidates, capacity, objective=objective) == _brute_force(candidates, capacity, objective)
