"""check.py: the CI gate's exit codes 0/1/2/3, the policy file, and JUnit output."""

import copy
import pathlib
import xml.etree.ElementTree as ET

import pytest

from hotbench import check, cli
from test_compare import BENCHMARKS, META, RUN1, RUN2, make_rows, write_result

ROOT = pathlib.Path(__file__).resolve().parents[2]
SLOW = "json/parse/rapidjson/catalog"


def run(capsys, baseline, current, *extra, policy=None):
    argv = ["check", "--baseline", str(baseline), "--current", str(current), *map(str, extra)]
    if policy is not None:
        argv += ["--policy", str(policy)]
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def policy_file(tmp_path, text) -> pathlib.Path:
    p = tmp_path / "gate.toml"
    p.write_text(text)
    return p


def junit(path):
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    return root, suite, cases


@pytest.fixture
def baseline(tmp_path):
    return write_result(tmp_path / "baseline", make_rows(seed=1), META)


# ---------------------------------------------------------------- exit codes

def test_aa_passes(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2), META)
    code, out, err = run(capsys, baseline, current, "-o", tmp_path / "j.xml")
    assert (code, err) == (0, "")
    assert "4 benchmarks checked: 4 pass, 0 regression(s), 0 unresolved" in out
    assert out.rstrip().endswith("result: PASS (exit 0)")
    root, suite, cases = junit(tmp_path / "j.xml")
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "0", "0")
    assert all(len(c) == 0 for c in cases.values())


def test_planted_regression_fails(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, scale={SLOW: 1.3}), META)
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml")
    assert code == 1
    assert f"REGRESSION  {SLOW}: slower: B/A 1.2" in out and "entirely above 1.100" in out
    assert "result: FAIL: 1 regression(s) (exit 1)" in out
    root, suite, cases = junit(tmp_path / "j.xml")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "0")
    failure = cases[SLOW].find("failure")
    assert failure is not None and failure.get("type") == "regression" and "slower" in failure.get("message")
    assert [n for n, c in cases.items() if len(c)] == [SLOW]


def test_small_change_within_threshold_and_improvements_pass(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, scale={SLOW: 1.04, "json/limit/memcpy/social": 0.5}),
                           META)
    assert run(capsys, baseline, current)[0] == 0


def test_throughput_drop_is_a_regression(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, scale={SLOW: 1.3}), META)
    code, out, _ = run(capsys, baseline, current, "--metric", "input_mb_per_s")
    assert code == 1 and "entirely below 0.909" in out


def test_too_few_repetitions_is_unresolved(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, reps=2), META)
    current = write_result(tmp_path / "current", make_rows(seed=2, reps=2, scale={SLOW: 1.3}), META)
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml")
    assert code == 2
    assert "UNRESOLVED  json/parse/rapidjson/catalog: too few repetitions (2 and 2; need 3 on each side)" in out
    assert "result: UNRESOLVED: 4 benchmark(s) could not be decided (exit 2)" in out
    _, suite, cases = junit(tmp_path / "j.xml")
    assert (suite.get("failures"), suite.get("skipped")) == ("0", "4")
    assert cases[SLOW].find("skipped").get("message").startswith("unresolved: too few repetitions")


def test_noisy_data_is_unresolved(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, only=[SLOW]), META)
    current = write_result(tmp_path / "current", make_rows(seed=2, noise=0.3, only=[SLOW]), META)
    code, out, _ = run(capsys, baseline, current)
    assert code == 2 and f"UNRESOLVED  {SLOW}: B/A" in out and "crosses the limit 1.100" in out


def test_regression_wins_over_unresolved(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1), META)
    rows = make_rows(seed=2, scale={SLOW: 1.5})
    rows = [r for r in rows if not (r["benchmark"] == "json/limit/memcpy/social" and r["repetition"] > 0)]
    current = write_result(tmp_path / "current", rows, META)
    code, out, _ = run(capsys, baseline, current)
    assert code == 1 and "1 regression(s), 1 unresolved" in out


def test_errored_benchmark_is_unresolved(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, errors=[SLOW]), META)
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml")
    assert code == 2
    assert f"UNRESOLVED  {SLOW}: error in current: {SLOW}: planted failure" in out
    _, suite, cases = junit(tmp_path / "j.xml")
    assert cases[SLOW].find("skipped").get("message").startswith("unresolved: error in current")


# ---------------------------------------------------------------- item 6: benchmarks that disappear

GONE = "json/limit/memcpy/social"


def test_a_missing_benchmark_fails(tmp_path, capsys, baseline):
    """Planted defect: the current result lacks one baseline benchmark. The old gate said PASS (exit 0)."""
    current = write_result(tmp_path / "current", make_rows(seed=2, only=[n for n in BENCHMARKS if n != GONE]), META)
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml")
    assert code == 1
    assert f"MISSING     {GONE}: in the baseline, not in the current result" in out
    assert "1 missing from current (a failure)" in out
    assert out.rstrip().endswith("result: FAIL: 1 benchmark(s) missing (exit 1)")
    root, suite, cases = junit(tmp_path / "j.xml")
    assert (root.get("failures"), suite.get("failures")) == ("1", "1")
    failure = cases[GONE].find("failure")
    assert failure is not None and failure.get("type") == "missing"


def test_holding_one_of_the_baseline_rows_fails(tmp_path, capsys, baseline):
    """The issue's reproduction: a current result with 1 of the baseline's benchmarks."""
    current = write_result(tmp_path / "current", make_rows(seed=2, only=[SLOW]), META)
    code, out, _ = run(capsys, baseline, current)
    assert code == 1 and "1 benchmarks checked: 1 pass" in out and f"{len(BENCHMARKS) - 1} benchmark(s) missing" in out


def test_a_missing_benchmark_with_an_error_elsewhere_still_fails(tmp_path, capsys, baseline):
    rows = make_rows(seed=2, errors=[SLOW], only=[n for n in BENCHMARKS if n != GONE])
    current = write_result(tmp_path / "current", rows, META)
    code, out, _ = run(capsys, baseline, current)
    assert code == 1 and "UNRESOLVED  " + SLOW in out and "MISSING     " + GONE in out


def test_removed_with_a_reason_is_listed_not_failed(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, only=[n for n in BENCHMARKS if n != GONE]), META)
    policy = policy_file(tmp_path, f'''
        [[removed]]
        pattern = "^{GONE}$"
        reason = "memcpy limit replaced by json/limit/copy (PR 42)"
        [[removed]]
        pattern = "^json/parse/yajl/"
        reason = "yajl dropped"
    ''')
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml", policy=policy)
    assert code == 0
    assert f"REMOVED     {GONE}: removed by the policy ('^{GONE}$': memcpy limit replaced by json/limit/copy (PR 42))" in out
    assert "note: [[removed]] '^json/parse/yajl/' matches no baseline benchmark" in out
    _, suite, cases = junit(tmp_path / "j.xml")
    assert suite.get("failures") == "0" and cases[GONE].find("skipped").get("message").startswith("removed:")


def test_removed_entry_naming_a_present_benchmark_is_gated_as_usual(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, scale={SLOW: 1.3}), META)
    policy = policy_file(tmp_path, f'[[removed]]\npattern = "{SLOW}"\nreason = "going away"\n')
    code, out, _ = run(capsys, baseline, current, policy=policy)
    assert code == 1 and f"REGRESSION  {SLOW}" in out and "matches 1 benchmark(s) still present" in out


def test_ignore_does_not_excuse_a_missing_benchmark(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, only=[n for n in BENCHMARKS if n != GONE]), META)
    policy = policy_file(tmp_path, f'[[overrides]]\npattern = "{GONE}"\nignore = true\n')
    code, out, _ = run(capsys, baseline, current, policy=policy)
    assert code == 1 and "MISSING     " + GONE in out


def test_new_benchmarks_are_listed_not_failed(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, only=[SLOW]), META)
    current = write_result(tmp_path / "current", make_rows(seed=2), META)
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml")
    assert code == 0 and f"NEW         {GONE}: in the current result, not in the baseline" in out
    assert f"{len(BENCHMARKS) - 1} new" in out
    assert junit(tmp_path / "j.xml")[2][GONE].find("skipped").get("message").startswith("new:")


def test_instruction_counts_with_one_repetition(tmp_path, capsys):
    base = {"json/parse/rapidjson/catalog": 1_000_000.0, "json/parse/nlohmann/catalog": 5_000_000.0}
    kw = dict(reps=1, noise=0.0, metric="instructions_per_op", base=base)
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, **kw), META)
    small = write_result(tmp_path / "small", make_rows(seed=2, scale={SLOW: 1.005}, **kw), META)
    large = write_result(tmp_path / "large", make_rows(seed=2, scale={SLOW: 1.02}, **kw), META)
    code, out, _ = run(capsys, baseline, small, "--metric", "instructions_per_op")
    assert code == 0 and "2 pass" in out  # 0.5 % < 1 %: a zero-width interval, decided by the ratio
    code, out, _ = run(capsys, baseline, large, "--metric", "instructions_per_op", "-o", tmp_path / "j.xml")
    assert code == 1 and f"REGRESSION  {SLOW}: worse: B/A 1.020" in out
    assert junit(tmp_path / "j.xml")[1].get("failures") == "1"
    # Counts that are not identical across repetitions are not deterministic: they need min_repetitions.
    noisy = write_result(tmp_path / "noisy", make_rows(seed=3, reps=2, noise=0.001, metric="instructions_per_op",
                                                       base=base), META)
    code, out, _ = run(capsys, baseline, noisy, "--metric", "instructions_per_op")
    assert code == 2 and "need 3 on each side" in out


def test_time_metric_with_one_repetition_is_unresolved(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, reps=1), META)
    current = write_result(tmp_path / "current", make_rows(seed=2, reps=1, scale={SLOW: 3.0}), META)
    assert run(capsys, baseline, current)[0] == 2


def test_real_google_benchmark_files(capsys):
    code, out, _ = run(capsys, RUN1, RUN2)
    assert code == 2  # the broken dataset errored on both sides: unresolved
    assert "UNRESOLVED  json/parse/nlohmann/broken: error in baseline: /tmp/cmpfx/broken.json: line 1" in out
    # rapidjson's baseline repetitions are 81, 46 and 39 us: with that spread, 3 repetitions cannot exclude
    # a 10 % regression at 95 % (the t-interval on logs; the former bootstrap said "pass" at ~90 %)
    assert "UNRESOLVED  json/parse/rapidjson/catalog: B/A 0.567, 95 % CI [0.253, 1.275] crosses the limit" in out
    assert "2 benchmarks checked: 0 pass, 0 regression(s), 2 unresolved" in out


# ---------------------------------------------------------------- the policy

def test_the_committed_policy_loads():
    p = check.load_policy(ROOT / "results" / "gate.toml")
    assert p.default_metric == "real_time_ns" and p.min_repetitions == 3 and p.confidence == 0.95
    assert p.thresholds["real_time_ns"] == 0.10 and p.thresholds["instructions_per_op"] == 0.01


def test_overrides_first_match_wins(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, scale={SLOW: 1.3}), META)
    looser = policy_file(tmp_path, '''
        [thresholds]
        real_time_ns = 0.10
        [[overrides]]
        pattern = "rapidjson/cat"
        thresholds = { real_time_ns = 0.50 }
        [[overrides]]
        pattern = "^json/parse/"
        ignore = true
    ''')
    code, out, _ = run(capsys, baseline, current, policy=looser)
    assert code == 0 and "IGNORED     json/parse/simdjson:dom/catalog: ignored by the policy ('^json/parse/')" in out
    assert f"IGNORED     {SLOW}" not in out  # its first matching override only loosened the threshold
    ignoring = policy_file(tmp_path, f'''
        [[overrides]]
        pattern = "{SLOW}$"
        ignore = true
        reason = "known flaky"
    ''')
    code, out, _ = run(capsys, baseline, current, "-o", tmp_path / "j.xml", policy=ignoring)
    assert code == 0 and "known flaky" in out
    assert junit(tmp_path / "j.xml")[2][SLOW].find("skipped").get("message").startswith("ignored:")
    stricter = policy_file(tmp_path, 'min_repetitions = 6\n')
    assert run(capsys, baseline, current, policy=stricter)[0] == 2


def test_default_metric_from_policy(tmp_path, capsys, baseline):
    current = write_result(tmp_path / "current", make_rows(seed=2, scale={SLOW: 1.3}), META)
    p = policy_file(tmp_path, 'default_metric = "allocs_per_op"\n')
    code, out, _ = run(capsys, baseline, current, policy=p)
    assert code == 0 and out.startswith("hotbench check: allocs_per_op")


@pytest.mark.parametrize("text, fragment", [
    ("threshold = 0.1\n", "unknown key(s) threshold"),
    ("[thresholds]\nreal_time = 0.1\n", "unknown metric 'real_time'"),
    ("[thresholds]\nreal_time_ns = -0.1\n", "non-negative fraction"),
    ("default_metric = 'wall_time'\n", "unknown metric 'wall_time'"),
    ("min_repetitions = 0\n", "min_repetitions"),
    ("confidence = 95\n", "confidence"),
    ("[[overrides]]\nignore = true\n", "needs a pattern"),
    ("[[overrides]]\npattern = '('\n", "not a valid regular expression"),
    ("[[overrides]]\npattern = 'x'\nthreshold = 0.2\n", "unknown key(s) threshold"),
    ("[thresholds\n", "invalid TOML"),
    ("[[removed]]\npattern = 'x'\n", "removed[0]: needs a reason"),
    ("[[removed]]\npattern = 'x'\nreason = '  '\n", "removed[0]: needs a reason"),
    ("[[removed]]\nreason = 'gone'\n", "removed[0]: needs a pattern"),
    ("[[removed]]\npattern = 'x'\nreason = 'gone'\nignore = true\n", "removed[0]: unknown key(s) ignore"),
    ("removed = 'x'\n", "removed must be an array of tables"),
    ("[[overrides]]\npattern = 'a{99999999999}'\n", "overrides[0].pattern: 'a{99999999999}' is not a valid"),
    ("[thresholds]\nreal_time_ns = 1" + "0" * 400 + "\n", "thresholds.real_time_ns: a threshold is"),
    ('"a\\nb" = 1\n', "unknown key(s) 'a\\nb'"),  # a newline inside a key stays escaped: one line
])
def test_bad_policy_is_exit_3(tmp_path, capsys, baseline, text, fragment):
    p = policy_file(tmp_path, text)
    code, _, err = run(capsys, baseline, baseline, policy=p)
    assert code == 3 and str(p) in err and fragment in err and len(err.strip().splitlines()) == 1


def test_missing_policy_file(tmp_path, capsys, baseline):
    code, _, err = run(capsys, baseline, baseline, policy=tmp_path / "none.toml")
    assert code == 3 and "none.toml: no such policy file" in err


# ---------------------------------------------------------------- exit 3: not comparable, bad input

def test_fingerprint_mismatch_is_not_comparable(tmp_path, capsys, baseline):
    meta = copy.deepcopy(META)
    meta["machine"]["cpu_model"] = "AMD EPYC 7B13"
    current = write_result(tmp_path / "current", make_rows(seed=2), meta)
    code, out, err = run(capsys, baseline, current)
    assert code == 3 and out == ""
    assert "not comparable" in err and "cpu_model: 'Intel(R) Xeon(R) Processor' (baseline) vs 'AMD EPYC 7B13'" in err
    assert "refresh the baseline (see README, 'CI gate')" in err


def test_nothing_in_common_is_every_baseline_benchmark_missing(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, only=[SLOW]), META)
    current = write_result(tmp_path / "current", make_rows(seed=2, only=[GONE]), META)
    code, out, _ = run(capsys, baseline, current)
    assert code == 1 and "MISSING     " + SLOW in out and "NEW         " + GONE in out


def test_nothing_compared_and_nothing_missing_is_not_a_pass(tmp_path, capsys):
    baseline = write_result(tmp_path / "baseline", make_rows(seed=1, only=[SLOW]), META)
    current = write_result(tmp_path / "current", make_rows(seed=2, only=[GONE]), META)
    policy = policy_file(tmp_path, '[[removed]]\npattern = "."\nreason = "everything renamed"\n')
    code, out, err = run(capsys, baseline, current, policy=policy)
    assert code == 3 and "nothing comparable: no benchmark" in err and str(current) in err


def test_metric_absent_from_both_is_nothing_comparable(tmp_path, capsys, baseline):
    code, _, err = run(capsys, baseline, baseline, "--metric", "instructions_per_op")
    assert code == 3 and "no benchmark has instructions_per_op" in err


@pytest.mark.parametrize("metric, fragment", [("real_time", "unknown metric 'real_time'"),
                                              ("input_bytes", "no better direction")])
def test_unusable_metric(capsys, baseline, metric, fragment):
    code, _, err = run(capsys, baseline, baseline, "--metric", metric)
    assert code == 3 and fragment in err


def test_bad_inputs(tmp_path, capsys, baseline):
    truncated = tmp_path / "cut.json"
    truncated.write_text(RUN2.read_text()[:2000])
    for bad, fragment in ((tmp_path / "missing", "no such file"), (truncated, "invalid JSON")):
        code, _, err = run(capsys, baseline, bad)
        assert code == 3 and str(bad) in err and fragment in err and "Traceback" not in err


def test_help_lists_the_flags(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    for flag in ("--baseline", "--current", "--policy", "--output", "--metric", "0 pass; 1 at least one regression"):
        assert flag in out
