"""compare.py: verdicts, listings, comparability, outputs, and bad input (exit 3, one line, no traceback).

Synthetic results are built here (write_result) so that every planted change is visible in the test;
the real Google Benchmark 1.7.1 files are under fixtures/compare/ (two runs of the same filter on the
tiny corpus plus a broken dataset: iteration rows mixed with mean/median/stddev/cv aggregates, NaN in a
cv aggregate, error rows, `library_build_type: debug` in the context).
"""

import copy
import csv
import json
import pathlib
import re

import numpy as np
import pytest

from hotbench import cli, compare, gbench, metrics, tidy

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "compare"
RUN1, RUN2 = FIXTURES / "gbench-run1.json", FIXTURES / "gbench-run2.json"

BENCHMARKS = {  # name -> real_time_ns of the baseline
    "json/parse/rapidjson/catalog": 40_000.0,
    "json/parse/simdjson:dom/catalog": 12_000.0,
    "json/serialize/nlohmann/social": 2_600_000.0,
    "json/limit/memcpy/social": 19_000.0,
}

META = {
    "schema_version": 1,
    "machine": {"cpu_model": "Intel(R) Xeon(R) Processor"},
    "build": {"build_type": "Release", "cxx_flags": "-O3 -DNDEBUG -march=native", "compiler": "12.2.0"},
    "libraries": {"boost": "1_81", "rapidjson": "1.1.0", "simdjson": "3.0.1", "nlohmann_json": "3.11.2"},
    "datasets": [{"name": "catalog", "sha256": "aa" * 32}, {"name": "social", "sha256": "bb" * 32}],
}


def make_rows(seed=0, reps=5, noise=0.01, scale=None, only=None, metric="real_time_ns", errors=(), base=None):
    """Rows with `reps` repetitions per benchmark and relative noise `noise`; `scale` plants changes."""
    rng = np.random.default_rng(seed)
    rows = []
    for name, value in (base or BENCHMARKS).items():
        if only is not None and name not in only:
            continue
        factor = (scale or {}).get(name, 1.0)
        for rep in range(reps):
            row = {"schema_version": 1, "run_id": f"run{seed}", "benchmark": name, **gbench.split_name(name),
                   "threads": 1, "repetition": rep, "process": 0, "status": "ok", "error_message": "", "label": ""}
            if name in errors:
                row.update(status="error", error_message=f"{name}: planted failure")
            else:
                v = value * factor * (1 + noise * rng.standard_normal())
                row[metric] = v
                if metric == "real_time_ns":
                    row["input_mb_per_s"] = 4487 / v * 1e3
                    row["allocs_per_op"] = 7.0
            rows.append(row)
    return rows


def write_result(path: pathlib.Path, rows, meta=None) -> pathlib.Path:
    """A result set directory (with metadata.json) when meta is given, else a plain tidy CSV."""
    if meta is None:
        tidy.write_csv(path.with_suffix(".csv"), rows)
        return path.with_suffix(".csv")
    path.mkdir()
    tidy.write_csv(path / "results.csv", rows)
    (path / "metadata.json").write_text(json.dumps(meta))
    return path


def run(capsys, *argv):
    code = cli.main(["compare", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def verdicts(csv_path):
    return {r["benchmark"]: r for r in csv.DictReader(open(csv_path))}


# ---------------------------------------------------------------- verdicts

def test_aa_with_small_noise_is_no_change(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1), META)
    b = write_result(tmp_path / "b", make_rows(seed=2), META)
    code, out, err = run(capsys, a, b, "-o", tmp_path / "c.csv")
    assert code == 0 and err == ""
    assert {r["verdict"] for r in verdicts(tmp_path / "c.csv").values()} == {"no change"}
    assert "4 compared: 0 faster, 0 slower, 4 no change, 0 unresolved" in out
    assert "-> no change" in out


def test_planted_changes_are_found(tmp_path, capsys):
    slow, fast = "json/parse/rapidjson/catalog", "json/limit/memcpy/social"
    a = write_result(tmp_path / "a", make_rows(seed=1))
    b = write_result(tmp_path / "b", make_rows(seed=2, scale={slow: 1.3, fast: 0.7}))
    code, out, _ = run(capsys, a, b, "-o", tmp_path / "c.csv")
    v = verdicts(tmp_path / "c.csv")
    assert code == 0
    assert v[slow]["verdict"] == "slower" and float(v[slow]["ci_low"]) > 1.05
    assert v[fast]["verdict"] == "faster" and float(v[fast]["ci_high"]) < 1 / 1.05
    assert {v[n]["verdict"] for n in v if n not in (slow, fast)} == {"no change"}
    assert "note: neither input records build metadata" in out


def test_throughput_down_is_slower_and_agrees_with_time(tmp_path, capsys):
    slow = "json/parse/rapidjson/catalog"
    a = write_result(tmp_path / "a", make_rows(seed=1))
    b = write_result(tmp_path / "b", make_rows(seed=2, scale={slow: 1.3}))
    run(capsys, a, b, "--metric", "input_mb_per_s", "-o", tmp_path / "t.csv")
    v = verdicts(tmp_path / "t.csv")
    assert v[slow]["verdict"] == "slower" and float(v[slow]["ratio"]) < 0.8
    assert v[slow]["better"] == "higher"


def test_words_follow_the_metric():
    allocs, size, time = metrics.get("allocs_per_op"), metrics.get("input_bytes"), metrics.get("real_time_ns")
    assert (allocs.shift_word("higher"), allocs.shift_word("lower")) == ("worse", "better")
    assert (size.shift_word("higher"), size.shift_word("same")) == ("higher", "no change")
    assert time.shift_word("lower") == "faster"
    assert metrics.get("ops_per_s").shift_word("higher") == "faster"
    assert metrics.get("hit_ratio").shift_word("lower") == "worse"


def test_band_edges_and_noise():
    m = metrics.get("real_time_ns")
    est = lambda lo, hi, n=5: compare.stats.RatioEstimate((lo + hi) / 2, lo, hi, 1, 1, n, n, False, 0.95, None)  # noqa: E731
    assert compare.decide_shift(est(0.96, 1.04), m, 0.05)[0] == "same"
    assert compare.decide_shift(est(1.06, 1.30), m, 0.05)[0] == "higher"
    assert compare.decide_shift(est(0.80, 0.94), m, 0.05)[0] == "lower"
    shift, reason = compare.decide_shift(est(1.01, 1.20), m, 0.05)
    assert shift == "unresolved" and "crosses the no-change band [0.952, 1.050]" in reason
    shift, reason = compare.decide_shift(est(1.5, 1.5, n=2), m, 0.05)
    assert shift == "unresolved" and reason.startswith("too few repetitions")


def test_too_few_repetitions_is_unresolved(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1, reps=2))
    b = write_result(tmp_path / "b", make_rows(seed=2, reps=5, scale={"json/parse/rapidjson/catalog": 2.0}))
    code, out, _ = run(capsys, a, b)
    assert code == 0
    assert "4 unresolved" in out
    assert "Unresolved for too few repetitions (4):" in out
    assert "too few repetitions (2 and 5; need 3 on each side)" in out
    assert "(no interval: too few repetitions)" in out
    code, out, _ = run(capsys, a, b, "--min-repetitions", "2")
    assert "slower" in out.split("json/parse/rapidjson/catalog")[1].splitlines()[0]


def test_deterministic_metric_with_one_repetition(tmp_path, capsys):
    base = {"json/parse/rapidjson/catalog": 1_000_000.0, "json/parse/nlohmann/catalog": 5_000_000.0}
    kw = dict(reps=1, noise=0.0, metric="instructions_per_op", base=base)
    a = write_result(tmp_path / "a", make_rows(seed=1, **kw))
    b = write_result(tmp_path / "b", make_rows(seed=2, scale={"json/parse/rapidjson/catalog": 1.02}, **kw))
    code, out, _ = run(capsys, a, b, "--metric", "instructions_per_op", "--threshold", "0.01", "-o", tmp_path / "c.csv")
    v = verdicts(tmp_path / "c.csv")
    assert code == 0
    assert v["json/parse/rapidjson/catalog"]["verdict"] == "worse"
    assert v["json/parse/rapidjson/catalog"]["ci_low"] == v["json/parse/rapidjson/catalog"]["ci_high"]
    assert v["json/parse/nlohmann/catalog"]["verdict"] == "no change"
    # A time metric with one repetition is never decided, however clear the ratio looks.
    a = write_result(tmp_path / "ta", make_rows(seed=1, reps=1))
    b = write_result(tmp_path / "tb", make_rows(seed=2, reps=1, scale={"json/parse/rapidjson/catalog": 2.0}))
    code, out, _ = run(capsys, a, b)
    assert "0 faster, 0 slower, 0 no change, 4 unresolved" in out


def test_one_sided_errored_and_missing_metric_are_listed(tmp_path, capsys):
    rows_a = make_rows(seed=1, only=["json/parse/rapidjson/catalog", "json/parse/simdjson:dom/catalog",
                                     "json/serialize/nlohmann/social"])
    rows_b = make_rows(seed=2, errors=["json/parse/simdjson:dom/catalog"])
    for r in rows_b:
        if r["benchmark"] == "json/serialize/nlohmann/social":
            r.pop("real_time_ns")
    a, b = write_result(tmp_path / "a", rows_a), write_result(tmp_path / "b", rows_b)
    code, out, _ = run(capsys, a, b, "-o", tmp_path / "c.csv")
    assert code == 0
    assert "Only in B (1):\n  json/limit/memcpy/social" in out
    assert "Errored, not compared (1):\n  json/parse/simdjson:dom/catalog: error in B: " \
           "json/parse/simdjson:dom/catalog: planted failure" in out
    assert "Skipped, no real_time_ns on one side (1):\n  json/serialize/nlohmann/social: no real_time_ns in B" in out
    v = verdicts(tmp_path / "c.csv")
    assert {n: r["verdict"] for n, r in v.items()} == {
        "json/parse/rapidjson/catalog": "no change", "json/parse/simdjson:dom/catalog": "error",
        "json/serialize/nlohmann/social": "no metric", "json/limit/memcpy/social": "only in B"}


def test_metric_some_benchmarks_never_report(tmp_path, capsys):
    rows = {seed: make_rows(seed=seed) for seed in (1, 2)}
    for r in rows[1] + rows[2]:
        if r["benchmark"].startswith("json/parse/"):
            r.pop("input_mb_per_s")  # like output_mb_per_s, which only serializers report
    a, b = write_result(tmp_path / "a", rows[1]), write_result(tmp_path / "b", rows[2])
    code, out, _ = run(capsys, a, b, "--metric", "input_mb_per_s")
    assert code == 0 and "2 compared" in out
    assert ("Skipped, no input_mb_per_s on either side (2):\n"
            "  json/parse/rapidjson/catalog, json/parse/simdjson:dom/catalog\n") in out
    code, out, err = run(capsys, a, b, "--metric", "instructions_per_op")
    assert code == 3 and "nothing to compare: no benchmark has instructions_per_op in both" in err


def test_partial_errors_are_noted(tmp_path, capsys):
    rows_b = make_rows(seed=2, reps=5)
    rows_b[0].update(status="error", error_message="flaky", real_time_ns=None)
    a, b = write_result(tmp_path / "a", make_rows(seed=1)), write_result(tmp_path / "b", rows_b)
    _, out, _ = run(capsys, a, b)
    assert "json/parse/rapidjson/catalog: 1 of 5 repetitions errored in B" in out


# ---------------------------------------------------------------- real Google Benchmark 1.7.1 output

def test_google_benchmark_json_with_aggregates_and_error_rows(tmp_path, capsys):
    code, out, err = run(capsys, RUN1, RUN2, "-o", tmp_path / "c.csv")
    assert code == 0 and err == ""
    v = verdicts(tmp_path / "c.csv")
    assert set(v) == {"json/parse/nlohmann/broken", "json/parse/rapidjson/catalog"}  # no _mean/_cv rows
    assert v["json/parse/rapidjson/catalog"]["n_a"] == "3" and v["json/parse/rapidjson/catalog"]["n_b"] == "3"
    assert v["json/parse/nlohmann/broken"]["verdict"] == "error"
    assert v["json/parse/nlohmann/broken"]["errors_a"] == "3"
    assert "invalid JSON: unexpected end of input inside an array" in out
    assert "neither input records the CPU model" in out  # 1.7.1's context has none: noted, not fatal


def test_google_benchmark_context_build_difference_is_not_comparable(tmp_path, capsys):
    doc = json.loads(RUN2.read_text())
    doc["context"]["hotbench_cxx_flags"] = "-O2 -g"
    doc["context"]["simdjson_version"] = "3.1.0"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc))
    code, out, err = run(capsys, RUN1, other)
    assert code == 3 and out == ""
    assert "not comparable" in err and "cxx_flags: '-O3 -DNDEBUG -march=native' (A) vs '-O2 -g' (B)" in err
    assert "libraries.simdjson: '3.0.1' (A) vs '3.1.0' (B)" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, RUN1, other, "--force")
    assert code == 0 and "compared despite different builds (--force)" in out


def test_result_set_fingerprint_and_dataset_mismatch(tmp_path, capsys):
    meta_b = copy.deepcopy(META)
    meta_b["build"]["build_type"] = "Debug"
    meta_b["datasets"][0]["sha256"] = "cc" * 32
    a = write_result(tmp_path / "a", make_rows(seed=1), META)
    b = write_result(tmp_path / "b", make_rows(seed=2), meta_b)
    code, _, err = run(capsys, a, b)
    assert code == 3
    assert "build_type: 'Release' (A) vs 'Debug' (B)" in err and "dataset catalog: sha256 aaaa" in err
    assert "--force" in err


def test_result_set_against_google_benchmark_json_notes_what_is_unchecked(tmp_path, capsys):
    rows = tidy.load_rows(RUN2)[0]
    a = write_result(tmp_path / "a", rows, META)
    code, out, _ = run(capsys, a, RUN2)
    assert code == 0
    assert "not checked: cpu_model (only A records it)" in out


# ---------------------------------------------------------------- the workload's own inputs (issue 9, item 10)

CACHE_CONTEXT = {"hotbench_suite": "cache", "cache_seed": "42", "cache_keys": "100000", "cache_requests": "1048576"}


def with_cache_suite(context=None, command=()):
    meta = copy.deepcopy(META)
    meta["suites"] = {"cache": {"command": ["build/release/hotbench_cache", *command], "processes": 1,
                                "benchmark_context": {**CACHE_CONTEXT, **(context or {})}}}
    return meta


@pytest.mark.parametrize("context, command, differs", [
    ({"cache_seed": "7"}, (), "cache seed: '42' (A) vs '7' (B)"),
    ({"cache_keys": "5000"}, (), "cache keys: '100000' (A) vs '5000' (B)"),
    ({"cache_requests": "65536"}, (), "cache requests: '1048576' (A) vs '65536' (B)"),
    ({"hotbench_injected_slowdown": ".:0.100000"}, (), "cache injected slowdown: 'none' (A) vs '.:0.100000' (B)"),
    ({}, ("--hotbench_set=some_future_key=3",), "cache settings: '(defaults)' (A) vs 'some_future_key=3' (B)"),
    ({"hotbench_settings": "watchdog_s=3"}, (), "cache settings: '(defaults)' (A) vs 'watchdog_s=3' (B)"),
])
def test_runs_of_different_workloads_are_refused_by_compare_and_check(tmp_path, capsys, context, command, differs):
    a = write_result(tmp_path / "a", make_rows(seed=1), with_cache_suite())
    b = write_result(tmp_path / "b", make_rows(seed=2), with_cache_suite(context, command))
    assert_bad_input(capsys, [a, b], "not comparable", differs, "--force")
    code, out, _ = run(capsys, a, b, "--force")
    assert code == 0 and differs in out
    code = cli.main(["check", "--baseline", str(a), "--current", str(b)])
    _, err = capsys.readouterr()
    assert code == 3 and "not comparable" in err and differs.replace("(A)", "(baseline)").replace("(B)", "(current)") in err
    code = cli.main(["check", "--baseline", str(a), "--current", str(b), "--force"])
    out, _ = capsys.readouterr()
    assert code != 3 and "differs: " + differs.replace("(A)", "(baseline)").replace("(B)", "(current)") in out


def test_settings_that_only_select_benchmarks_do_not_refuse(tmp_path, capsys):
    # policies=... and capacities=... only choose which benchmarks run; their names say so
    a = write_result(tmp_path / "a", make_rows(seed=1), with_cache_suite())
    b = write_result(tmp_path / "b", make_rows(seed=2), with_cache_suite(
        command=("--hotbench_set=policies=lru,sieve", "--hotbench_set=capacities=100")))
    code, out, err = run(capsys, a, b)
    assert code == 0, err


def test_google_benchmark_json_records_settings_and_slowdown_in_its_context(tmp_path, capsys):
    doc = json.loads(RUN2.read_text())
    assert doc["context"]["hotbench_suite"] == "json"
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps({**doc, "context": {**doc["context"], "hotbench_injected_slowdown": "parse:0.05"}}))
    assert_bad_input(capsys, [RUN1, slow], "json injected slowdown: 'none' (A) vs 'parse:0.05' (B)")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({**doc, "context": {**doc["context"], "hotbench_settings": ""}}))
    b.write_text(json.dumps({**doc, "context": {**doc["context"], "hotbench_settings": "novel=1"}}))
    assert_bad_input(capsys, [a, b], "json settings: '(defaults)' (A) vs 'novel=1' (B)")


# ---------------------------------------------------------------- different machines or days (issue 9)

def on(host, started):
    return dict(copy.deepcopy(META), machine={**META["machine"], "hostname_hash": host}, started_utc=started)


def floor_file(tmp_path, entries):
    path = tmp_path / "noise_floor.csv"
    path.write_text("benchmark,aa_pairs,max_abs_log_ratio,p95_abs_ratio_change\n"
                    + "".join(f"{name},13,0.5,{value}\n" for name, value in entries.items()))
    return path


def test_another_machine_a_week_later_is_not_a_confident_verdict(tmp_path, capsys):
    # The case: everything 35 % faster on another machine of the class; the A/A floor is 35-46 %.
    everything = {name: 0.65 for name in BENCHMARKS}
    a = write_result(tmp_path / "a", make_rows(seed=1), on("5bce98f73f3e", "2026-11-21T20:14:43+00:00"))
    b = write_result(tmp_path / "b", make_rows(seed=2, scale=everything), on("0123456789ab", "2026-11-28T20:00:00+00:00"))
    floor = floor_file(tmp_path, {"json/parse/rapidjson/catalog": 0.35, "json/parse/simdjson:dom/catalog": 0.46})
    code, out, _ = run(capsys, a, b, "--noise-floor", floor, "-o", tmp_path / "c.csv")
    assert code == 0
    assert "note: A and B come from different machines (host 5bce98f73f3e vs 0123456789ab) and started 7.0 days apart" in out
    v = verdicts(tmp_path / "c.csv")
    assert {r["verdict"] for r in v.values()} == {"unresolved"}
    assert float(v["json/parse/rapidjson/catalog"]["noise_floor"]) == 0.35
    assert float(v["json/parse/rapidjson/catalog"]["ci_high"]) > 1 / 1.05  # widened past the band: unresolved
    assert "no A/A noise floor" in v["json/limit/memcpy/social"]["note"]
    assert "Unresolved: different machines or days and no A/A noise floor for the benchmark (2):" in out
    assert "-> unresolved" in out and "no interval: no A/A noise floor for 2 of the benchmarks" in out
    # the same data from one machine and day is a confident "faster": the widening is what changed
    same = write_result(tmp_path / "same", make_rows(seed=2, scale=everything), on("5bce98f73f3e", "2026-11-21T21:00:00+00:00"))
    code, out, _ = run(capsys, a, same, "--noise-floor", floor)
    assert "4 compared: 4 faster" in out and "different machines" not in out


def test_counts_and_fractions_are_not_widened_across_machines(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1), on("aaaaaaaaaaaa", "2026-11-21T20:00:00+00:00"))
    b = write_result(tmp_path / "b", make_rows(seed=2), on("bbbbbbbbbbbb", "2026-11-21T20:30:00+00:00"))
    code, out, _ = run(capsys, a, b, "--metric", "allocs_per_op", "--noise-floor", floor_file(tmp_path, {}),
                       "-o", tmp_path / "c.csv")
    assert code == 0 and "different machines" in out
    assert {r["verdict"] for r in verdicts(tmp_path / "c.csv").values()} == {"no change"}
    # a fraction that varies (a concurrent cache's hit ratio) is not a time either: the floor does not apply
    a = write_result(tmp_path / "ha", make_rows(seed=1, metric="hit_ratio", base={"cache/x/lru/zipf": 0.8}),
                     on("aaaaaaaaaaaa", "2026-11-21T20:00:00+00:00"))
    b = write_result(tmp_path / "hb", make_rows(seed=2, metric="hit_ratio", base={"cache/x/lru/zipf": 0.8}),
                     on("bbbbbbbbbbbb", "2026-11-21T20:30:00+00:00"))
    code, out, _ = run(capsys, a, b, "--metric", "hit_ratio", "--noise-floor", floor_file(tmp_path, {}),
                       "-o", tmp_path / "h.csv")
    assert code == 0 and {r["verdict"] for r in verdicts(tmp_path / "h.csv").values()} == {"no change"}


def test_check_widens_and_says_so(tmp_path, capsys):
    slow = "json/parse/rapidjson/catalog"
    a = write_result(tmp_path / "a", make_rows(seed=1), on("aaaaaaaaaaaa", "2026-11-01T10:00:00+00:00"))
    b = write_result(tmp_path / "b", make_rows(seed=2, scale={slow: 1.3}), on("aaaaaaaaaaaa", "2026-11-03T10:00:00+00:00"))
    code = cli.main(["check", "--baseline", str(a), "--current", str(b)])
    out, _ = capsys.readouterr()
    assert code == 2 and "note: baseline and current come from started 2.0 days apart" in out
    assert f"UNRESOLVED  {slow}" in out  # a 30 % slowdown within the 28-46 % between-run noise: cannot tell
    c = write_result(tmp_path / "c", make_rows(seed=2, scale={slow: 1.3}), on("aaaaaaaaaaaa", "2026-11-01T11:00:00+00:00"))
    code = cli.main(["check", "--baseline", str(a), "--current", str(c)])
    out, _ = capsys.readouterr()
    assert code == 1 and f"REGRESSION  {slow}" in out


def test_unknown_origin_is_noted_not_widened(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1))
    b = write_result(tmp_path / "b", make_rows(seed=2))
    code, out, _ = run(capsys, a, b)
    assert code == 0 and "A and B record no host or start time: same machine and day assumed" in out


def test_bad_noise_floor_file_is_exit_3(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1), on("aaaaaaaaaaaa", "2026-11-01T10:00:00+00:00"))
    b = write_result(tmp_path / "b", make_rows(seed=2), on("bbbbbbbbbbbb", "2026-11-01T10:00:00+00:00"))
    bad = tmp_path / "floor.csv"
    bad.write_text("benchmark,p95_abs_ratio_change\nx,nan\n")
    assert_bad_input(capsys, [a, b, "--noise-floor", bad], f"{bad}: line 2: p95_abs_ratio_change 'nan'")


def test_processes_are_the_units(tmp_path, capsys):
    rows = make_rows(seed=1, reps=6)
    for r in rows:  # the second process of A ran 20 % slower: drift the repetitions of one process cannot show
        r["process"] = r["repetition"] // 3
        if r["process"] == 1:
            r["real_time_ns"] *= 1.2
    b_rows = make_rows(seed=2, reps=6)
    for r in b_rows:
        r["process"] = r["repetition"] // 3
    run(capsys, write_result(tmp_path / "a", rows), write_result(tmp_path / "b", b_rows), "-o", tmp_path / "c.csv")
    for r in rows + b_rows:
        r["process"] = 0  # the same values as if from one process each
    run(capsys, write_result(tmp_path / "a1", rows), write_result(tmp_path / "b1", b_rows), "-o", tmp_path / "p.csv")
    by_process, pooled = verdicts(tmp_path / "c.csv"), verdicts(tmp_path / "p.csv")
    assert {r["units"] for r in by_process.values()} == {"2+2 processes"}
    assert {r["units"] for r in pooled.values()} == {"6+6 repetitions"}
    for name, r in by_process.items():  # the drift widens the interval instead of hiding in the repetitions
        width = float(r["ci_high"]) / float(r["ci_low"])
        assert width > 2 * float(pooled[name]["ci_high"]) / float(pooled[name]["ci_low"]), name


# ---------------------------------------------------------------- outputs

def test_markdown_and_csv_outputs(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1), META)
    b = write_result(tmp_path / "b", make_rows(seed=2, scale={"json/parse/rapidjson/catalog": 1.3}), META)
    md, out_csv = tmp_path / "pr.md", tmp_path / "c.csv"
    code, _, _ = run(capsys, a, b, "-o", md, "-o", out_csv)
    assert code == 0
    text = md.read_text()
    assert text.startswith("### hotbench compare: `real_time_ns` (lower is better)")
    line = next(x for x in text.splitlines() if x.startswith("| `json/parse/rapidjson/catalog` |"))
    assert "**slower**" in line and re.search(r"\| \+(29|30|31)\.\d % \|", line)
    assert "Geometric mean of B/A over 4 benchmarks" in text
    assert "<details>" in text
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["benchmark"] for r in rows] == list(BENCHMARKS)
    assert rows[0]["metric"] == "real_time_ns" and rows[0]["unit"] == "ns per operation"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # atomic writes leave nothing behind


def test_terminal_table_fits_100_columns_with_long_names(tmp_path, capsys):
    long = "json/parse/simdjson:ondemand/a_really_long_dataset_name_that_goes_on_and_on_and_on"
    base = {long: 1000.0, "json/parse/nlohmann/x": 2000.0}
    a = write_result(tmp_path / "a", make_rows(seed=1, base=base))
    b = write_result(tmp_path / "b", make_rows(seed=2, base=base))
    code, out, _ = run(capsys, a, b)
    table = out.split("\n\n")[1].splitlines()
    assert table[0].startswith("benchmark")
    assert all(len(line) <= 100 for line in table)
    # truncated in the middle: the suite/task/library start and the dataset end both stay visible
    assert any(line.startswith("json/parse/simdjson:o") and ".._goes_on_and_on_and_on " in line for line in table)


def test_unregistered_column_in_the_data_compares_without_direction(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1, metric="queue_depth"))
    b = write_result(tmp_path / "b", make_rows(seed=2, metric="queue_depth",
                                               scale={"json/parse/rapidjson/catalog": 1.5}))
    code, out, _ = run(capsys, a, b, "--metric", "queue_depth")
    assert code == 0
    assert "queue_depth: direction unknown (the suite binaries built in build/release and build/release/counting " \
           "declare no such metric)" in out
    assert "higher" in out.split("json/parse/rapidjson/catalog")[1].splitlines()[0]


# ---------------------------------------------------------------- bad input: exit 3, one line naming the file

def assert_bad_input(capsys, argv, *fragments):
    code, out, err = run(capsys, *argv)
    assert code == 3, (code, out, err)
    assert err.startswith("hotbench: error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    for f in fragments:
        assert str(f) in err, (f, err)


def test_missing_file(tmp_path, capsys):
    assert_bad_input(capsys, [RUN1, tmp_path / "nope.json"], tmp_path / "nope.json", "no such file")
    assert_bad_input(capsys, [tmp_path / "nothing-here", RUN1], tmp_path / "nothing-here", "no such file")


def test_truncated_json(tmp_path, capsys):
    bad = tmp_path / "cut.json"
    bad.write_text(RUN1.read_text()[:3000])
    assert_bad_input(capsys, [RUN1, bad], bad, "invalid JSON", "truncated file?")


def test_json_that_is_not_google_benchmark(tmp_path, capsys):
    bad = tmp_path / "other.json"
    bad.write_text('{"hello": [1, 2]}')
    assert_bad_input(capsys, [bad, RUN1], bad, "no 'benchmarks' list")


def test_malformed_and_truncated_csv(tmp_path, capsys):
    good = write_result(tmp_path / "good", make_rows(seed=1))
    text = good.read_text()
    truncated = tmp_path / "truncated.csv"
    truncated.write_text(text[: len(text) - 40])
    assert_bad_input(capsys, [good, truncated], truncated, "truncated or malformed row")
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("this,is\nnot,a results file\n")
    assert_bad_input(capsys, [good, garbage], garbage, "not a hotbench results CSV")
    bad_number = tmp_path / "bad_number.csv"
    bad_number.write_text(text.replace(text.splitlines()[1].split(",")[-1], "fast", 1))
    # whichever column the last field is in, a non-number in a numeric column is named with its line
    code, _, err = run(capsys, good, bad_number)
    assert code == 3 and str(bad_number) in err


def test_result_set_with_no_rows(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "results.csv").write_text(",".join(tidy.COLUMNS) + "\n")
    assert_bad_input(capsys, [write_result(tmp_path / "a", make_rows(seed=1)), empty], empty, "no benchmark rows")


def test_incomplete_result_set(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1), META)
    b = write_result(tmp_path / "b", make_rows(seed=2), META)
    (b / "INCOMPLETE").write_text("")
    assert_bad_input(capsys, [a, b], b, "INCOMPLETE", "--allow-incomplete")
    assert run(capsys, a, b, "--allow-incomplete")[0] == 0


def test_mismatched_schema_versions(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1))
    rows_v2 = make_rows(seed=2)
    for r in rows_v2:
        r["schema_version"] = 2
    b = write_result(tmp_path / "b", rows_v2)
    assert_bad_input(capsys, [a, b], b, "schema version '2'", "reads version 1")
    meta_v2 = dict(META, schema_version=2)
    c = write_result(tmp_path / "c", make_rows(seed=3), meta_v2)
    assert_bad_input(capsys, [a, c], c / "metadata.json", "schema version 2")


def test_metadata_of_the_wrong_shape(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1), META)
    b = write_result(tmp_path / "b", make_rows(seed=2), dict(META, machine="a string"))
    assert_bad_input(capsys, [a, b], b / "metadata.json", "not the metadata layout")
    (b / "metadata.json").write_text('{"machine": ')
    assert_bad_input(capsys, [a, b], b / "metadata.json", "line 1, column 13: invalid JSON")


def test_no_benchmark_in_common(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1, only=["json/parse/rapidjson/catalog"]))
    b = write_result(tmp_path / "b", make_rows(seed=2, only=["json/limit/memcpy/social"]))
    assert_bad_input(capsys, [a, b], b, "no benchmark in common", a)


def test_unknown_metric(tmp_path, capsys):
    assert_bad_input(capsys, [RUN1, RUN2, "--metric", "real_time"], "unknown metric 'real_time'",
                     "real_time_ns", "instructions_per_op", "hit_ratio")


def test_bad_threshold_is_a_usage_error(capsys):
    code, _, err = run(capsys, RUN1, RUN2, "--threshold", "-1")
    assert code == 4 and "--threshold" in err


def test_unwritable_output_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, RUN1, RUN2, "-o", tmp_path / "no" / "such" / "dir.csv")
    assert code == 4 and "cannot write" in err and "Traceback" not in err


def test_help_describes_every_flag(capsys):
    with pytest.raises(SystemExit):
        cli.main(["compare", "--help"])
    out = capsys.readouterr().out
    for flag in ("--metric", "--threshold", "--min-repetitions", "--output", "FILE.md", "FILE.csv", "--force"):
        assert flag in out
