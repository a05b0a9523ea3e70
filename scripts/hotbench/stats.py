"""Statistics for comparing two sets of repetitions (numpy and the standard library only; no scipy).

Summaries
    `summary(values)`: median, min, max, mean and cv. cv is the *sample* coefficient of variation,
    stddev with Bessel's correction (ddof=1) divided by the mean, as a fraction (0.05 = 5 %); the same
    definition Google Benchmark 1.7.1 uses for its `_cv` aggregate (which it prints as a percentage).
    It is undefined (None) for fewer than 2 values or a zero mean.

Ratio of medians with a confidence interval
    `ratio_of_medians(a, b)` estimates r = median(b) / median(a) and a two-sided confidence interval
    (95 % by default) by a percentile bootstrap over repetitions:

    1. draw `resamples` (10,000) bootstrap samples of A (n_a values drawn with replacement from A)
       and, independently, of B;
    2. compute median(B*) / median(A*) for each pair of samples;
    3. the interval is the (alpha/2, 1 - alpha/2) empirical quantiles of those ratios, taken as
       order statistics (no interpolation, so infinite ratios from a zero median stay well defined).

    The random generator is numpy's PCG64 seeded with a fixed seed (plus, in `seed_for`, a CRC of the
    benchmark's name so that different benchmarks get independent draws): the same inputs always give
    the same interval.

    Caveats, stated so nobody over-reads the interval: the bootstrap only sees the spread *within*
    the repetitions it is given. With 3-5 repetitions the bootstrap distribution of a median is
    coarse (for n = 5 the 95 % interval of one median is about [min, max]) and under-covers a little;
    and it cannot see process-to-process noise (CPU frequency, neighbours, vCPU placement), which on
    the project's 2-vCPU machine class is far larger: two runs of the same binary a few seconds apart
    gave per-benchmark medians up to 2x apart with intervals that excluded 1.

    Two special cases:
    - when both sides are constant (every repetition identical, as for instruction counts) the
      interval has zero width: [r, r]; `exact` is set. Whether one repetition is enough to trust
      that is the caller's decision (metrics.Metric.deterministic);
    - a zero median: 0/0 counts as a ratio of 1, x/0 as +inf.

Geometric mean of ratios
    `geometric_mean(estimates)`: exp(mean(log r_i)) over benchmarks with a finite, positive ratio; its
    interval comes from the same bootstrap draws: draw k of every benchmark is combined into a
    geometric mean, and the quantiles of those are taken.
"""

import math
import zlib
from dataclasses import dataclass, field

import numpy as np

RESAMPLES = 10_000
SEED = 20261121
CONFIDENCE = 0.95


def median(values) -> float:
    return float(np.median(np.asarray(values, dtype=float)))


def sample_cv(values) -> float | None:
    """Sample stddev (ddof=1) / mean, as a fraction; None when undefined (n < 2 or mean 0)."""
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return None
    mean = float(x.mean())
    if mean == 0:
        return None
    return float(x.std(ddof=1)) / abs(mean)


def summary(values) -> dict:
    x = np.asarray(values, dtype=float)
    return {"median": float(np.median(x)), "min": float(x.min()), "max": float(x.max()),
            "mean": float(x.mean()), "cv": sample_cv(x)}


def is_constant(values, rel_tol: float = 1e-12) -> bool:
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return False
    lo, hi = float(x.min()), float(x.max())
    return hi - lo <= rel_tol * max(abs(lo), abs(hi))


def seed_for(name: str) -> list[int]:
    """A fixed seed per benchmark: independent draws across benchmarks, identical across runs."""
    return [SEED, zlib.crc32(name.encode("utf-8"))]


def _ratio(numerator, denominator):
    """Elementwise numerator / denominator with 0/0 = 1 and x/0 = +inf (values are non-negative)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num / den
    r = np.where((den == 0) & (num == 0), 1.0, r)
    return np.where((den == 0) & (num != 0), math.inf, r)


def _quantile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    s = np.sort(draws)
    alpha = 1.0 - confidence
    lo = int(math.floor(alpha / 2 * s.size))
    hi = int(math.ceil((1 - alpha / 2) * s.size)) - 1
    return float(s[min(max(lo, 0), s.size - 1)]), float(s[min(max(hi, 0), s.size - 1)])


@dataclass(frozen=True)
class RatioEstimate:
    ratio: float  # median(b) / median(a)
    low: float  # confidence interval of the ratio
    high: float
    median_a: float
    median_b: float
    n_a: int
    n_b: int
    exact: bool  # both sides constant: the interval has zero width
    confidence: float
    draws: np.ndarray = field(repr=False, compare=False)  # the bootstrap ratios (for geometric means)


def _bootstrap_medians(x: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, x.size, size=(resamples, x.size))
    return np.median(x[idx], axis=1)


def ratio_of_medians(a, b, confidence: float = CONFIDENCE, resamples: int = RESAMPLES,
                     seed=SEED) -> RatioEstimate:
    """median(b) / median(a) with a percentile-bootstrap confidence interval (see the module doc)."""
    xa = np.asarray(a, dtype=float)
    xb = np.asarray(b, dtype=float)
    if xa.size == 0 or xb.size == 0:
        raise ValueError("ratio_of_medians needs at least one value on each side")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    ma, mb = float(np.median(xa)), float(np.median(xb))
    r = float(_ratio(mb, ma))
    if is_constant(xa) and is_constant(xb):
        return RatioEstimate(r, r, r, ma, mb, xa.size, xb.size, True, confidence, np.full(resamples, r))
    rng = np.random.default_rng(seed)
    draws = _ratio(_bootstrap_medians(xb, resamples, rng), _bootstrap_medians(xa, resamples, rng))
    lo, hi = _quantile_interval(draws, confidence)
    return RatioEstimate(r, lo, hi, ma, mb, xa.size, xb.size, False, confidence, draws)


@dataclass(frozen=True)
class GeometricMean:
    value: float | None  # None when no benchmark has a finite positive ratio
    low: float | None
    high: float | None
    count: int  # benchmarks included
    excluded: int  # benchmarks left out (ratio 0 or infinite)


def geometric_mean(estimates: list[RatioEstimate], confidence: float = CONFIDENCE) -> GeometricMean:
    usable = [e for e in estimates if 0 < e.ratio < math.inf]
    excluded = len(estimates) - len(usable)
    if not usable:
        return GeometricMean(None, None, None, 0, excluded)
    value = math.exp(sum(math.log(e.ratio) for e in usable) / len(usable))
    logs = [np.log(e.draws) for e in usable]
    if any(not np.all(np.isfinite(d)) for d in logs) or len({d.size for d in logs}) != 1:
        return GeometricMean(value, None, None, len(usable), excluded)
    lo, hi = _quantile_interval(np.exp(np.mean(np.vstack(logs), axis=0)), confidence)
    return GeometricMean(value, lo, hi, len(usable), excluded)
