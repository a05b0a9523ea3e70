"""The gate experiment's paired mode: every threshold judges the same paired runs."""

import argparse

import pytest

from hotbench import gate_experiment
from hotbench.errors import HotbenchError


def test_each_paired_threshold_judges_the_same_runs(tmp_path, monkeypatch):
    runs = []

    def run_paired(results, pairs, *args):
        runs.append(args)
        return (f"a{len(runs)}", f"b{len(runs)}")

    def verdicts(baseline, current, metric, work, policy):
        threshold = float(policy.read_text().split("\nreal_time_ns = ")[1].split()[0])
        # a planted slowdown of 5 %: flagged at thresholds under it
        slowed = "--inject-slowdown" in runs[int(current[1:]) - 1]
        return {"bm": "regression" if slowed and threshold < 0.05 else "unresolved"}

    monkeypatch.setattr(gate_experiment, "_run_paired", run_paired)
    monkeypatch.setattr(gate_experiment, "_verdicts", verdicts)
    args = argparse.Namespace(paired=10, paired_threshold="0.01,0.03,0.05", filter="x", repetitions=5, min_time=0.05,
                              aa_pairs=3, detect_pairs=2, slowdowns="0.05,0.10")
    out = gate_experiment.paired_experiment(args, tmp_path)
    assert len(runs) == 3 + 2 * 2  # once, whatever the number of thresholds
    assert list(out) == ["time, paired, threshold 1%", "time, paired, threshold 3%", "time, paired, threshold 5%"]
    assert [out[k]["detection"]["5%"]["regression"] for k in out] == [2, 2, 0]
    assert all(out[k]["aa"] == {"comparisons": 3, "regression": 0, "unresolved": 3, "pass": 0, "flagged_rate": 0.0}
               for k in out)


@pytest.mark.parametrize("text", ["", "0.01,x", "1.5", "-0.01"])
def test_a_threshold_list_that_is_not_fractions_is_a_usage_error(text):
    with pytest.raises(HotbenchError, match="--paired-threshold"):
        gate_experiment.thresholds(text)
