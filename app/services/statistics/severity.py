"""Judge severity: the additive model score = entry quality + judge offset + noise.

Least squares on all of a round's submitted review totals. The entries' qualities are nuisance
parameters and are eliminated (the "absorption" of a two-way layout without interaction,
Searle, "Linear Models for Unbalanced Data", 1987, §4.4): with N the judges × entries matrix of
review counts, n_j and n_e the judges' and entries' counts and Y_j, Y_e their sums of totals,
    C o = Y_j − N (Y_e / n_e),    C = diag(n_j) − N diag(1 / n_e) Nᵀ,
a judges × judges system (800 × 800 at the largest benchmark). C is singular — an offset common
to all judges cannot be told from the entries' qualities — so the minimum-norm solution by the
pseudo-inverse is taken: the offsets sum to zero within each group of judges linked by shared
entries. Var(ô) = σ² C⁺, σ² = residual sum of squares / (reviews − entries − judges + groups).

Flags, with the numbers that raised them:
- lenient / severe: the offset is at least FLAG_Z standard errors from the median judge's (z =
  (offset − median offset) / its standard error; the median, not the mean, so that one very lenient
  judge does not make the others look severe; by chance alone |z| ≥ 3 happens to about 3 judges in 1,000, and the bar
  rises with the jury's size so that a round of 800 judges does not flag a few by chance: the
  two-sided Bonferroni bound at 5 %), and at least MIN_SHARE of the round's maximum total (a
  difference a council would notice);
- disagreement: the judge's root-mean-square residual — how far their totals are from what the
  model expects of them once their offset is allowed for — is at least DISAGREEMENT_RATIO times the
  round's residual standard deviation, over at least three reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
from scipy import sparse
from scipy.linalg import lapack
from scipy.sparse.csgraph import connected_components

FLAG_Z = 3.0
MIN_SHARE = 0.05
DISAGREEMENT_RATIO = 2.0


@dataclass
class SeverityFit:
    offsets: np.ndarray        # per judge, points above (lenient) or below (severe) the average judge
    errors: np.ndarray         # standard error of each offset (NaN where not estimable)
    counts: np.ndarray         # reviews per judge
    rms: np.ndarray            # root-mean-square residual per judge
    quality: np.ndarray        # per entry, the estimated quality (entries without reviews: NaN)
    residuals: np.ndarray      # per review
    sigma: float               # residual standard deviation
    dof: int                   # residual degrees of freedom
    groups: int                # groups of judges linked by shared entries
    group_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per judge
    flags: list[list[dict]] = field(default_factory=list)  # per judge, why it is flagged


def fit_severity(entry: np.ndarray, judge: np.ndarray, totals: np.ndarray, n_entries: int,
                 n_judges: int, maximum: float = 0.0) -> SeverityFit:
    """`entry[r]`, `judge[r]`: indices of review r; `totals[r]` its total; `maximum` the round's
    maximum total (for the flags' size floor)."""
    reviews = len(totals)
    n_e = np.bincount(entry, minlength=n_entries).astype(np.float64)
    n_j = np.bincount(judge, minlength=n_judges).astype(np.float64)
    y_e = np.bincount(entry, weights=totals, minlength=n_entries)
    y_j = np.bincount(judge, weights=totals, minlength=n_judges)
    counts = sparse.csr_matrix((np.ones(reviews), (judge, entry)), shape=(n_judges, n_entries))
    inverse_n_e = np.divide(1.0, n_e, out=np.zeros(n_entries), where=n_e > 0)
    system = (sparse.diags(n_j) - counts @ sparse.diags(inverse_n_e) @ counts.T).toarray()
    rhs = y_j - counts @ (y_e * inverse_n_e)
    # Judges linked through shared entries form groups; each group's mean offset is not estimable.
    link = sparse.csr_matrix((np.ones(reviews), (judge, entry + n_judges)), shape=(n_judges + n_entries,) * 2)
    _, labels = connected_components(link, directed=False)
    _found, group_of = np.unique(labels[:n_judges], return_inverse=True)
    groups = len(np.unique(group_of[n_j > 0]))
    pseudo = _pseudo_inverse(system, group_of)
    offsets = pseudo @ rhs
    quality = np.divide(y_e - np.bincount(entry, weights=offsets[judge], minlength=n_entries), n_e,
                        out=np.full(n_entries, np.nan), where=n_e > 0)
    residuals = totals - quality[entry] - offsets[judge]
    dof = int(reviews - np.count_nonzero(n_e) - np.count_nonzero(n_j) + groups)
    sigma = float(np.sqrt(residuals @ residuals / dof)) if dof > 0 else float("nan")
    diagonal = np.diag(pseudo)
    variances = np.clip(diagonal, 0.0, None) * sigma ** 2
    errors = np.where((n_j > 0) & (diagonal > 1e-12), np.sqrt(variances), np.nan)
    rms = np.sqrt(np.divide(np.bincount(judge, weights=residuals ** 2, minlength=n_judges), n_j,
                            out=np.zeros(n_judges), where=n_j > 0))
    fit = SeverityFit(offsets=offsets, errors=errors, counts=n_j.astype(np.int64), rms=rms, quality=quality,
                      residuals=residuals, sigma=sigma, dof=dof, groups=groups, group_of=group_of)
    fit.flags = flag_judges(fit, maximum)
    return fit


def _pseudo_inverse(system: np.ndarray, group_of: np.ndarray) -> np.ndarray:
    """C⁺ of the judges' system C, whose null space is spanned by the groups' indicator vectors:
    with P the projection on that null space (Σ_g 1_g 1_gᵀ / n_g), C + P is positive definite and
    (C + P)⁻¹ = C⁺ + P. A Cholesky inverse of C + P is several times cheaper than the eigenvalue
    decomposition np.linalg.pinv uses (800 judges, one BLAS thread: 0.045 s against 0.32 s of CPU);
    the pseudo-inverse stays the fallback should the factorisation fail."""
    sizes = np.bincount(group_of)
    projection = (group_of[:, None] == group_of[None, :]) / sizes[group_of][:, None]
    factor, info = lapack.dpotrf(system + projection, lower=False)
    if info == 0:
        inverse, info = lapack.dpotri(factor, lower=False)
    if info != 0:
        return np.linalg.pinv(system, hermitian=True)
    inverse = np.triu(inverse) + np.triu(inverse, 1).T
    return inverse - projection


def flag_bar(judges: int) -> float:
    """The |z| that flags an offset: FLAG_Z, or the two-sided Bonferroni bound at 5 % for this many
    judges when that is higher (about 4.0 for 800 judges)."""
    return max(FLAG_Z, NormalDist().inv_cdf(1 - 0.025 / max(judges, 1)))


def flag_judges(fit: SeverityFit, maximum: float = 0.0) -> list[list[dict]]:
    """Per judge, the reasons it is flagged (empty when not), each with the numbers that raised it.
    `maximum`: the round's maximum total (offsets smaller than MIN_SHARE of it are not flagged)."""
    flags: list[list[dict]] = [[] for _ in fit.offsets]
    active = (fit.counts > 0) & ~np.isnan(fit.errors)
    if active.sum() < 3:
        return flags
    bar = flag_bar(int(active.sum()))
    least = MIN_SHARE * maximum
    median = float(np.median(fit.offsets[active]))
    for index in np.flatnonzero(active):
        offset, error = float(fit.offsets[index]), float(fit.errors[index])
        beyond = offset - median
        z = beyond / error if error > 0 else 0.0
        if abs(z) >= bar and abs(beyond) >= least:
            flags[index].append({"reason": "lenient" if beyond > 0 else "severe", "offset": round(offset, 2),
                                 "beyond": round(beyond, 2), "median": round(median, 2), "error": round(error, 2),
                                 "z": round(z, 1), "bar": round(bar, 1)})
        ratio = float(fit.rms[index]) / fit.sigma if fit.sigma > 0 else 0.0
        if ratio >= DISAGREEMENT_RATIO and fit.counts[index] >= 3:
            flags[index].append({"reason": "disagreement", "rms": round(float(fit.rms[index]), 2),
                                 "sigma": round(fit.sigma, 2), "ratio": round(ratio, 1)})
    return flags


def zscore_corrections(judge: np.ndarray, totals: np.ndarray, n_judges: int) -> tuple[np.ndarray, np.ndarray]:
    """Per judge, the mean signed and the mean absolute change the z-score method (DESIGN §3.2)
    makes to their totals: μ + σ (T − μ_j)/σ_j − T, with μ_j, σ_j the judge's mean and population
    standard deviation (a review's z is 0 where σ_j = 0), μ, σ the round's."""
    n_j = np.bincount(judge, minlength=n_judges).astype(np.float64)
    mean_j = np.divide(np.bincount(judge, weights=totals, minlength=n_judges), n_j,
                       out=np.zeros(n_judges), where=n_j > 0)
    square_j = np.divide(np.bincount(judge, weights=totals ** 2, minlength=n_judges), n_j,
                         out=np.zeros(n_judges), where=n_j > 0)
    sd_j = np.sqrt(np.clip(square_j - mean_j ** 2, 0.0, None))
    sd_r = sd_j[judge]
    z = np.divide(totals - mean_j[judge], sd_r, out=np.zeros_like(totals), where=sd_r > 1e-12)
    corrected = totals.mean() + totals.std() * z
    change = corrected - totals
    signed = np.divide(np.bincount(judge, weights=change, minlength=n_judges), n_j, out=np.zeros(n_judges),
                       where=n_j > 0)
    absolute = np.divide(np.bincount(judge, weights=np.abs(change), minlength=n_judges), n_j,
                         out=np.zeros(n_judges), where=n_j > 0)
    return signed, absolute
