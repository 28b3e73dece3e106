"""Rank uncertainty: plausible places by a bootstrap of the reviews, the judges' offsets included.

Each entry's official score stays the centre. A resample redraws every review of every entry from
the round's pool of review deviations d_r = total_r − quality_e(r) = judge offset + noise (the
additive model of `severity`), the residual part scaled up by √(reviews / degrees of freedom) so
that its spread is not understated (a residual bootstrap, Davison & Hinkley 1997, §6.2.3). An
entry's resampled score is its official score plus the mean of its k redrawn deviations minus the
mean of its k own: who happened to judge it and how they happened to feel is drawn again, which
is the uncertainty a ranking of two or three reviews per entry carries. (The means of k redrawn
deviations come from a table of 65,536 such means drawn once per run — the bootstrap distribution
of the mean, sampled — which cut the draws and sums, most of the time at 10,000 entries, by
two thirds.) Places are then taken per
group (nomination, or the whole round), and the 5th–95th percentile of each entry's place over
the resamples is its interval of plausible places.

Everything is arrays: resamples × reviews draws in batches, sums per entry by one reduceat,
places by one argsort per group.
"""

from __future__ import annotations

import numpy as np

LOW_PERCENTILE = 5
HIGH_PERCENTILE = 95
MEANS_TABLE = 2 ** 16


def place_intervals(scores: np.ndarray, groups: np.ndarray, review_entry: np.ndarray, deviations: np.ndarray,
                    resamples: int, rng: np.random.Generator, batch: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Per entry (rated entries, 0 … E − 1), the (low, high) plausible places within its group.

    `scores[e]`: official score; `groups[e]`: group index; `review_entry[r]`: entry of review r,
    sorted ascending; `deviations[r]`: the review's
    deviation from its entry's quality (scaled as the module docstring says)."""
    n_entries = len(scores)
    n_reviews = len(deviations)
    starts = np.flatnonzero(np.r_[True, review_entry[1:] != review_entry[:-1]])
    present = review_entry[starts]  # entries with reviews (an entry without keeps its score in every resample)
    k = np.diff(np.r_[starts, n_reviews])
    own = np.add.reduceat(deviations, starts) / k
    # The mean of k redrawn deviations, for each k in the round, from a table of MEANS_TABLE such means
    # drawn once: one draw per entry and resample instead of k (three times fewer draws, no sums).
    tables = {}
    for count in np.unique(k):
        picks = rng.integers(0, n_reviews, size=(MEANS_TABLE, int(count)))
        tables[int(count)] = deviations[picks].mean(axis=1)
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    # Entries × resamples, so that each entry's places are contiguous for the percentiles below.
    places = np.empty((n_entries, resamples), dtype=np.int32)
    done = 0
    while done < resamples:
        size = min(batch, resamples - done)
        resampled = np.repeat(scores[None, :], size, axis=0)
        for count, table in tables.items():
            which = present[k == count]
            resampled[:, which] += table[rng.integers(0, MEANS_TABLE, size=(size, len(which)), dtype=np.int32)]
        resampled[:, present] -= own
        # float32 halves what the sorts move; scores differ by far more than its rounding.
        resampled = resampled.astype(np.float32)
        for index in members:
            # Higher score, better place. The default sort (introsort) is twice as fast as a stable one
            # here and as deterministic; exact ties between resampled scores are a measure-zero event.
            order = np.argsort(-resampled[:, index], axis=1)
            ranks = np.empty(order.shape, dtype=np.int32)
            np.put_along_axis(ranks, order, np.arange(1, len(index) + 1, dtype=np.int32)[None, :].repeat(size, axis=0),
                              axis=1)
            places[index, done:done + size] = ranks.T
        done += size
    # The inverted-CDF percentile (the smallest place with at least p % of resamples at or below it)
    # by a partial sort of each entry's places.
    low_k = max(int(np.ceil(LOW_PERCENTILE / 100 * resamples)) - 1, 0)
    high_k = max(int(np.ceil(HIGH_PERCENTILE / 100 * resamples)) - 1, 0)
    parted = np.partition(places, [low_k, high_k], axis=1)
    low, high = parted[:, low_k], parted[:, high_k]
    return low.astype(np.int64), high.astype(np.int64)


def straddling(low: np.ndarray, high: np.ndarray, after_place: int) -> np.ndarray:
    """Indices of the entries (of one group) that could fall on either side of a cut line drawn
    after `after_place`: plausible places reach both above and below it."""
    return np.flatnonzero((low <= after_place) & (high > after_place))
