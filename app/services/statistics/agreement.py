"""Agreement between judges: Krippendorff's alpha, interval metric, for incomplete designs.

Units are the round's entries, coders its judges, values the scores a judge gave (one criterion)
or the review totals. Assignment gives each judge a different subset of entries, which alpha
handles: only *pairable* values count (an entry with at least two submitted reviews).

The point estimate of each criterion comes from the `krippendorff` package. The totals and the
bootstrap use the closed form below, because the package tabulates units × distinct values (at
10,000 entries and a thousand distinct totals that table alone is 80 MB, and a bootstrap would
build it a thousand times); tests check that both agree, and both against Krippendorff's worked
example.

Closed form, from K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), §C with
the interval metric δ²(c, k) = (c − k)²: with n pairable values, and per unit u its m_u values,
their sum S1_u and sum of squares S2_u,
    Σ_{i≠j in u} (v_i − v_j)² = 2 (m_u S2_u − S1_u²),
    D_o = (1/n) Σ_u 2 (m_u S2_u − S1_u²) / (m_u − 1),
    D_e = 2 (n ΣS2 − (ΣS1)²) / (n (n − 1)),
    α = 1 − D_o / D_e.
Every quantity is a sum over units, so a bootstrap over units is a matrix product of how often
each unit was drawn with these per-unit sums (Hayes & Krippendorff 2007 resample pairs; resampling
units is the usual cluster bootstrap and keeps each entry's judges together).
"""

from __future__ import annotations

from dataclasses import dataclass

import krippendorff
import numpy as np

# Krippendorff (2004, "Content Analysis", §11.4): α ≥ .800 to rely on the data, ≥ .667 for tentative
# conclusions. Below .4 we advise acting on the criterion (the reading).
HIGH = 0.8
TENTATIVE = 0.667
LOW = 0.4


@dataclass
class UnitSums:
    """Per unit (entry): pairable count m, sum S1, sum of squares S2, and the observed
    disagreement term 2 (m S2 − S1²)/(m − 1); units with fewer than two values are zero."""

    m: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    do: np.ndarray


def unit_sums(units: np.ndarray, values: np.ndarray, n_units: int) -> UnitSums:
    """`units[i]` is the unit (0 … n_units − 1) of value `values[i]`; NaN values are missing."""
    present = ~np.isnan(values)
    u = units[present]
    v = values[present]
    m = np.bincount(u, minlength=n_units).astype(np.float64)
    s1 = np.bincount(u, weights=v, minlength=n_units)
    s2 = np.bincount(u, weights=v * v, minlength=n_units)
    pairable = m >= 2
    m = np.where(pairable, m, 0.0)
    s1 = np.where(pairable, s1, 0.0)
    s2 = np.where(pairable, s2, 0.0)
    do = np.zeros(n_units)
    # m S2 − S1² is m² times the variance: never negative, but rounding can make it −1e-12.
    do[pairable] = np.maximum(2.0 * (m[pairable] * s2[pairable] - s1[pairable] ** 2), 0.0) / (m[pairable] - 1)
    return UnitSums(m=m, s1=s1, s2=s2, do=do)


def alpha_from_totals(n, s1, s2, do):
    """α from the sums over units (scalars or arrays of the same shape, e.g. one per resample).
    NaN where it is undefined: fewer than two pairable values, or no variation at all."""
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = 2.0 * (n * s2 - s1 * s1)
        result = 1.0 - (n - 1.0) * do / expected
    return np.where((n >= 2) & (expected > 1e-9 * np.maximum(n * s2, 1.0)), result, np.nan)


def interval_alpha(units: np.ndarray, values: np.ndarray, n_units: int) -> float:
    """Krippendorff's interval alpha by the closed form (module docstring); NaN when undefined."""
    sums = unit_sums(units, values, n_units)
    return float(alpha_from_totals(sums.m.sum(), sums.s1.sum(), sums.s2.sum(), sums.do.sum()))


def library_alpha(units: np.ndarray, values: np.ndarray, n_units: int, low: int, high: int) -> float:
    """Interval alpha of integer scores on the scale [low, high] by the `krippendorff` package,
    from a units × values table (small: one column per scale point). NaN when undefined."""
    present = ~np.isnan(values)
    if present.sum() < 2:
        return float("nan")
    width = high - low + 1
    cells = units[present] * width + (values[present].astype(np.int64) - low)
    counts = np.bincount(cells, minlength=n_units * width).reshape(n_units, width)
    counts = counts[counts.sum(axis=1) >= 2]
    if counts.shape[0] == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return float("nan")
    return float(krippendorff.alpha(value_counts=counts, value_domain=np.arange(low, high + 1),
                                    level_of_measurement="interval"))


def bootstrap_alphas(sums: list[UnitSums], n_units: int, resamples: int, rng: np.random.Generator,
                     batch: int = 100) -> np.ndarray:
    """resamples × len(sums) alphas: each resample draws n_units units with replacement (the same
    draw for every criterion), in batches so that memory stays at batch × n_units counts."""
    m = np.stack([s.m for s in sums], axis=1)
    s1 = np.stack([s.s1 for s in sums], axis=1)
    s2 = np.stack([s.s2 for s in sums], axis=1)
    do = np.stack([s.do for s in sums], axis=1)
    out = np.empty((resamples, len(sums)))
    done = 0
    while done < resamples:
        size = min(batch, resamples - done)
        drawn = rng.integers(0, n_units, size=(size, n_units))
        rows = np.repeat(np.arange(size), n_units)
        counts = np.bincount(rows * n_units + drawn.ravel(), minlength=size * n_units).reshape(size, n_units)
        counts = counts.astype(np.float64)
        out[done:done + size] = alpha_from_totals(counts @ m, counts @ s1, counts @ s2, counts @ do)
        done += size
    return out


def reading_band(alpha: float | None) -> str:
    """"high", "tentative", "moderate", "low" or "none" (not enough pairable reviews)."""
    if alpha is None or np.isnan(alpha):
        return "none"
    if alpha >= HIGH:
        return "high"
    if alpha >= TENTATIVE:
        return "tentative"
    if alpha >= LOW:
        return "moderate"
    return "low"
