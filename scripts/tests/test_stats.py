"""stats.py: summaries, the ratio B/A with its t-interval on log values, geometric means, and the
coverage of the interval measured by seeded simulation (the level it states is the level it has)."""

import json
import math
import pathlib

import numpy as np
import pytest

from hotbench import stats

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "compare"


def test_summary_and_cv_use_the_sample_stddev():
    s = stats.summary([1.0, 2.0, 3.0, 4.0])
    assert s == {"median": 2.5, "min": 1.0, "max": 4.0, "mean": 2.5,
                 "cv": pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2.5)}
    assert stats.sample_cv([5.0]) is None  # undefined for one value
    assert stats.sample_cv([0.0, 0.0]) is None  # undefined for a zero mean
    assert stats.sample_cv([7.0, 7.0, 7.0]) == 0.0


def test_cv_matches_google_benchmark_cv_aggregate():
    doc = json.loads((FIXTURES / "gbench-run1.json").read_text())
    runs = [b for b in doc["benchmarks"] if b["name"] == "json/parse/rapidjson/catalog"]
    times = [b["real_time"] for b in runs]
    gb_cv = next(b for b in doc["benchmarks"] if b["name"] == "json/parse/rapidjson/catalog_cv")
    assert len(times) == 3
    assert stats.sample_cv(times) == pytest.approx(gb_cv["real_time"], rel=1e-9)  # 1.7.1 stores cv as a fraction


@pytest.mark.parametrize("p, df, expected", [  # Student's t table
    (0.975, 1, 12.706205), (0.975, 2, 4.302653), (0.975, 4, 2.776445), (0.975, 10, 2.228139),
    (0.975, 30, 2.042272), (0.95, 3, 2.353363), (0.995, 5, 4.032143), (0.975, 1e9, 1.959964)])
def test_t_quantile_matches_the_table(p, df, expected):
    assert stats.t_quantile(p, df) == pytest.approx(expected, abs=2e-6)


def test_ratio_is_of_geometric_means_and_the_interval_is_deterministic():
    rng = np.random.default_rng(1)
    a = 100 * np.exp(0.01 * rng.standard_normal(5))
    b = 130 * np.exp(0.01 * rng.standard_normal(5))
    e1, e2 = stats.ratio_of_medians(a, b), stats.ratio_of_medians(a, b)
    assert (e1.ratio, e1.low, e1.high) == (e2.ratio, e2.low, e2.high)
    assert e1.ratio == pytest.approx(math.exp(np.log(b).mean() - np.log(a).mean()))
    assert (e1.median_a, e1.median_b) == (np.median(a), np.median(b))
    assert 1.2 < e1.low < e1.ratio < e1.high < 1.4
    assert not e1.exact and (e1.n_a, e1.n_b) == (5, 5) and not e1.by_process and not e1.unresolved


def test_three_repetitions_no_longer_give_min_over_max():
    # The former percentile bootstrap's "95 %" interval at n = 3 was exactly [min/max, max/min]: ~90 %.
    a, b = [100.0, 101.0, 102.0], [100.0, 101.0, 102.0]
    e = stats.ratio_of_medians(a, b)
    assert e.low < 100 / 102 and e.high > 102 / 100
    half = stats.t_quantile(0.975, e.df) * math.sqrt(2 * np.var(np.log(a), ddof=1) / 3)
    assert math.log(e.high) == pytest.approx(half)


def test_constant_sides_give_a_zero_width_interval():
    e = stats.ratio_of_medians([1000.0], [1020.0])
    assert e.exact and e.low == e.high == e.ratio == pytest.approx(1.02)
    e = stats.ratio_of_medians([7.0, 7.0, 7.0], [7.0, 7.0])
    assert e.exact and e.ratio == 1.0


def test_zero_and_single_values():
    assert stats.ratio_of_medians([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]).ratio == 1.0
    e = stats.ratio_of_medians([0.0, 0.0, 0.0], [3.0, 3.0, 4.0])
    assert e.ratio == math.inf and (e.low, e.high) == (0.0, math.inf) and "values <= 0" in e.unresolved
    e = stats.ratio_of_medians([5.0, 6.0], [7.0])  # one side has a single value: the other's spread, df 1
    assert e.df == 1 and e.low < 7 / 5.5 < e.high and not e.unresolved


def test_processes_are_the_units_when_a_side_ran_several():
    a = [100.0, 101.0, 99.0, 120.0, 121.0, 119.0]  # process 1 ran 20 % slower than process 0
    b = [110.0, 111.0, 109.0, 112.0, 111.0, 110.0]
    naive = stats.ratio_of_medians(a, b)
    e = stats.ratio_of_medians(a, b, groups_a=[0, 0, 0, 1, 1, 1], groups_b=[0, 0, 0, 1, 1, 1])
    assert e.by_process and (e.units_a, e.units_b) == (2, 2) and (e.n_a, e.n_b) == (6, 6)
    assert e.high / e.low > 2 * naive.high / naive.low  # drift widens the interval instead of hiding
    mixed = stats.ratio_of_medians(b[:3], a, groups_a=[0, 0, 0], groups_b=[0, 0, 0, 1, 1, 1])
    assert mixed.by_process and (mixed.units_a, mixed.units_b) == (1, 2) and mixed.df == 1


def test_widen_by_the_noise_floor():
    e = stats.ratio_of_medians([100.0, 101.0, 99.0], [100.0, 101.0, 99.0])
    w = stats.widen(e, 0.2)
    assert w.low == pytest.approx(e.low * 0.8) and w.high == pytest.approx(e.high / 0.8) and w.widened_by == 0.2
    assert (stats.widen(e, 1.0).low, stats.widen(e, 1.0).high) == (0.0, math.inf)


def test_geometric_mean():
    e1 = stats.ratio_of_medians([100.0] * 3, [200.0] * 3)
    e2 = stats.ratio_of_medians([100.0] * 3, [50.0] * 3)
    e3 = stats.ratio_of_medians([0.0] * 3, [1.0] * 3)  # infinite: left out
    g = stats.geometric_mean([e1, e2, e3])
    assert g.value == pytest.approx(1.0) and g.low == pytest.approx(1.0) and g.high == pytest.approx(1.0)
    assert (g.count, g.excluded) == (2, 1)
    assert stats.geometric_mean([e3]).value is None
    e4 = stats.ratio_of_medians([100.0, 110.0, 90.0], [100.0, 120.0, 80.0])
    g = stats.geometric_mean([e1, e4])
    assert g.low == pytest.approx(math.sqrt(2 * e4.low)) and g.high == pytest.approx(math.sqrt(2 * e4.high))
    no_interval = stats.ratio_of_medians([0.0, 1.0, 2.0], [1.0, 2.0, 3.0])
    assert no_interval.unresolved and stats.geometric_mean([e1, no_interval]).low is None


def test_rejects_empty_sides():
    with pytest.raises(ValueError):
        stats.ratio_of_medians([], [1.0])


# ---------------------------------------------------------------- coverage, by seeded simulation
#
# Each trial draws A and B with a known true ratio and checks whether the 95 % interval contains it.
# 2000 trials: the standard error of a coverage near 95 % is 0.5 %, so the tolerances below are about
# 3 standard errors. The former percentile bootstrap gave 90.4 % at n = 3 (a simulation of the issue:
# 9.6 % misses) and about 60-70 % with process drift, which these tests would fail.

TRIALS = 2000


def coverage(draw, trials=TRIALS, seed=0):
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(trials):
        a, b, groups_a, groups_b, truth = draw(rng)
        e = stats.ratio_of_medians(a, b, groups_a=groups_a, groups_b=groups_b)
        hits += e.low <= truth <= e.high
    return hits / trials


@pytest.mark.parametrize("n", [3, 5, 10])
def test_coverage_with_log_normal_noise(n):
    def draw(rng):  # different noise on the two sides (Welch), a 10 % change
        return np.exp(rng.normal(0, 0.05, n)), 1.1 * np.exp(rng.normal(0, 0.12, n)), None, None, 1.1
    assert 0.935 <= coverage(draw, seed=n) <= 0.965


@pytest.mark.parametrize("processes, drift", [(2, 0.05), (3, 0.15), (4, 0.05)])
def test_coverage_with_drift_between_processes(processes, drift):
    """processes x 5 repetitions per side; every process has its own offset (log sd `drift`)."""
    groups = np.repeat(np.arange(processes), 5)

    def side(rng, ratio):
        return ratio * np.exp(np.repeat(rng.normal(0, drift, processes), 5) + rng.normal(0, 0.03, groups.size))

    def draw(rng):
        return side(rng, 1.0), side(rng, 0.9), groups, groups, 0.9

    def naive(rng):  # the same data, the process column ignored
        return side(rng, 1.0), side(rng, 0.9), None, None, 0.9

    # Welch with 2-4 units per side is a little conservative (its df estimate is low), never short
    assert 0.935 <= coverage(draw, seed=processes) <= 0.985
    assert coverage(naive, trials=500, seed=processes) < 0.8  # repetitions as units: drift hides


def test_coverage_one_process_against_several():
    def draw(rng):
        a = np.exp(rng.normal(0, 0.1) + rng.normal(0, 0.03, 5))
        b = 1.05 * np.exp(np.repeat(rng.normal(0, 0.1, 3), 5) + rng.normal(0, 0.03, 15))
        return a, b, np.zeros(5, int), np.repeat(np.arange(3), 5), 1.05
    assert 0.935 <= coverage(draw) <= 0.965


def test_geometric_mean_interval_covers_at_least_its_level():
    rng = np.random.default_rng(7)
    truths = np.exp(rng.normal(0, 0.3, 20))
    hits = 0
    for _ in range(300):
        estimates = [stats.ratio_of_medians(np.exp(rng.normal(0, 0.08, 3)), t * np.exp(rng.normal(0, 0.08, 3)))
                     for t in truths]
        g = stats.geometric_mean(estimates)
        hits += g.low <= math.exp(np.log(truths).mean()) <= g.high
    assert hits / 300 >= 0.95
