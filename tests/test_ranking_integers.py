"""The integer-hundredths rules behind the fast ranking: the flag rule in SQL and in Python at its
boundaries, half-up rounding at .005 in integers, and the weighted criterion means of the exports."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.extensions import db
from app.models import Review
from app.services.results import ranking
from app.services.results.disagreement import FlagLimits, disagreement_rows, flag_limits, flagged_entry_ids
from app.services.results.ranking import fraction_half_up, half_up, rank_round, weighted_means_shown
from tests import factories
from tests import results_helpers as rh
from tests import scoring_helpers as sh


def _round(**options):
    contest = factories.contest()
    # one criterion, weight 0.01, scale 0–10000: a review's total is its score in hundredths
    return contest, factories.round_(contest, criteria=[("points", "0.01", 0, 10000)], **options)


def _entry_with_totals(contest, round_, *totals):
    entry = factories.entry(contest, rounds=[round_])
    for total in totals:
        judge = sh.judge(round_)
        db.session.add(Review(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, status="submitted",
                              total=Decimal(str(total)), submitted_at=factories.NOW, updated_at=factories.NOW))
    db.session.commit()
    return entry


def _all_agree(round_, expected_ids):
    """The HAVING clause, the per-row rule and the ranking flag the same entries."""
    assert flagged_entry_ids(round_) == sorted(expected_ids)
    assert sorted(row.entry_id for row in disagreement_rows(round_) if row.flagged) == sorted(expected_ids)
    assert sorted(row.entry_id for row in rank_round(round_).rows if row.flagged) == sorted(expected_ids)


def test_threshold_with_three_decimals_rounds_up_to_whole_hundredths(app):
    # 30 % of a maximum of 33.35 is 10.005: a spread of 10.01 reaches it, 10.00 does not.
    contest, round_ = _round()
    round_.criteria[0].max_score = 3335
    db.session.commit()
    assert round_.effective_disagreement_threshold == Decimal("10.005")
    above = _entry_with_totals(contest, round_, "1.00", "11.01")
    below = _entry_with_totals(contest, round_, "1.00", "11.00")
    _all_agree(round_, [above.id])
    assert below.id not in flagged_entry_ids(round_)


def test_spread_exactly_at_threshold_is_flagged_with_float_storage(app):
    # 0.1 + 0.2 style binary error must not move a spread off the threshold: 20.30 − 0.10 = 20.20.
    contest, round_ = _round(disagreement_threshold=Decimal("20.2"))
    at = _entry_with_totals(contest, round_, "0.1", "20.3")
    short = _entry_with_totals(contest, round_, "0.11", "20.3")
    _all_agree(round_, [at.id])
    assert short.id not in flagged_entry_ids(round_)


def test_pass_mark_boundary(app):
    # Not flagged only when every total is below the pass mark: a maximum exactly at it counts.
    contest, round_ = _round(disagreement_threshold=Decimal("10"), pass_mark=Decimal("50.25"))
    at_mark = _entry_with_totals(contest, round_, "10", "50.25")
    just_below = _entry_with_totals(contest, round_, "10", "50.24")
    _all_agree(round_, [at_mark.id])
    assert just_below.id not in flagged_entry_ids(round_)


def test_flag_limits_round_up():
    limits = FlagLimits(threshold=1001, pass_mark=None)
    assert limits.flagged(0, 1001) and not limits.flagged(0, 1000)
    with_mark = FlagLimits(threshold=1001, pass_mark=5025)
    assert with_mark.flagged(4024, 5025) and not with_mark.flagged(4023, 5024)
    assert FlagLimits(threshold=0, pass_mark=None).flagged(7, 7)


def test_flag_limits_of_a_round(app):
    _contest, round_ = _round(disagreement_threshold=Decimal("12.5"), pass_mark=Decimal("60"))
    assert flag_limits(round_) == FlagLimits(threshold=1250, pass_mark=6000)


@pytest.mark.parametrize(("fraction", "shown"), [
    (Fraction(1, 200), "0.01"),        # exactly .005 rounds up
    (Fraction(-1, 200), "-0.01"),      # and away from zero below zero
    (Fraction(1, 201), "0.00"),
    (Fraction(2675, 1000), "2.68"),
    (Fraction(2665, 1000), "2.67"),
    (Fraction(100499, 1000), "100.50"),
    (Fraction(100495, 1000), "100.50"),
    (Fraction(100494, 1000), "100.49"),
    (Fraction(1, 3), "0.33"),
    (Fraction(2, 3), "0.67"),
    (Fraction(0), "0.00"),
])
def test_integer_half_up_matches_decimal_half_up(fraction, shown):
    assert fraction_half_up(fraction.numerator, fraction.denominator) == Decimal(shown)
    assert str(half_up(fraction)) == shown


def test_integer_half_up_other_places():
    assert fraction_half_up(5, 1000, places=2) == Decimal("0.01")
    assert fraction_half_up(5, 10, places=0) == Decimal("1")
    assert fraction_half_up(12345, 10000, places=3) == Decimal("1.235")


def test_display_score_of_a_mean_at_half_a_hundredth(app):
    # totals 0.01 and 0.00: mean 0.005, shown 0.01
    contest, round_ = _round()
    _entry_with_totals(contest, round_, "0.01", "0")
    row = rank_round(round_).rows[0]
    assert row.score == Fraction(1, 200)
    assert row.display_score == Decimal("0.01")


def test_weighted_means_shown_match_the_breakdown(app):
    contest = factories.contest()
    round_ = factories.round_(contest, criteria=[("a", "0.33", 0, 10), ("b", "1.75", 0, 10), ("c", "2", 0, 10)])
    judges = [sh.judge(round_) for _ in range(3)]
    first = factories.entry(contest, rounds=[round_])
    second = factories.entry(contest, rounds=[round_])
    unrated = factories.entry(contest, rounds=[round_])
    rh.reviews(round_, first, judges, [1, 2, 3], [2, 3, 4], [4, 4, 9])
    rh.reviews(round_, second, judges[:2], [5, 0, 1], [6, 1, 1])
    breakdown = ranking.criterion_breakdown(round_)
    means = weighted_means_shown(round_, list(round_.criteria))
    for entry in (first, second):
        assert means[entry.id] == [breakdown[entry.id, c.id]["weighted_shown"] for c in round_.criteria]
    assert unrated.id not in means
    # a: 0.33 · (1 + 2 + 4) / 3 = 0.77; b: 1.75 · (2 + 3 + 4) / 3 = 5.25
    assert means[first.id][:2] == [Decimal("0.77"), Decimal("5.25")]
    assert weighted_means_shown(round_, list(round_.criteria), [second.id]).keys() == {second.id}
