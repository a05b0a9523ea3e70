"""Change points in benchmark series: E-Divisive means, a t-test per split, Benjamini-Hochberg.

Input: series, each a list of points in commit order, a point being the values of one run (every
repetition and process); optionally the indices where a new baseline segment starts (an acknowledged
change). Output: `Detection`s: the index of the first point after the change, the medians before and
after, the relative change of the mean with its 95 % interval, the p-value and the BH-adjusted q-value.

The method, and why:

- A point is the median of its run's repetitions (repetitions of one process share its state, so the
  run, not the repetition, is the unit of noise), on a log scale when every value is positive: a
  slowdown is a ratio, and timing noise is multiplicative.
- Where: E-Divisive means (Matteson & James 2014; what Apache Otava, formerly Hunter, runs on MongoDB's
  performance series): the split of a segment that maximizes the energy divergence of the two sides,
  recursively (binary segmentation). It assumes no distribution and no number of changes, needs no
  penalty tuning (PELT's penalty is a noise model in disguise), and is deterministic: no random
  permutations, so the same history always gives the same change points.
- Whether: as Otava, a t-test of the two sides of the split, within the segment between the
  neighbouring change points; Student's, with the variance pooled over both sides, because the noise is
  the machine's and the benchmark's, the same on both sides, and Welch's test trusts the variance of a
  two-point side (often tiny by chance): it found 4 false changes in 200 pure-noise series, Student's none. The split was chosen as the best of K positions, so its p-value is
  multiplied by K (Bonferroni over the positions searched: conservative, never optimistic). An exact
  series (instruction counts, identical at every commit but the changed ones) has zero variance: any
  step is certain (p = 0) and none is invented where nothing moved (p = 1).
- Across hundreds of series: every split tested, in every series, is one hypothesis; Benjamini-Hochberg
  at FDR q (default 0.01) keeps the expected share of false change points among those reported at q.
  Recursion goes on only below q (a larger p-value cannot pass BH), and a split whose parent was not
  kept is dropped.
- Magnitude: exp(mean after - mean before) - 1 of the log points (the ratio of geometric means), with a
  Student t interval; a linear-scale series (a value <= 0) gives the difference over |mean before|.

Limits: at least MIN_POINTS points on each side of a change (a change at the newest commit is reported
once one more commit is measured); a change smaller than the noise of a short segment is not found;
a gradual drift is reported as the step or steps that best explain it.
"""

import dataclasses
import math

from . import cli

np = cli.LazyModule("numpy")

FDR = 0.01
CONFIDENCE = 0.95
MIN_POINTS = 2


@dataclasses.dataclass
class Detection:
    series: object  # the caller's key for the series
    index: int  # the first point after the change
    median_before: float
    median_after: float
    change: float  # relative change of the mean (geometric on a log scale), e.g. 0.05 = +5 %
    low: float  # its CONFIDENCE interval
    high: float
    p_value: float  # of the split, corrected for the positions searched
    q_value: float = math.nan  # BH-adjusted across every split tested in every series


@dataclasses.dataclass
class _Test:
    series: object
    tau: int
    p_value: float
    parent: "_Test | None"
    q_value: float = math.nan


# ---------------------------------------------------------------- distributions, numpy only

def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, qab, qap, qam = 1e-300, a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for numerator in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with df degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return regularized_beta(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(probability: float, df: float) -> float:
    """The t with P(T <= t) = probability (> 0.5), by bisection on t_two_sided_p."""
    tail = 2.0 * (1.0 - probability)
    low, high = 0.0, 1.0
    while t_two_sided_p(high, df) > tail:
        high *= 2.0
    for _ in range(100):
        middle = (low + high) / 2.0
        low, high = (middle, high) if t_two_sided_p(middle, df) > tail else (low, middle)
    return (low + high) / 2.0


def student(left, right) -> tuple[float, float, float, float]:
    """(p-value, mean difference right - left, its standard error, degrees of freedom) of Student's t-test
    with the variance pooled over both sides."""
    n1, n2 = len(left), len(right)
    difference = float(np.mean(right) - np.mean(left))
    df = max(n1 + n2 - 2, 1)
    pooled = (float(np.sum((left - np.mean(left)) ** 2)) + float(np.sum((right - np.mean(right)) ** 2))) / df
    se = math.sqrt(pooled * (1 / n1 + 1 / n2))
    if se == 0.0:
        return (0.0 if difference != 0.0 else 1.0), difference, 0.0, float(df)
    return t_two_sided_p(difference / se, df), difference, se, float(df)


# ---------------------------------------------------------------- E-Divisive means

def energy_split(z, min_points: int = MIN_POINTS) -> tuple[int, int]:
    """(the split tau maximizing the energy divergence of z[:tau] and z[tau:], how many splits were searched).
    O(n^2) with 2-D prefix sums of |z_i - z_j|."""
    n = len(z)
    distances = np.abs(z[:, None] - z[None, :])
    prefix = np.zeros((n + 1, n + 1))
    prefix[1:, 1:] = distances.cumsum(0).cumsum(1)
    tau = np.arange(min_points, n - min_points + 1)
    a, m = tau.astype(float), (n - tau).astype(float)
    within_left = prefix[tau, tau]
    between = prefix[tau, n] - within_left
    within_right = prefix[n, n] - 2 * prefix[tau, n] + within_left
    divergence = 2 * between / (a * m) - within_left / a ** 2 - within_right / m ** 2
    statistic = a * m / (a + m) * divergence
    return int(tau[int(np.argmax(statistic))]), len(tau)


def points_of(values_per_point) -> tuple[object, bool]:
    """(per-point medians as the detector reads them, whether on a log scale)."""
    medians = np.array([float(np.median(v)) for v in values_per_point])
    positive = bool(len(medians)) and bool((medians > 0).all())
    return (np.log(medians) if positive else medians), positive


def _tests_of(key, y, boundaries, min_points: int, fdr: float) -> list[_Test]:
    tests = []
    stack = [(lo, hi, None) for lo, hi in zip(boundaries[:-1], boundaries[1:])]
    while stack:
        lo, hi, parent = stack.pop()
        if hi - lo < 2 * min_points:
            continue
        split, searched = energy_split(y[lo:hi], min_points)
        tau = lo + split
        p = min(1.0, student(y[lo:tau], y[tau:hi])[0] * searched)
        test = _Test(key, tau, p, parent)
        tests.append(test)
        if p <= fdr:
            stack += [(lo, tau, test), (tau, hi, test)]
    return tests


def benjamini_hochberg(p_values) -> list[float]:
    """The BH-adjusted q-values, in the order given."""
    n = len(p_values)
    order = sorted(range(n), key=lambda i: p_values[i])
    q = [1.0] * n
    running = 1.0
    for rank in range(n, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * n / rank)
        q[i] = running
    return q


def detect(series: dict, fdr: float = FDR, min_points: int = MIN_POINTS, starts: dict | None = None) -> list[Detection]:
    """Change points of every series: `series` key -> list of points (each a sequence of values), `starts`
    key -> indices where a new baseline segment starts. Detections in the order of `series`, then index."""
    prepared, tests = {}, []
    for key, values_per_point in series.items():
        y, log_scale = points_of(values_per_point)
        boundaries = sorted({0, len(y), *(i for i in (starts or {}).get(key, ()) if 0 < i < len(y))})
        prepared[key] = (y, log_scale, boundaries)
        tests += _tests_of(key, y, boundaries, min_points, fdr)
    for test, q in zip(tests, benjamini_hochberg([t.p_value for t in tests])):
        test.q_value = q
    kept = {}
    for test in tests:
        chain, ok = test, True
        while chain is not None:
            ok = ok and chain.q_value <= fdr
            chain = chain.parent
        if ok:
            kept.setdefault(test.series, []).append(test)
    out = []
    for key in series:
        y, log_scale, boundaries = prepared[key]
        found = sorted(kept.get(key, []), key=lambda t: t.tau)
        edges = sorted(set(boundaries) | {t.tau for t in found})
        medians = [float(np.median(v)) for v in series[key]]
        for test in found:
            at = edges.index(test.tau)
            lo, hi = edges[at - 1], edges[at + 1]
            out.append(_describe(key, test, y, medians, lo, hi, log_scale))
    return out


def _describe(key, test: _Test, y, medians, lo: int, hi: int, log_scale: bool) -> Detection:
    tau = test.tau
    _, difference, se, df = student(y[lo:tau], y[tau:hi])
    half = t_quantile(0.5 + CONFIDENCE / 2, df) * se
    if log_scale:
        change, low, high = (math.expm1(d) for d in (difference, difference - half, difference + half))
    else:
        scale = abs(float(np.mean(y[lo:tau]))) or math.nan
        change, low, high = ((d / scale) for d in (difference, difference - half, difference + half))
    return Detection(key, tau, float(np.median(medians[lo:tau])), float(np.median(medians[tau:hi])), change, low,
                     high, test.p_value, test.q_value)
