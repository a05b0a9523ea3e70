"""Statistics for comparing two sets of repetitions (numpy and the standard library only; no scipy).

Summaries
    `summary(values)`: median, min, max, mean and cv. cv is the *sample* coefficient of variation,
    stddev with Bessel's correction (ddof=1) divided by the mean, as a fraction (0.05 = 5 %); the same
    definition Google Benchmark 1.7.1 uses for its `_cv` aggregate (which it prints as a percentage).
    It is undefined (None) for fewer than 2 values or a zero mean.

The ratio B/A with a confidence interval (docs/statistics.md has the full description)
    `ratio_of_medians(a, b, groups_a, groups_b)` works on the logarithms of the values, where a
    benchmark's multiplicative noise is roughly symmetric:

    1. units: with one process per side, each repetition is a unit; when a side ran in several
       processes (`--processes N`, the `process` column), each *process* is a unit, valued at the mean
       log of its repetitions. Repetitions of one process share that process's drift (CPU frequency,
       placement, neighbours), so they are not independent draws; process means are.
    2. B/A is exp(mean log unit of B - mean log unit of A): the ratio of geometric means, the quantity
       the interval is about (for log-normal noise, the ratio of the true medians).
    3. the interval is Welch's t-interval for that difference: half-width t(df) * sqrt(s_a^2/k_a +
       s_b^2/k_b) with Welch-Satterthwaite degrees of freedom, s the sample stddev of the units' logs and k
       their count. When one side has a single process and the other several, the single process has no
       spread of its own: both sides use the several-process side's variance (pooled, df = k - 1).
    4. exponentiated: [low, high] of B/A.

    Its coverage is exact when log values are normal within each unit level, for any n >= 2 units per
    side (a seeded simulation in scripts/tests/test_stats.py measures it: log-normal noise at n = 3, 5,
    10 repetitions, and 2-4 processes x 5 repetitions with between-process drift). The percentile
    bootstrap used before reached only about 90 % at n = 3 (with 3 values the bootstrap median is an
    order statistic: the "95 %" interval was [min/max, max/min]) and could not see process drift at all.

    Special cases:
    - both sides constant (every repetition identical, as for instruction counts): the interval has
      zero width, [r, r]; `exact` is set, r the ratio of the values (0/0 = 1, x/0 = inf);
    - no interval can be built (a side with one unit and no spread on the other side, or values <= 0
      that are not constant): low = 0, high = inf, and `unresolved` says why.

Pairs (`run --paired-with`: two builds run back to back, process by process)
    `paired_ratio(a, b, pairs_a, pairs_b)`: each pair of processes is one unit, valued at the difference
    of its two mean log values; B/A = exp(mean difference) with a paired t-interval (n - 1 df). The
    machine's drift, which dominates two separate samples here, hits both members of a pair and cancels.

Geometric mean of ratios
    `geometric_mean(estimates)`: exp(mean(log r_i)) over benchmarks with a finite, positive ratio; its
    interval is exp(mean log low_i, mean log high_i): the interval the mean would have if every
    benchmark's error went the same way. That is conservative (benchmarks of one run share the machine's
    state, so their errors are correlated, never assumed independent) and the simulation shows it.

Between runs on different machines or days
    `widen(estimate, fraction)` widens an interval by the A/A noise floor f of a benchmark (the 95th
    percentile of |B/A - 1| between runs of the same binary, results/gate-experiment/noise_floor.csv):
    each end moves by the factor 1/(1 - f), which contains every movement up to f either way.
"""

import math
import statistics
from dataclasses import dataclass, replace

from .cli import LazyModule

np = LazyModule("numpy")  # imported on first use: `hotbench --help` works without numpy

CONFIDENCE = 0.95
METHOD = "Welch t-interval on log values (units: repetitions, or processes when a side ran several)"


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


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator with 0/0 = 1 and x/0 = +inf (values are non-negative)."""
    if denominator == 0:
        return 1.0 if numerator == 0 else math.inf
    return numerator / denominator


# ---------------------------------------------------------------- Student's t quantiles (no scipy)

def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)), -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with df (real, > 0) degrees of freedom."""
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _t_pdf(t: float, df: float) -> float:
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


def t_quantile(p: float, df: float) -> float:
    """The p-quantile (0.5 <= p < 1) of Student's t with df degrees of freedom: Newton's method on t_cdf,
    kept inside a bisection bracket, to 1e-12."""
    if not (0.5 <= p < 1) or not df > 0:
        raise ValueError(f"t_quantile needs 0.5 <= p < 1 and df > 0, got p={p}, df={df}")
    df = min(df, 1e10)
    lo, hi = 0.0, 2.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2
    # Start from the Cornish-Fisher expansion around the normal quantile: Newton then needs 2-4 steps.
    z = statistics.NormalDist().inv_cdf(p)
    t = z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df)
    if not lo < t < hi:
        t = (lo + hi) / 2
    for _ in range(100):
        f = t_cdf(t, df) - p
        if f < 0:
            lo = t
        else:
            hi = t
        step = f / _t_pdf(t, df)
        t_next = t - step
        if not lo < t_next < hi:  # Newton left the bracket: bisect instead
            t_next = (lo + hi) / 2
        if abs(t_next - t) <= 1e-12 * max(1.0, abs(t)):
            return t_next
        t = t_next
    return t


# ---------------------------------------------------------------- the ratio and its interval

@dataclass(frozen=True)
class RatioEstimate:
    ratio: float  # B/A: ratio of geometric means of the units (exact: of the constant values)
    low: float  # confidence interval of the ratio (0 and inf when none could be built: see `unresolved`)
    high: float
    median_a: float
    median_b: float
    n_a: int  # repetitions
    n_b: int
    exact: bool  # both sides constant: the interval has zero width
    confidence: float
    units_a: int = 0  # the interval's units per side: repetitions, or processes
    units_b: int = 0
    by_process: bool = False  # units are processes
    df: float | None = None  # degrees of freedom of the t quantile
    unresolved: str = ""  # why no interval could be built ("" when it could)
    widened_by: float | None = None  # the A/A noise floor f added for runs on different machines or days
    paired: bool = False  # units are pairs of processes (paired_ratio): units_a == units_b == pairs


def _units(values: "np.ndarray", groups, by_process: bool) -> "np.ndarray":
    """Log values, or by process the mean log value of each process (a side without process
    information, or with one process, is then a single unit)."""
    logs = np.log(values)
    if not by_process:
        return logs
    if groups is None:
        return np.array([logs.mean()])
    g = np.asarray(groups)
    return np.array([logs[g == k].mean() for k in dict.fromkeys(g.tolist())])


def _several(groups) -> bool:
    return groups is not None and len(set(np.asarray(groups).tolist())) > 1


def _without_interval(xa: "np.ndarray", xb: "np.ndarray", confidence: float) -> tuple[dict, RatioEstimate | None]:
    """The fields every estimate has, and the estimate itself when no interval is needed (both sides
    constant: exact) or none can be built on the log scale (values <= 0 that vary)."""
    ma, mb = float(np.median(xa)), float(np.median(xb))
    common = dict(median_a=ma, median_b=mb, n_a=int(xa.size), n_b=int(xb.size), confidence=confidence)
    if is_constant(xa) and is_constant(xb):
        r = _ratio(mb, ma)
        return common, RatioEstimate(r, r, r, exact=True, units_a=int(xa.size), units_b=int(xb.size), **common)
    if min(xa.min(), xb.min()) <= 0 or not (np.all(np.isfinite(xa)) and np.all(np.isfinite(xb))):
        return common, RatioEstimate(_ratio(mb, ma), 0.0, math.inf, exact=False,
                                     unresolved="values <= 0 that vary: no interval on the log scale", **common)
    return common, None


def ratio_of_medians(a, b, confidence: float = CONFIDENCE, groups_a=None, groups_b=None) -> RatioEstimate:
    """B/A with a t-interval on log values (see the module doc); deterministic, no random draws.
    `groups_*`: the process of each value (None: one process). The name is the former bootstrap's;
    the medians are still reported (median_a, median_b), the ratio is of geometric means."""
    xa = np.asarray(a, dtype=float)
    xb = np.asarray(b, dtype=float)
    if xa.size == 0 or xb.size == 0:
        raise ValueError("ratio_of_medians needs at least one value on each side")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    for x, g in ((xa, groups_a), (xb, groups_b)):
        if g is not None and len(g) != x.size:
            raise ValueError("groups must give one process per value")
    common, settled = _without_interval(xa, xb, confidence)
    if settled:
        return settled
    by_process = _several(groups_a) or _several(groups_b)
    ua, ub = _units(xa, groups_a, by_process), _units(xb, groups_b, by_process)
    ka, kb = ua.size, ub.size
    center = float(ub.mean() - ua.mean())
    ratio = math.exp(center)
    shape = dict(units_a=int(ka), units_b=int(kb), by_process=by_process)
    if ka < 2 and kb < 2:
        what = "process" if by_process else "repetition"
        return RatioEstimate(ratio, 0.0, math.inf, exact=False, **shape,
                             unresolved=f"one {what} per side: no spread to build an interval from", **common)
    if ka < 2 or kb < 2:
        # One side has a single unit: it has no spread of its own; use the other side's (pooled).
        many = ub if ka < 2 else ua
        var = float(many.var(ddof=1))
        se2, df = var * (1.0 / ka + 1.0 / kb), float(many.size - 1)
    else:
        va, vb = float(ua.var(ddof=1)) / ka, float(ub.var(ddof=1)) / kb
        se2 = va + vb
        df = se2 ** 2 / (va ** 2 / (ka - 1) + vb ** 2 / (kb - 1)) if se2 > 0 else float(ka + kb - 2)
    half = t_quantile(0.5 + confidence / 2, df) * math.sqrt(se2)
    return RatioEstimate(ratio, math.exp(center - half), math.exp(center + half), exact=False, df=df,
                         **shape, **common)


# A process's value in a pair (paired_ratio), each with what it is; the first is the default.
PAIRED_VALUES = {"best": "its fastest repetition", "mean": "the mean log of its repetitions"}
PAIRED_DEFAULT = next(iter(PAIRED_VALUES))


def paired_ratio(a, b, pairs_a, pairs_b, confidence: float = CONFIDENCE, value: str = PAIRED_DEFAULT,
                 higher_is_better: bool = False) -> RatioEstimate:
    """B/A from pairs: process k of A and process k of B ran back to back (`run --paired-with`), so a
    slow stretch of the machine lands on both members of a pair and cancels in their ratio, instead
    of widening two separate samples. Each pair is one unit, valued at log B_k - log A_k, where a
    process's value is (`value`) its best repetition ("best": the fastest time, or with
    `higher_is_better` the highest rate) or the mean log of its repetitions ("mean"). Interference only
    ever slows a repetition down, so the best one is the least disturbed: on this machine class it
    caught more 5 % slowdowns than the mean at every threshold (README, "The paired time gate").
    B/A = exp(mean over pairs) with a t-interval of n - 1 degrees of freedom (the paired t-test's).
    Pairs with values on one side only are left out; fewer than 2 pairs: unresolved. Constant values
    on both sides (counts) are exact, as in ratio_of_medians."""
    if value not in PAIRED_VALUES:
        raise ValueError(f"value must be one of {tuple(PAIRED_VALUES)}, got {value!r}")
    xa, xb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if xa.size == 0 or xb.size == 0:
        raise ValueError("paired_ratio needs at least one value on each side")
    if len(pairs_a) != xa.size or len(pairs_b) != xb.size:
        raise ValueError("pairs must give one pair (process) per value")
    common, settled = _without_interval(xa, xb, confidence)
    if settled:
        return settled
    ga, gb = np.asarray(pairs_a), np.asarray(pairs_b)
    both = [k for k in dict.fromkeys(ga.tolist()) if k in set(gb.tolist())]
    best = np.max if higher_is_better else np.min

    def of(x):  # one process's value, as a log
        return float(np.log(best(x))) if value == "best" else float(np.log(x).mean())

    d = np.array([of(xb[gb == k]) - of(xa[ga == k]) for k in both])
    shape = dict(units_a=len(both), units_b=len(both), by_process=True, paired=True)
    ratio = math.exp(float(d.mean())) if d.size else _ratio(common["median_b"], common["median_a"])
    if d.size < 2:
        return RatioEstimate(ratio, 0.0, math.inf, exact=False, **shape,
                             unresolved=f"{d.size} pair(s) with values on both sides: no interval from fewer than 2",
                             **common)
    df = float(d.size - 1)
    half = t_quantile(0.5 + confidence / 2, df) * float(d.std(ddof=1)) / math.sqrt(d.size)
    center = float(d.mean())
    return RatioEstimate(ratio, math.exp(center - half), math.exp(center + half), exact=False, df=df,
                         **shape, **common)


def widen(estimate: RatioEstimate, fraction: float) -> RatioEstimate:
    """The interval widened by the A/A noise floor `fraction` (f: 95 % of between-run ratios lie within
    1 +- f): both ends move by the factor 1/(1 - f). f >= 1 leaves nothing to conclude: [0, inf]."""
    if fraction >= 1:
        return replace(estimate, low=0.0, high=math.inf, widened_by=fraction)
    factor = 1.0 / (1.0 - fraction)
    return replace(estimate, low=estimate.low / factor, high=estimate.high * factor, widened_by=fraction)


@dataclass(frozen=True)
class GeometricMean:
    value: float | None  # None when no benchmark has a finite positive ratio
    low: float | None
    high: float | None
    count: int  # benchmarks included
    excluded: int  # benchmarks left out (ratio 0 or infinite)


def geometric_mean(estimates: list[RatioEstimate], confidence: float = CONFIDENCE) -> GeometricMean:
    """exp(mean log ratio), with exp(mean log low, mean log high) as its interval (see the module doc);
    no interval when any benchmark's is missing or unbounded."""
    usable = [e for e in estimates if 0 < e.ratio < math.inf]
    excluded = len(estimates) - len(usable)
    if not usable:
        return GeometricMean(None, None, None, 0, excluded)
    value = math.exp(sum(math.log(e.ratio) for e in usable) / len(usable))
    if any(e.unresolved or not 0 < e.low <= e.high < math.inf for e in usable):
        return GeometricMean(value, None, None, len(usable), excluded)
    low = math.exp(sum(math.log(e.low) for e in usable) / len(usable))
    high = math.exp(sum(math.log(e.high) for e in usable) / len(usable))
    return GeometricMean(value, low, high, len(usable), excluded)
