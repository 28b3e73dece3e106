"""DESIGN §3 on hand-made cases with known answers."""

from __future__ import annotations

import statistics
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from app.extensions import db
from app.services.results.outcomes import final_ranking
from app.services.results.ranking import half_up, rank_round
from app.services.setup import contests
from tests import factories
from tests.results_helpers import judge, one_criterion_round, review, reviews


@pytest.fixture
def setup(app):
    contest = factories.contest(nominations=2)
    return contest


def _scores(ranking):
    return {row.number: row.score for row in ranking.rows}


def _order(ranking):
    return [row.number for row in ranking.rows]


def test_rank_round_mean_is_exact(setup):
    round_ = one_criterion_round(setup)
    j1, j2, j3 = judge(round_), judge(round_), judge(round_)
    a = factories.entry(setup, rounds=[round_])
    b = factories.entry(setup, rounds=[round_])
    reviews(round_, a, [j1, j2, j3], [70], [80], [81])
    reviews(round_, b, [j1, j2], [90], [20])
    ranking = rank_round(round_)
    assert _scores(ranking) == {a.number: Fraction(231, 3), b.number: Fraction(55)}
    assert _order(ranking) == [a.number, b.number]
    assert ranking.rows[0].display_score == Decimal("77.00")
    assert [row.rank for row in ranking.rows] == [1, 2]


def test_rank_round_median_odd_and_even(setup):
    round_ = one_criterion_round(setup, method="median")
    judges = [judge(round_) for _ in range(4)]
    odd = factories.entry(setup, rounds=[round_])
    even = factories.entry(setup, rounds=[round_])
    reviews(round_, odd, judges[:3], [10], [90], [40])
    reviews(round_, even, judges, [10], [90], [40], [51])
    assert _scores(rank_round(round_)) == {odd.number: Fraction(40), even.number: Fraction(91, 2)}


def test_rank_round_median_of_two_equal_totals(setup):
    round_ = one_criterion_round(setup, method="median")
    j1, j2 = judge(round_), judge(round_)
    entry = factories.entry(setup, rounds=[round_])
    reviews(round_, entry, [j1, j2], [33], [33])
    assert _scores(rank_round(round_)) == {entry.number: Fraction(33)}


def test_rank_round_trimmed_drops_one_highest_and_lowest(setup):
    round_ = one_criterion_round(setup, method="trimmed")
    judges = [judge(round_) for _ in range(5)]
    five = factories.entry(setup, rounds=[round_])
    three = factories.entry(setup, rounds=[round_])
    two = factories.entry(setup, rounds=[round_])
    reviews(round_, five, judges, [0], [100], [100], [50], [60])
    reviews(round_, three, judges[:3], [10], [20], [99])
    reviews(round_, two, judges[:2], [10], [99])
    assert _scores(rank_round(round_)) == {
        five.number: Fraction(210, 3), three.number: Fraction(20), two.number: Fraction(109, 2),
    }


def test_rank_round_zscore_with_a_judge_of_zero_spread(setup):
    round_ = one_criterion_round(setup, method="zscore")
    j1, j2, j3 = judge(round_), judge(round_), judge(round_)
    e1, e2, e3 = (factories.entry(setup, rounds=[round_]) for _ in range(3))
    # j1: 80, 60 (μ 70, σ 10); j2: 50, 50 (σ 0 → z 0); j3: 90, 70 (μ 80, σ 10)
    review(round_, e1, j1, [80])
    review(round_, e2, j1, [60])
    review(round_, e1, j2, [50])
    review(round_, e3, j2, [50])
    review(round_, e2, j3, [90])
    review(round_, e3, j3, [70])
    totals = [80, 60, 50, 50, 90, 70]
    mu, sigma = statistics.fmean(totals), statistics.pstdev(totals)
    expected = {e1.number: mu + sigma * 0.5, e2.number: mu, e3.number: mu - sigma * 0.5}
    ranking = rank_round(round_)
    assert _order(ranking) == [e1.number, e2.number, e3.number]
    for number, score in _scores(ranking).items():
        assert score == pytest.approx(expected[number], abs=1e-9)
    assert ranking.rows[0].display_score == Decimal("74.12")


def test_rank_round_zscore_all_totals_equal_scores_the_mean(setup):
    round_ = one_criterion_round(setup, method="zscore")
    j1, j2 = judge(round_), judge(round_)
    a = factories.entry(setup, rounds=[round_])
    b = factories.entry(setup, rounds=[round_])
    reviews(round_, a, [j1, j2], [40], [40])
    reviews(round_, b, [j1, j2], [40], [40])
    assert _scores(rank_round(round_)) == {a.number: 40.0, b.number: 40.0}


def test_rank_round_exact_tie_where_floats_would_differ(setup):
    # 0.1 + 0.2 over two reviews is 0.15 exactly; in binary floats it is 0.15000000000000002.
    round_ = one_criterion_round(setup, weight="0.05", high=10)
    j1, j2 = judge(round_), judge(round_)
    early = factories.entry(setup, rounds=[round_], submitted_at=factories.NOW - timedelta(hours=1))
    late = factories.entry(setup, rounds=[round_], submitted_at=factories.NOW)
    reviews(round_, late, [j1, j2], [2], [4])
    reviews(round_, early, [j1, j2], [3], [3])
    ranking = rank_round(round_)
    assert ranking.rows[0].score == ranking.rows[1].score == Fraction(3, 20)
    assert _order(ranking) == [early.number, late.number]


def _tie_round(contest):
    round_ = factories.round_(contest, criteria=[("a", "1", 0, 10), ("b", "2", 0, 10), ("c", "1", 0, 10)])
    contests.set_tie_breaks(round_, [round_.criteria[1], round_.criteria[0]])
    db.session.commit()
    return round_


def test_rank_round_tie_broken_by_first_tie_break_criterion(setup):
    round_ = _tie_round(setup)
    j1 = judge(round_)
    x = factories.entry(setup, rounds=[round_])
    y = factories.entry(setup, rounds=[round_])
    review(round_, x, j1, [6, 1, 6])  # total 14, b → 2
    review(round_, y, j1, [2, 5, 2])  # total 14, b → 10
    assert _order(rank_round(round_)) == [y.number, x.number]


def test_rank_round_tie_broken_by_second_tie_break_criterion(setup):
    round_ = _tie_round(setup)
    j1 = judge(round_)
    x = factories.entry(setup, rounds=[round_])
    y = factories.entry(setup, rounds=[round_])
    review(round_, x, j1, [3, 4, 5])  # total 16, b → 8, a → 3
    review(round_, y, j1, [5, 4, 3])  # total 16, b → 8, a → 5
    ranking = rank_round(round_)
    assert _order(ranking) == [y.number, x.number]
    assert ranking.rows[0].tie_values == (Fraction(8), Fraction(5))


def test_rank_round_tie_broken_by_submission_time_then_number(setup):
    round_ = _tie_round(setup)
    j1 = judge(round_)
    moment = factories.NOW
    first = factories.entry(setup, rounds=[round_], submitted_at=moment)
    second = factories.entry(setup, rounds=[round_], submitted_at=moment)
    earliest = factories.entry(setup, rounds=[round_], submitted_at=moment - timedelta(seconds=1))
    for entry in (second, first, earliest):
        review(round_, entry, j1, [4, 4, 4])
    assert _order(rank_round(round_)) == [earliest.number, first.number, second.number]


def test_rank_round_tie_break_uses_mean_over_reviews(setup):
    round_ = _tie_round(setup)
    j1, j2 = judge(round_), judge(round_)
    x = factories.entry(setup, rounds=[round_])
    y = factories.entry(setup, rounds=[round_])
    # Both totals average 11; b (w 2) means: x (6 + 6)/2 = 6, y (4 + 8)/2 = 6; a means: x 1, y 1.5
    reviews(round_, x, [j1, j2], [0, 3, 4], [2, 3, 4])
    reviews(round_, y, [j1, j2], [1, 2, 6], [2, 4, 1])
    ranking = rank_round(round_)
    assert [row.score for row in ranking.rows] == [Fraction(11), Fraction(11)]
    assert [row.tie_values for row in ranking.rows] == [(Fraction(6), Fraction(3, 2)), (Fraction(6), Fraction(1))]
    assert _order(ranking) == [y.number, x.number]


def test_rank_round_unrated_listed_last_without_rank(setup):
    round_ = one_criterion_round(setup)
    j1 = judge(round_)
    unrated = factories.entry(setup, rounds=[round_], submitted_at=factories.NOW - timedelta(days=1))
    low = factories.entry(setup, rounds=[round_])
    high = factories.entry(setup, rounds=[round_])
    review(round_, low, j1, [1])
    review(round_, high, j1, [2])
    review(round_, unrated, j1, [100], status="draft")
    ranking = rank_round(round_)
    assert _order(ranking) == [high.number, low.number, unrated.number]
    assert [row.rank for row in ranking.rows] == [1, 2, None]
    assert ranking.rows[2].unrated and ranking.rows[2].score is None
    assert not ranking.rows[2].can_advance


def test_rank_round_per_nomination_and_overall(setup):
    round_ = one_criterion_round(setup)
    j1 = judge(round_)
    n1, n2 = setup.nominations
    a = factories.entry(setup, rounds=[round_], nomination=n2)
    b = factories.entry(setup, rounds=[round_], nomination=n1)
    c = factories.entry(setup, rounds=[round_], nomination=n1)
    review(round_, a, j1, [90])
    review(round_, b, j1, [50])
    review(round_, c, j1, [70])
    ranking = rank_round(round_)
    assert [(row.number, row.rank) for row in ranking.rows] == [(c.number, 1), (b.number, 2), (a.number, 1)]
    overall = rank_round(round_, overall=True)
    assert [(row.number, row.rank) for row in overall.rows] == [(a.number, 1), (c.number, 2), (b.number, 3)]


def test_rank_round_pass_mark_marks_entries_below_it(setup):
    round_ = one_criterion_round(setup, pass_mark=Decimal("60"))
    j1 = judge(round_)
    at = factories.entry(setup, rounds=[round_])
    below = factories.entry(setup, rounds=[round_])
    review(round_, at, j1, [60])
    review(round_, below, j1, [59])
    rows = {row.number: row for row in rank_round(round_).rows}
    assert not rows[at.number].below_pass_mark and rows[at.number].can_advance
    assert rows[below.number].below_pass_mark and not rows[below.number].can_advance


def test_rank_round_disagreement_flag_at_threshold(setup):
    round_ = one_criterion_round(setup, disagreement_threshold=Decimal("30"))
    j1, j2 = judge(round_), judge(round_)
    at = factories.entry(setup, rounds=[round_])
    under = factories.entry(setup, rounds=[round_])
    reviews(round_, at, [j1, j2], [40], [70])
    reviews(round_, under, [j1, j2], [40], [69])
    rows = {row.number: row for row in rank_round(round_).rows}
    assert rows[at.number].flagged and rows[at.number].spread == Decimal(30)
    assert not rows[under.number].flagged and rows[under.number].spread == Decimal(29)


def test_rank_round_disagreement_default_threshold_is_30_percent_of_maximum(setup):
    round_ = one_criterion_round(setup, weight="2", high=10)  # maximum 20, threshold 6
    j1, j2 = judge(round_), judge(round_)
    flagged = factories.entry(setup, rounds=[round_])
    calm = factories.entry(setup, rounds=[round_])
    reviews(round_, flagged, [j1, j2], [2], [5])
    reviews(round_, calm, [j1, j2], [2], [4])
    rows = {row.number: row for row in rank_round(round_).rows}
    assert (rows[flagged.number].flagged, rows[calm.number].flagged) == (True, False)


def test_rank_round_disagreement_not_flagged_when_every_total_below_pass_mark(setup):
    round_ = one_criterion_round(setup, pass_mark=Decimal("60"), disagreement_threshold=Decimal("20"))
    j1, j2 = judge(round_), judge(round_)
    all_below = factories.entry(setup, rounds=[round_])
    one_above = factories.entry(setup, rounds=[round_])
    reviews(round_, all_below, [j1, j2], [10], [59])
    reviews(round_, one_above, [j1, j2], [10], [60])
    rows = {row.number: row for row in rank_round(round_).rows}
    assert rows[all_below.number].flagged is False
    assert rows[one_above.number].flagged is True


def test_rank_round_drafts_never_count(setup):
    round_ = one_criterion_round(setup)
    j1, j2 = judge(round_), judge(round_)
    entry = factories.entry(setup, rounds=[round_])
    review(round_, entry, j1, [50])
    review(round_, entry, j2, [0], status="draft")
    row = rank_round(round_).rows[0]
    assert (row.score, row.reviews, row.spread) == (Fraction(50), 1, Decimal(0))


def test_rank_round_only_entries_in_the_round(setup):
    round_ = one_criterion_round(setup)
    other = factories.entry(setup)
    inside = factories.entry(setup, rounds=[round_])
    assert _order(rank_round(round_)) == [inside.number]
    assert other.number not in _order(rank_round(round_))


@pytest.mark.parametrize(("low", "high", "shown"), [(267, 268, "2.68"), (266, 267, "2.67"), (100, 101, "1.01")])
def test_display_score_rounds_half_up(setup, low, high, shown):
    round_ = one_criterion_round(setup, weight="0.01", high=1000)
    j1, j2 = judge(round_), judge(round_)
    entry = factories.entry(setup, rounds=[round_])
    reviews(round_, entry, [j1, j2], [low], [high])
    row = rank_round(round_).rows[0]
    assert row.display_score == Decimal(shown)


def test_binary_float_rounding_would_fail():
    assert round(2.675, 2) == 2.67  # why scores are exact fractions until shown


def test_half_up_of_fractions_and_floats():
    assert half_up(Fraction(2675, 1000)) == Decimal("2.68")
    assert half_up(Fraction(2665, 1000)) == Decimal("2.67")
    assert half_up(Fraction(1, 3)) == Decimal("0.33")
    assert half_up(Fraction(-2675, 1000)) == Decimal("-2.68")
    assert half_up(2.675) == Decimal("2.68")
    assert half_up(None) is None


def test_final_score_over_two_rounds(setup):
    first = factories.round_(setup, key="first", criteria=[("p", "1", 0, 100)], weight=Decimal("0.7"))
    second = factories.round_(setup, key="second", criteria=[("q", "1", 0, 10), ("r", "2", 0, 10)],
                              weight=Decimal("0.3"))
    j1 = judge(first)
    j2 = judge(second)
    finalist = factories.entry(setup, rounds=[first, second])
    other = factories.entry(setup, rounds=[first, second])
    only_first = factories.entry(setup, rounds=[first])
    review(first, finalist, j1, [80])
    review(first, other, j1, [90])
    review(first, only_first, j1, [100])
    review(second, finalist, j2, [8, 8])  # 24 of 30
    review(second, other, j2, [5, 5])  # 15 of 30
    ranking = final_ranking(setup)
    # finalist: 0.7·80 + 0.3·100·24/30 = 80; other: 0.7·90 + 0.3·100·15/30 = 78
    assert [(row.number, row.score, row.rank) for row in ranking.rows] == [
        (finalist.number, Fraction(80), 1), (other.number, Fraction(78), 2)]


def test_final_score_none_without_round_weights(setup):
    one_criterion_round(setup)
    assert final_ranking(setup) is None


def _ranked(entry_id, score, *, tie=None, nomination=(1, 1), minutes=0):
    from app.services.results.ranking import RankedEntry

    return RankedEntry(entry_id=entry_id, number=entry_id, title="", organisation="",
                       nomination_id=nomination[1], nomination_position=nomination[0],
                       submitted_at=factories.NOW + timedelta(minutes=minutes),
                       reviews=0 if score is None else 1, score=score, tie_values=tie)


def test_order_entries_tells_apart_scores_whose_floats_are_equal():
    from app.services.results.ranking import order_entries

    one = Fraction(1)
    above = Fraction(10**17 + 1, 10**17)
    assert float(above) == float(one) and above > one
    rows = [_ranked(1, one, tie=(Fraction(5),)), _ranked(2, above, tie=(Fraction(0),), minutes=5)]
    assert [row.entry_id for row in order_entries(rows, overall=True)] == [2, 1]
    assert [row.rank for row in rows] == [2, 1]


def test_order_entries_ties_equal_values_held_in_different_objects():
    from app.services.results.ranking import order_entries

    # Equal scores that are not one shared object still tie, and fall to the tie-break value.
    rows = [_ranked(1, Fraction(1, 2), tie=(Fraction(1),)), _ranked(2, Fraction(2, 4), tie=(Fraction(3, 2),)),
            _ranked(3, Fraction(1, 3), tie=(Fraction(9),)), _ranked(4, None, tie=(Fraction(9),), minutes=-5)]
    ordered = order_entries(rows, overall=True)
    assert [row.entry_id for row in ordered] == [2, 1, 3, 4]
    assert [row.rank for row in ordered] == [1, 2, 3, None]


def test_order_entries_reads_tie_values_for_tied_rows_only_and_ranks_per_nomination():
    from app.services.results.ranking import order_entries

    first, second = (1, 10), (2, 20)
    rows = [_ranked(1, 0.5, nomination=second), _ranked(2, 0.5, nomination=first, minutes=1),
            _ranked(3, 0.5000000000001, nomination=first), _ranked(4, 0.7, nomination=first)]
    asked = []

    def load(needed):
        asked.append(sorted(row.entry_id for row in needed))
        for row in needed:
            row.tie_values = (Fraction(row.entry_id),)

    ordered = order_entries(rows, overall=False, load_ties=load)
    # Only 2 and 3 tie (z-scores equal to nine places, same nomination); entry 3's tie value wins.
    assert asked == [[2, 3]]
    assert [(row.entry_id, row.rank) for row in ordered] == [(4, 1), (3, 2), (2, 3), (1, 1)]


def test_rank_round_zscore_on_a_scale_of_a_hundred_million(setup):
    # Issue #25: Σ total² in hundredths passes 2⁶³ here; the variance must stay exact, not wrap.
    round_ = one_criterion_round(setup, method="zscore", high=10**8)
    judge_a, judge_b = judge(round_), judge(round_)
    entries = [factories.entry(setup, rounds=[round_]) for _ in range(3)]
    for entry, score_a, score_b in zip(entries, (10, 50, 90), (20, 40, 60), strict=True):
        review(round_, entry, judge_a, [score_a * 10**6])
        review(round_, entry, judge_b, [score_b * 10**6])
    ranking = rank_round(round_)
    shown = {row.number: row.display_score for row in ranking.rows}
    assert shown == {entries[0].number: Decimal("12789753.18"), entries[1].number: Decimal("45000000.00"),
                     entries[2].number: Decimal("77210246.82")}
    assert _order(ranking) == [entries[2].number, entries[1].number, entries[0].number]
