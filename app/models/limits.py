"""The numeric limits of a contest's set-up, written once.

The columns are declared from these numbers, and the set-up forms, the set-up rules
(`services.setup.rules`) and the importer (`services.exchange.validation`) check against them, so
a value the forms or an import accept always fits its column: on PostgreSQL, which refuses what
does not fit, as on SQLite, which would store it anyway.
"""

from __future__ import annotations

from decimal import Decimal


def _largest(digits: int, places: int) -> Decimal:
    """The largest value of a NUMERIC(digits, places) column with two decimals used: 9…9.99."""
    return Decimal(10) ** (digits - places) - Decimal("0.01")


# Weights of criteria and of rounds (DESIGN §3: above zero, two decimals): NUMERIC(6, 2).
WEIGHT_DIGITS, WEIGHT_PLACES = 6, 2
WEIGHT_MAX = _largest(WEIGHT_DIGITS, WEIGHT_PLACES)  # 9999.99

# Scale bounds and scores: whole numbers in a 32-bit INTEGER column (symmetric, so a scale may be
# turned around without leaving the range).
SCORE_MAX = 2**31 - 1
SCORE_MIN = -SCORE_MAX

# A review's total Σ w·s: NUMERIC(14, 4). Weights have two decimals and scores none, so a total
# has two: the most it can be is 9,999,999,999.99 either way. The set-up refuses a round whose
# highest or lowest possible total (Σ w·max, Σ w·min) lies beyond it.
TOTAL_DIGITS, TOTAL_PLACES = 14, 4
TOTAL_MAX = _largest(TOTAL_DIGITS, TOTAL_PLACES)

# Points set by the organiser, compared with totals: the pass mark and the disagreement threshold,
# NUMERIC(12, 2) (0 … 9,999,999,999.99, as far as a total reaches).
POINTS_DIGITS, POINTS_PLACES = 12, 2
POINTS_MAX = _largest(POINTS_DIGITS, POINTS_PLACES)

# Reviews per entry in a round, and the most entries one judge may be given.
REVIEWS_PER_ENTRY_MAX = 50
MAX_LOAD_MAX = 100_000
