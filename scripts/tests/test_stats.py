"""stats.py: summaries, the bootstrap ratio of medians, geometric means."""

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


def test_ratio_of_medians_is_deterministic_and_brackets_the_ratio():
    rng = np.random.default_rng(1)
    a = 100 * (1 + 0.01 * rng.standard_normal(5))
    b = 130 * (1 + 0.01 * rng.standard_normal(5))
    e1 = stats.ratio_of_medians(a, b)
    e2 = stats.ratio_of_medians(a, b)
    assert (e1.ratio, e1.low, e1.high) == (e2.ratio, e2.low, e2.high)
    assert e1.ratio == pytest.approx(np.median(b) / np.median(a))
    assert e1.low <= e1.ratio <= e1.high
    assert 1.2 < e1.low and e1.high < 1.4
    assert not e1.exact and (e1.n_a, e1.n_b) == (5, 5)


def test_interval_is_about_min_to_max_for_five_repetitions():
    # With n = 5 the bootstrap median lands on the sample minimum with probability ~5.8 % > 2.5 %,
    # so the 95 % interval of B/A spans from the ratio of extremes.
    a = [100.0] * 5
    b = [90.0, 95.0, 100.0, 105.0, 110.0]
    e = stats.ratio_of_medians(a, b)
    assert e.low == pytest.approx(0.90) and e.high == pytest.approx(1.10)


def test_constant_sides_give_a_zero_width_interval():
    e = stats.ratio_of_medians([1000.0], [1020.0])
    assert e.exact and e.low == e.high == e.ratio == pytest.approx(1.02)
    e = stats.ratio_of_medians([7.0, 7.0, 7.0], [7.0, 7.0])
    assert e.exact and e.ratio == 1.0


def test_zero_medians():
    assert stats.ratio_of_medians([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]).ratio == 1.0
    e = stats.ratio_of_medians([0.0, 0.0, 0.0], [3.0, 3.0, 4.0])
    assert e.ratio == math.inf and e.low == math.inf
    e = stats.ratio_of_medians([0.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    assert e.low == 1.0 and e.high == math.inf  # resamples with median 0 in A


def test_seed_differs_by_benchmark_but_not_by_run():
    assert stats.seed_for("json/parse/x") == stats.seed_for("json/parse/x")
    assert stats.seed_for("json/parse/x") != stats.seed_for("json/parse/y")


def test_geometric_mean():
    e1 = stats.ratio_of_medians([100.0] * 3, [200.0] * 3)
    e2 = stats.ratio_of_medians([100.0] * 3, [50.0] * 3)
    e3 = stats.ratio_of_medians([0.0] * 3, [1.0] * 3)  # infinite: left out
    g = stats.geometric_mean([e1, e2, e3])
    assert g.value == pytest.approx(1.0) and g.low == pytest.approx(1.0) and g.high == pytest.approx(1.0)
    assert (g.count, g.excluded) == (2, 1)
    assert stats.geometric_mean([e3]).value is None


def test_rejects_empty_sides():
    with pytest.raises(ValueError):
        stats.ratio_of_medians([], [1.0])
