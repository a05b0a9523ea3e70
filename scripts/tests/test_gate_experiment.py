"""The gate experiment's paired mode: every threshold and value judges the same paired runs, timed as
gate --time times."""

import argparse

import pytest

from hotbench import gate_experiment
from hotbench.errors import HotbenchError


def _experiment(tmp_path, monkeypatch, **settings):
    runs = []

    def run_paired(results, *args):
        runs.append(args)
        return (f"a{len(runs)}", f"b{len(runs)}")

    def verdicts(baseline, current, metric, work, policy):
        text = policy.read_text()
        threshold = float(text.split("\nreal_time_ns = ")[1].split()[0])
        # a planted slowdown of 5 %: flagged at thresholds under it, and only with the best repetition
        slowed = "--inject-slowdown" in runs[int(current[1:]) - 1]
        best = '\npaired_value = "best"' in text
        return {"bm": "regression" if slowed and threshold < 0.05 and best else "unresolved"}

    monkeypatch.setattr(gate_experiment, "_run_paired", run_paired)
    monkeypatch.setattr(gate_experiment, "_verdicts", verdicts)
    monkeypatch.setattr(gate_experiment.gate_time, "timing_arguments", lambda pairs, pinned=True: [
        "--data", "tiny", f"--processes={pairs}"] + (["--pin-cpu=1", "--fixed-layout"] if pinned else []))
    args = argparse.Namespace(**{"paired": 10, "paired_threshold": "0.01,0.03,0.05", "paired_value": "best",
                                 "paired_unpinned": False, "filter": "x", "repetitions": 5, "min_time": 0.05,
                                 "aa_pairs": 3, "detect_pairs": 2, "slowdowns": "0.05,0.10", **settings})
    return runs, gate_experiment.paired_experiment(args, tmp_path)


def test_each_paired_threshold_and_value_judges_the_same_runs(tmp_path, monkeypatch):
    runs, out = _experiment(tmp_path, monkeypatch, paired_value="best,mean")
    assert len(runs) == 3 + 2 * 2  # once, whatever the number of thresholds and values
    assert list(out) == [f"time, paired (pinned, fixed layout, {v}), threshold {t}%" for v in ("best", "mean")
                         for t in (1, 3, 5)]
    assert [out[k]["detection"]["5%"]["regression"] for k in out] == [2, 2, 0, 0, 0, 0]
    assert all(out[k]["aa"] == {"comparisons": 3, "regression": 0, "unresolved": 3, "pass": 0, "flagged_rate": 0.0}
               for k in out)


def test_the_paired_runs_are_timed_as_the_gate_times_them(tmp_path, monkeypatch):
    runs, out = _experiment(tmp_path, monkeypatch)
    assert all(r[:2] == ("--filter", "x") and "--pin-cpu=1" in r and "--fixed-layout" in r and "--processes=10" in r
               for r in runs)
    runs, out = _experiment(tmp_path, monkeypatch, paired_unpinned=True)
    assert not any(a.startswith(("--pin-cpu", "--fixed-layout")) for r in runs for a in r)
    assert all(k.startswith("time, paired (unpinned, best)") for k in out)


@pytest.mark.parametrize("text", ["", "best,x", "median"])
def test_a_value_list_of_unknown_values_is_a_usage_error(text):
    with pytest.raises(HotbenchError, match="--paired-value"):
        gate_experiment.paired_values(text)


@pytest.mark.parametrize("text", ["", "0.01,x", "1.5", "-0.01"])
def test_a_threshold_list_that_is_not_fractions_is_a_usage_error(text):
    with pytest.raises(HotbenchError, match="--paired-threshold"):
        gate_experiment.thresholds(text)
