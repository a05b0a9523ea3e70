"""metrics.py: metrics as the suites declare them, from the result sets' recorded descriptions, else the
built binaries (conftest.SYNTHETIC stands for those here), else undeclared (no direction)."""

import copy

import pytest

from conftest import metric, synthetic_description
from hotbench import check, cli, compare, metrics
from hotbench.errors import BadInput
from test_compare import META, make_rows, write_result


def recording(*descriptions) -> dict:
    """A result set's metadata recording these suite descriptions."""
    meta = copy.deepcopy(META)
    meta["suites"] = {d["suite"]: {"command": [], "processes": 1, "benchmark_context": {}, "description": d}
                      for d in descriptions}
    return meta


EVICTIONS = metric("evictions_per_s", "evictions/s", "higher", "throughput", source="suite")


def test_a_metric_only_the_recorded_description_declares_is_found_with_its_direction():
    meta = recording(synthetic_description("cache", [EVICTIONS]))
    assert metrics.default().lookup("evictions_per_s") is None  # the built binaries do not declare it
    m = metrics.for_results(meta).get("evictions_per_s")
    assert (m.unit, m.better, m.kind, m.suites, m.declared) == ("evictions/s", "higher", "throughput", ("cache",), True)
    assert m.shift_word("lower") == "slower" and m.better_text == "higher is better"


def test_the_recorded_declaration_wins_over_the_built_binaries():
    changed = synthetic_description("json")
    changed["metrics"] = [dict(m, unit="us per operation") if m["name"] == "real_time_ns" else m
                          for m in changed["metrics"]]
    assert metrics.for_results(recording(changed)).get("real_time_ns").unit == "us per operation"
    assert metrics.for_results({}).get("real_time_ns").unit == "ns per operation"  # nothing recorded: built


def test_harness_and_suite_metrics_of_a_synthetic_description():
    registry = metrics.of_descriptions({"cache": synthetic_description("cache", [EVICTIONS])})
    time, allocs, size = registry.get("real_time_ns"), registry.get("allocs_per_op"), registry.get("input_bytes")
    assert (time.better, time.kind, time.shift_word("lower")) == ("lower", "time", "faster")
    assert (allocs.deterministic, allocs.shift_word("higher"), allocs.shift_word("lower")) == (True, "worse", "better")
    assert (size.better, size.shift_word("higher"), size.better_text) == (None, "higher", "no better direction")
    assert registry.get("evictions_per_s", suite="cache").shift_word("higher") == "faster"


def test_harness_and_suite_metrics_of_the_built_binaries(built_descriptions):
    registry = metrics.of_descriptions(built_descriptions)
    for suite, d in built_descriptions.items():
        for entry in d["metrics"]:  # every declaration reads back as its suite declared it
            m = registry.get(entry["name"], suite=suite)
            assert (m.unit, m.better, m.kind, m.deterministic) == (entry["unit"], entry["better"], entry["kind"],
                                                                   entry["deterministic"])
    harness = {e["name"] for d in built_descriptions.values() for e in d["metrics"] if e["from"] == "harness"}
    assert "real_time_ns" in harness and registry.get("real_time_ns").shift_word("lower") == "faster"
    if "cache" in built_descriptions:
        hit = registry.get("hit_ratio", suite="cache")
        assert hit.suites == ("cache",) and hit.shift_word("lower") == "worse" and hit.unit == "fraction"


def test_one_name_declared_differently_by_two_suites_is_merged_and_per_suite():
    registry = metrics.default()  # conftest: cache capacity in entries, queue capacity in messages
    both = registry.get("capacity")
    assert both.unit == "entries (cache); messages (queue)" and both.suites == ("cache", "queue")
    assert both.better is None and both.deterministic
    assert registry.get("capacity", suite="queue").unit == "messages"
    assert registry.get("capacity", suite="cache").unit == "entries"
    with pytest.raises(BadInput, match="unknown metric 'capacity'"):
        registry.get("capacity", suite="json")


def test_directions_that_disagree_leave_none():
    lower = synthetic_description("a", [metric("x", "s", "lower", "time")])
    higher = synthetic_description("b", [metric("x", "s", "higher", "time")])
    x = metrics.of_descriptions({"a": lower, "b": higher}).get("x")
    assert x.better is None and x.unit == "s" and x.suites == ("a", "b")


def test_duplicate_names_of_the_built_binaries_resolve(built_descriptions):
    registry = metrics.of_descriptions(built_descriptions)
    for name in registry.known_names():
        declared = {(s, e["unit"]) for s, d in built_descriptions.items() for e in d["metrics"] if e["name"] == name}
        merged = registry.get(name)
        assert all(unit in merged.unit for _, unit in declared)


def test_a_column_nobody_declares_has_no_direction():
    registry = metrics.for_results({})
    m = registry.resolve("queue_depth", {"queue_depth"})
    assert not m.declared and m.better is None and m.better_text == "direction unknown"
    assert m.shift_word("higher") == "higher"
    with pytest.raises(BadInput, match=r"unknown metric 'queue_dpth'; known metrics: iterations, .*; other numeric "
                                       r"columns in the input: queue_depth"):
        registry.resolve("queue_dpth", {"queue_depth", "real_time_ns"})


def test_no_description_anywhere_says_so(monkeypatch):
    from hotbench import describe
    monkeypatch.setattr(describe, "all_built", lambda build_dirs=None, profile="default": {})
    registry = metrics.for_results({})
    assert registry.empty
    with pytest.raises(BadInput, match="no metric is known: the suite binaries built in build/release"):
        registry.get("real_time_ns")


@pytest.mark.parametrize("description, fragment", [
    ({"suite": "cache", "metrics": "many"}, "suites.cache.description: not a suite description"),
    ({"suite": "cache", "metrics": [{"unit": "s"}]}, "suite 'cache': metrics[0]: not a metric declaration"),
    ({"suite": "cache", "metrics": [{"name": "x", "better": "up"}]}, "metrics[0] (x): better must be lower, higher"),
])
def test_a_malformed_recorded_description_is_bad_input(description, fragment):
    meta = recording({"suite": "cache", "metrics": []})
    meta["suites"]["cache"]["description"] = description
    with pytest.raises(BadInput, match=fragment.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        metrics.for_results(meta).get("whatever")


def test_reading_uses_the_result_sets_descriptions_below_the_entry_point():
    @metrics.reading("meta")
    def plot_like(rows, meta):
        return metrics.default().lookup("evictions_per_s")

    assert plot_like([], recording(synthetic_description("cache", [EVICTIONS]))).unit == "evictions/s"
    assert plot_like([], {}) is None and metrics.default().lookup("evictions_per_s") is None


def test_compare_takes_the_direction_from_the_recorded_description(tmp_path, capsys):
    meta = recording(synthetic_description("json", [EVICTIONS]))
    a = write_result(tmp_path / "a", make_rows(seed=1, metric="evictions_per_s"), meta)
    b = write_result(tmp_path / "b", make_rows(seed=2, metric="evictions_per_s",
                                               scale={"json/parse/rapidjson/catalog": 1.5}), meta)
    assert cli.main(["compare", str(a), str(b), "--metric", "evictions_per_s"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("hotbench compare: evictions_per_s (evictions/s, higher is better)")
    assert "faster" in out.split("json/parse/rapidjson/catalog")[1].splitlines()[0]


def test_check_refuses_to_gate_on_a_metric_of_unknown_direction(tmp_path, capsys):
    a = write_result(tmp_path / "a", make_rows(seed=1, metric="queue_depth"), META)
    b = write_result(tmp_path / "b", make_rows(seed=2, metric="queue_depth"), META)
    policy = tmp_path / "p.toml"
    policy.write_text("")
    code = cli.main(["check", "--baseline", str(a), "--current", str(b), "--policy", str(policy),
                     "--metric", "queue_depth"])
    err = capsys.readouterr().err
    assert code == 3 and "queue_depth: direction unknown (the suite binaries built in build/release and " \
                         "build/release/counting declare no such metric), so it cannot be gated" in err


def test_policy_metric_names_are_checked_only_when_some_description_is_available(tmp_path, monkeypatch):
    text = b"[thresholds]\nevictions_per_s = 0.1\n"
    with pytest.raises(BadInput, match="unknown metric 'evictions_per_s'"):
        check.parse_policy(text, tmp_path / "p.toml")
    from hotbench import describe
    monkeypatch.setattr(describe, "all_built", lambda build_dirs=None, profile="default": {})
    assert check.parse_policy(text, tmp_path / "p.toml").thresholds == {"evictions_per_s": 0.1}



def test_under_valgrind_the_declared_clock_readings_are_dropped(built_descriptions, tmp_path):
    from hotbench import describe, instructions
    binaries = describe.built(describe.BUILD_DIRS[0]) or describe.built(describe.BUILD_DIRS[1])
    suite, binary = next(iter(binaries.items()))
    dropped = instructions.timed_columns(binary)
    for entry in built_descriptions[suite]["metrics"]:
        clock = entry["kind"] in ("time", "throughput") and not entry["deterministic"]
        assert (entry["name"] in dropped) == clock, entry["name"]
    # a binary that cannot describe itself: Google Benchmark's own timings at least
    assert instructions.timed_columns(tmp_path / "missing") == {"real_time_ns", "cpu_time_ns"}
