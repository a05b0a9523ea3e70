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
- Whether: as Otava, a t-test of the two sides of a split, within the segment between the neighbouring
  change points: Student's, with the variance pooled over both sides, because the noise is the machine's
  and the benchmark's, the same on both sides (Welch's test trusts the variance of a two-point side, often
  tiny by chance: it found 4 false changes in 200 pure-noise series, Student's none). Binary segmentation
  proposes candidates liberally (a segment is split again while its split's uncorrected p <= SEARCH_P),
  so that a small step is not masked by larger ones around it; then, as Otava prunes, each candidate is
  tested against the points between its neighbours and the weakest is dropped until all pass. A split is
  the best of K positions, so its p-value is multiplied by K (Bonferroni over the positions: conservative,
  never optimistic). An exact series (instruction counts) has zero variance: a step is certain (p = 0),
  and nothing is invented where nothing moved (a constant segment is not even searched).
- Across hundreds of series: Benjamini-Hochberg at FDR q (default 0.01) over one hypothesis per segment
  searched in every series, keeping the expected share of false change points among those reported at q.
- Magnitude: exp(mean after - mean before) - 1 of the log points (the ratio of geometric means), with a
  Student t interval; a linear-scale series (a value <= 0) gives the difference over |mean before|.

Limits: a change under MIN_CHANGE (0.1 %) is not reported, however certain; at least MIN_POINTS
points on each side of a change (a change at the newest commit is reported
once one more commit is measured); a change smaller than the noise of a short segment is not found;
a gradual drift is reported as the step or steps that best explain it.
"""

import dataclasses
import math

from . import cli, stats

np = cli.LazyModule("numpy")

FDR = 0.01
CONFIDENCE = 0.95
MIN_POINTS = 2
SEARCH_P = 0.05
# The smallest relative change reported: a tenth of the instruction gate's 1 % threshold. Without it,
# shifts of the size of the noise itself were reported: 3 false change points of about 0.01 % in one
# of 49 flat series with 0.01 % jitter (tests/test_history.py), 6 in 200 single series.
MIN_CHANGE = 0.001


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


# ---------------------------------------------------------------- the test of a split

def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with df degrees of freedom, from the lower tail (no 1 - x rounding)."""
    if math.isinf(t):
        return 0.0
    return 2.0 * stats.t_cdf(-abs(t), df)


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
    O(n^2): the sums of |z_i - z_j| within z[:tau] and from z[:tau] to all of z are running sums over rows."""
    n = len(z)
    distances = np.abs(z[:, None] - z[None, :])
    to_all = np.concatenate(([0.0], np.cumsum(distances.sum(1))))  # sum over i < tau, all j
    within = np.concatenate(([0.0], 2 * np.cumsum(np.tril(distances).sum(1))))  # i, j < tau
    tau = np.arange(min_points, n - min_points + 1)
    a, m = tau.astype(float), (n - tau).astype(float)
    within_left = within[tau]
    between = to_all[tau] - within_left
    within_right = within[n] - 2 * to_all[tau] + within_left
    divergence = 2 * between / (a * m) - within_left / a ** 2 - within_right / m ** 2
    statistic = a * m / (a + m) * divergence
    return int(tau[int(np.argmax(statistic))]), len(tau)


def excursion_split(z, min_points: int = MIN_POINTS) -> tuple[int, int, float]:
    """(a, b, p): the stretch z[a:b] that differs most from the rest (z[:a] and z[b:] together), by Student's
    t, and its p-value times the stretches searched (Bonferroni). A single split cannot see a stretch that
    goes and comes back (a regression, then its fix): each side of any split then mixes both levels. None
    when the segment has no such stretch to test."""
    n = len(z)
    s1 = np.concatenate(([0.0], np.cumsum(z)))
    s2 = np.concatenate(([0.0], np.cumsum(z * z)))
    a, b = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    inside = b - a
    outside = n - inside
    valid = (a >= 1) & (b <= n - 1) & (inside >= min_points) & (outside >= min_points)
    if not valid.any():
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        sum_in, sq_in = s1[b] - s1[a], s2[b] - s2[a]
        mean_in, mean_out = sum_in / inside, (s1[n] - sum_in) / outside
        within = (sq_in - sum_in ** 2 / inside) + ((s2[n] - sq_in) - (s1[n] - sum_in) ** 2 / outside)
        between = (mean_in - mean_out) ** 2 * inside * outside / n
        # the ratio orders the stretches as |t| does; a stretch of exact values (within 0) comes first
        score = np.where(valid, between / (np.maximum(within, 0.0) + 1e-300), -1.0)
    best = np.unravel_index(int(np.argmax(score)), score.shape)
    first, last = int(best[0]), int(best[1])
    rest = np.concatenate((z[:first], z[last:]))
    p = student(rest, z[first:last])[0]
    return first, last, min(1.0, p * int(valid.sum()))


def medians_of(values_per_point) -> list[float]:
    if len({len(v) for v in values_per_point}) == 1:  # as many values in every point: one call
        return [float(x) for x in np.median(np.asarray(values_per_point, dtype=float), axis=1)]
    return [float(np.median(v)) for v in values_per_point]


def points_of(values_per_point) -> tuple[object, bool]:
    """(per-point medians as the detector reads them, whether on a log scale)."""
    medians = np.array(medians_of(values_per_point))
    positive = bool(len(medians)) and bool((medians > 0).all())
    return (np.log(medians) if positive else medians), positive


def _candidates(y, boundaries, min_points: int) -> tuple[list[int], int]:
    """(the candidate splits of binary segmentation, how many searches were made). A segment is split
    further while its best split's uncorrected p-value is at most SEARCH_P: liberal on purpose, the pruning
    decides; it keeps a small step from being masked by larger ones on both sides of the first split. When
    no split is significant, the stretch that differs most from the rest of the segment (excursion_split,
    Bonferroni over the stretches) gives two candidates: without it, a regression fixed a few commits later
    hid every other change of its series (found on this repository's own history: a 6 % excursion of two
    commits, and a 0.3 % step before it, in json/parse/rapidjson/geometry)."""
    found, searched = [], 0
    stack = list(zip(boundaries[:-1], boundaries[1:]))
    while stack:
        lo, hi = stack.pop()
        if hi - lo < 2 * min_points or float(np.ptp(y[lo:hi])) == 0.0:
            continue  # too short to split, or constant: nothing changed
        tau = lo + energy_split(y[lo:hi], min_points)[0]
        searched += 1
        if student(y[lo:tau], y[tau:hi])[0] <= SEARCH_P:
            found.append(tau)
            stack += [(lo, tau), (tau, hi)]
            continue
        stretch = excursion_split(y[lo:hi], min_points)
        searched += 1
        if stretch is not None and stretch[2] <= SEARCH_P:
            a, b = lo + stretch[0], lo + stretch[1]
            found += [a, b]
            stack += [(lo, a), (a, b), (b, hi)]
    return sorted(found), searched


def _pruned(y, boundaries, candidates: list[int], min_points: int, threshold: float) -> list[tuple[int, float]]:
    """(split, p-value) of the candidates that survive, as Otava prunes: each one is tested against the points
    between its neighbours (the p-value times the positions a split could take there); the weakest above
    `threshold` is dropped and its neighbours tested again, until every one left is at most `threshold`."""
    candidates = list(candidates)
    while candidates:
        edges = sorted(set(boundaries) | set(candidates))
        p_values = []
        for tau in candidates:
            at = edges.index(tau)
            lo, hi = edges[at - 1], edges[at + 1]
            positions = max(hi - lo - 2 * min_points + 1, 1)
            p_values.append(min(1.0, student(y[lo:tau], y[tau:hi])[0] * positions))
        weakest = max(range(len(candidates)), key=lambda i: p_values[i])
        if p_values[weakest] <= threshold:
            return list(zip(candidates, p_values))
        del candidates[weakest]
    return []


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


def detect(series: dict, fdr: float = FDR, min_points: int = MIN_POINTS, starts: dict | None = None,
           min_change: float = MIN_CHANGE) -> list[Detection]:
    """Change points of every series: `series` key -> list of points (each a sequence of values), `starts`
    key -> indices where a new baseline segment starts. Detections in the order of `series`, then index.

    The hypotheses BH controls are one per segment searched (at least one per series that varies): those
    that survive pruning carry their p-values, the others count as p = 1."""
    prepared, kept, hypotheses = {}, [], 0
    for key, values_per_point in series.items():
        y, log_scale = points_of(values_per_point)
        boundaries = sorted({0, len(y), *(i for i in (starts or {}).get(key, ()) if 0 < i < len(y))})
        candidates, searched = _candidates(y, boundaries, min_points)
        survivors = _pruned(y, boundaries, candidates, min_points, fdr)
        prepared[key] = (y, log_scale, boundaries, survivors)
        kept += [(key, tau, p) for tau, p in survivors]
        hypotheses += max(searched, len(survivors))
    p_values = [p for _, _, p in kept] + [1.0] * (hypotheses - len(kept))
    q_values = dict(zip([(key, tau) for key, tau, _ in kept], benjamini_hochberg(p_values)))
    out = []
    for key in series:
        y, log_scale, boundaries, survivors = prepared[key]
        accepted = [(tau, p) for tau, p in survivors if q_values[(key, tau)] <= fdr]
        medians = medians_of(series[key])
        while True:  # the smallest change under min_change goes, then its neighbours are measured again
            edges = sorted(set(boundaries) | {tau for tau, _ in accepted})
            found = [_describe(key, tau, p, q_values[(key, tau)], y, medians, edges[edges.index(tau) - 1],
                               edges[edges.index(tau) + 1], log_scale) for tau, p in accepted]
            small = [d for d in found if abs(d.change) < min_change]
            if not small:
                break
            weakest = min(small, key=lambda d: abs(d.change)).index
            accepted = [(tau, p) for tau, p in accepted if tau != weakest]
        out += found
    return out


def _describe(key, tau: int, p_value: float, q_value: float, y, medians, lo: int, hi: int,
              log_scale: bool) -> Detection:
    _, difference, se, df = student(y[lo:tau], y[tau:hi])
    half = stats.t_quantile(0.5 + CONFIDENCE / 2, df) * se
    if log_scale:
        change, low, high = (math.expm1(d) for d in (difference, difference - half, difference + half))
    else:
        scale = abs(float(np.mean(y[lo:tau]))) or math.nan
        change, low, high = ((d / scale) for d in (difference, difference - half, difference + half))
    return Detection(key, tau, float(np.median(medians[lo:tau])), float(np.median(medians[tau:hi])), change, low,
                     high, p_value, q_value)


# ---------------------------------------------------------------- measured quality (docs/history.md)

def quality_experiment(cv: float, step: float, series: int = 200, points: int = 100, repetitions: int = 5,
                       seed: int = 0) -> dict:
    """How detect() does on timed-like noise: `series` series with one step of `step` (a relative change) at a
    random point at least 10 from either end, and `series` without; every repetition lognormal with coefficient
    of variation `cv`, a point the median of `repetitions`. All are tested together (BH over all). Returns
    the share of steps found at the right point (and within 2 points), and the false change points (any other
    detection) per 1,000 points."""
    rng = np.random.default_rng(seed)
    sigma = math.sqrt(math.log1p(cv * cv))
    data, truth = {}, {}
    for i in range(2 * series):
        values = rng.lognormal(0.0, sigma, size=(points, repetitions))
        if i < series:
            truth[i] = int(rng.integers(10, points - 10))
            values[truth[i]:] *= 1 + step
        data[i] = list(values)
    exact = near = false = 0
    for d in detect(data):
        if d.series in truth and d.index == truth[d.series]:
            exact += 1
        elif d.series in truth and abs(d.index - truth[d.series]) <= 2:
            near += 1
        else:
            false += 1
    return {"cv": cv, "step": step, "series": 2 * series, "points": points, "repetitions": repetitions,
            "found_exact": exact / series, "found_within_2": (exact + near) / series,
            "false_per_1000_points": 1000 * false / (2 * series * points)}
