"""Disagreement between judges (DESIGN §3.6): spread, threshold, pass mark, one query."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db
from app.models import Review
from app.services.results.disagreement import disagreement_rows, flagged_entry_ids
from tests import factories
from tests import scoring_helpers as sh


def _round(**options):
    contest = factories.contest()
    # one criterion, weight 1, scale 0–100: a review's total is its score
    return contest, factories.round_(contest, criteria=[("points", "1", 0, 100)], **options)


def _entry_with_totals(contest, round_, *totals, status="submitted"):
    entry = factories.entry(contest, rounds=[round_])
    for total in totals:
        judge = sh.judge(round_)
        db.session.add(Review(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, status=status,
                              total=Decimal(str(total)), submitted_at=factories.NOW, updated_at=factories.NOW))
    db.session.commit()
    return entry


def test_spread_at_threshold_is_flagged(app):
    contest, round_ = _round(disagreement_threshold=Decimal("30"))
    at = _entry_with_totals(contest, round_, 40, 70)
    below = _entry_with_totals(contest, round_, 40, "69.99")
    assert flagged_entry_ids(round_) == [at.id]
    rows = {row.entry_id: row for row in disagreement_rows(round_)}
    assert (rows[at.id].spread, rows[below.id].spread) == (Decimal("30"), Decimal("29.99"))


def test_fractional_spread_compared_exactly(app):
    contest, round_ = _round(disagreement_threshold=Decimal("30.42"))
    exact = _entry_with_totals(contest, round_, "43.21", "73.63")
    assert flagged_entry_ids(round_) == [exact.id]


def test_every_total_below_pass_mark_is_not_flagged(app):
    contest, round_ = _round(disagreement_threshold=Decimal("30"), pass_mark=Decimal("60"))
    low = _entry_with_totals(contest, round_, 5, "59.99")
    one_passes = _entry_with_totals(contest, round_, 10, 60)
    assert flagged_entry_ids(round_) == [one_passes.id]
    rows = {row.entry_id: row for row in disagreement_rows(round_)}
    assert (rows[low.id].all_below_pass_mark, rows[one_passes.id].all_below_pass_mark) == (True, False)


def test_default_threshold_is_30_percent_of_maximum(app):
    contest, round_ = _round()  # maximum 100
    assert round_.effective_disagreement_threshold == Decimal("30")
    flagged = _entry_with_totals(contest, round_, 20, 50)
    _entry_with_totals(contest, round_, 20, 49)
    assert flagged_entry_ids(round_) == [flagged.id]


def test_drafts_do_not_count(app):
    contest, round_ = _round(disagreement_threshold=Decimal("30"))
    entry = _entry_with_totals(contest, round_, 10)
    judge = sh.judge(round_)
    db.session.add(Review(round_id=round_.id, entry_id=entry.id, judge_id=judge.id, status="draft",
                          total=Decimal(90), updated_at=factories.NOW))
    db.session.commit()
    [row] = disagreement_rows(round_)
    assert (row.reviews, row.spread, row.flagged) == (1, Decimal(0), False)


def test_rows_are_one_query(app, count_queries):
    contest, round_ = _round(disagreement_threshold=Decimal("30"))
    for low in range(5):
        _entry_with_totals(contest, round_, low, low + 40, low + 10)
    db.session.refresh(round_)  # the round itself is loaded by the caller
    with count_queries() as counter:
        rows = disagreement_rows(round_)
    assert (len(rows), counter.count) == (5, 1)
    assert [row.reviews for row in rows] == [3] * 5
