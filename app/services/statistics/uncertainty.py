"""Rank uncertainty: plausible places by a bootstrap of the reviews, the judges' offsets included.

Each entry's official score stays the centre. A resample redraws every review of every entry from
the round's pool of review deviations d_r = total_r − quality_e(r) = judge offset + noise (the
additive model of `severity`), the residual part scaled up by √(reviews / degrees of freedom) so
that its spread is not understated (a residual bootstrap, Davison & Hinkley 1997, §6.2.3). An
entry's resampled score is its official score plus the mean of its k redrawn deviations minus the
mean of its k own: who happened to judge it and how they happened to feel is drawn again, which
is the uncertainty a ranking of two or three reviews per entry carries. Places are then taken per
group (nomination, or the whole round), and the 5th–95th percentile of each entry's place over
the resamples is its interval of plausible places.

Everything is arrays: resamples × reviews draws in batches, sums per entry by one reduceat,
places by one argsort per group.
"""

from __future__ import annotations

import numpy as np

LOW_PERCENTILE = 5
HIGH_PERCENTILE = 95


def place_intervals(scores: np.ndarray, groups: np.ndarray, review_entry: np.ndarray, deviations: np.ndarray,
                    resamples: int, rng: np.random.Generator, batch: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Per entry (rated entries, 0 … E − 1), the (low, high) plausible places within its group.

    `scores[e]`: official score; `groups[e]`: group index; `review_entry[r]`: entry of review r,
    sorted ascending, every entry with at least one review; `deviations[r]`: the review's
    deviation from its entry's quality (scaled as the module docstring says)."""
    n_entries = len(scores)
    n_reviews = len(deviations)
    starts = np.flatnonzero(np.r_[True, review_entry[1:] != review_entry[:-1]])
    k = np.diff(np.r_[starts, n_reviews]).astype(np.float64)
    own = np.add.reduceat(deviations, starts) / k
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    dtype = np.int32 if n_entries < 2 ** 31 else np.int64
    places = np.empty((resamples, n_entries), dtype=dtype)
    done = 0
    while done < resamples:
        size = min(batch, resamples - done)
        drawn = deviations[rng.integers(0, n_reviews, size=(size, n_reviews))]
        resampled = scores + np.add.reduceat(drawn, starts, axis=1) / k - own
        for index in members:
            # Higher score, better place; equal resampled scores keep the official order (stable sort).
            order = np.argsort(-resampled[:, index], axis=1, kind="stable")
            ranks = np.empty_like(order)
            np.put_along_axis(ranks, order, np.arange(1, len(index) + 1)[None, :].repeat(size, axis=0), axis=1)
            places[done:done + size, index] = ranks
        done += size
    low, high = np.percentile(places, [LOW_PERCENTILE, HIGH_PERCENTILE], axis=0, method="inverted_cdf")
    return low.astype(np.int64), high.astype(np.int64)


def straddling(low: np.ndarray, high: np.ndarray, after_place: int) -> np.ndarray:
    """Indices of the entries (of one group) that could fall on either side of a cut line drawn
    after `after_place`: plausible places reach both above and below it."""
    return np.flatnonzero((low <= after_place) & (high > after_place))
