"""summary.answers: per task and group, the best implementation, the runner-up, their ratio and the
distance of each to the task's floor (summary.FLOORS), from synthetic rows."""

import pathlib

import pytest

from hotbench import summary, tidy

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "results" / "reference"


def row(suite, task, library, dataset, values, variant="", params="", status="ok", repetition=0):
    r = {"schema_version": 1, "run_id": "t", "benchmark": f"{suite}/{task}/{library}/{dataset}/{params}",
         "suite": suite, "task": task, "library": library, "variant": variant, "dataset": dataset,
         "params": params, "threads": 1, "repetition": repetition, "process": 0, "label": "", "status": status,
         "error_message": "boom" if status == "error" else ""}
    r.update(values)
    return r


def reps(suite, task, library, dataset, metric, values, **kw):
    return [row(suite, task, library, dataset, {metric: v}, repetition=i, **kw) for i, v in enumerate(values)]


def only(answers, suite, task, group=None):
    found = [a for a in answers[suite] if a.task == task and (group is None or a.group == group)]
    assert len(found) == 1, [(a.task, a.group) for a in answers[suite]]
    return found[0]


def json_rows():
    rows = []
    # by the median simdjson wins (400 > 300); by the mean or the max nlohmann would (1000)
    rows += reps("json", "parse", "simdjson", "social", "input_mb_per_s", [390, 400, 410])
    rows += reps("json", "parse", "nlohmann", "social", "input_mb_per_s", [100, 300, 2600])
    rows += reps("json", "parse", "rapidjson", "social", "input_mb_per_s", [200, 200, 200])
    # an error row with a huge value must not count; it is counted as an error
    rows.append(row("json", "parse", "rapidjson", "social", {"input_mb_per_s": 1e9}, status="error"))
    # another dataset: a separate group, never compared with social
    rows += reps("json", "parse", "rapidjson", "tiny", "input_mb_per_s", [50])
    rows += reps("json", "limit", "memcpy", "social", "input_mb_per_s", [8000, 8000, 8000])
    rows += reps("json", "serialize", "boost_json", "social", "output_mb_per_s", [800])
    rows += reps("json", "serialize", "nlohmann", "social", "output_mb_per_s", [200])
    return rows


def test_best_runner_up_ratio_and_floor_of_a_higher_is_better_task():
    answers = summary.answers(json_rows())
    social = only(answers, "json", "parse", "social")
    assert (social.best.name, social.best.median) == ("simdjson", 400)
    assert (social.runner_up.name, social.runner_up.median) == ("nlohmann", 300)
    assert social.ratio == pytest.approx(400 / 300)
    assert (social.error_rows, social.rows) == (1, 10)
    assert social.floor.name == "memcpy" and social.floor.median == 8000
    assert social.to_floor(social.best) == pytest.approx(20.0)  # memcpy is 20x faster
    assert social.to_floor(social.runner_up) == pytest.approx(8000 / 300)
    tiny = only(answers, "json", "parse", "tiny")
    assert tiny.runner_up is None and tiny.ratio is None
    assert tiny.floor is None and tiny.floor_note.startswith("no floor rows in this input")


def test_serialize_is_bounded_by_memcpy_and_the_limit_task_is_the_floor():
    answers = summary.answers(json_rows())
    serialize = only(answers, "json", "serialize")
    assert serialize.floor.median == 8000 and serialize.to_floor(serialize.best) == pytest.approx(10.0)
    assert only(answers, "json", "limit").floor_note == "is the floor"
    assert [a.task for a in answers["json"]][-1] == "limit"  # floors last: the yardstick, not the race


def test_lower_is_better_and_the_cache_hit_floor_is_the_fastest_lookup_of_the_same_size():
    p = "capacity=65536/value_bytes=100/key=u64"
    rows = reps("cache", "hit", "lru", "resident", "ns_per_op", [30, 31, 29], variant="boost_flat", params=p)
    rows += reps("cache", "hit", "fifo", "resident", "ns_per_op", [20, 21, 22], variant="boost_flat", params=p)
    with_values = "capacity=65536/value_bytes=100"
    rows += reps("cache", "floor", "raw_lookup", "resident", "ns_per_op", [10], variant="std", params=with_values)
    rows += reps("cache", "floor", "raw_lookup", "resident", "ns_per_op", [8], variant="flat", params=with_values)
    # same map size, but no values read: not the floor of a request that reads a 100-byte value
    rows += reps("cache", "floor", "raw_lookup", "resident", "ns_per_op", [2], variant="flat", params="capacity=65536")
    rows += reps("cache", "mrc", "lru", "zipf", "hit_ratio", [0.5], params="capacity=100")
    rows += reps("cache", "mrc", "sieve", "zipf", "hit_ratio", [0.6], params="capacity=100")
    answers = summary.answers(rows)
    hit = only(answers, "cache", "hit")
    assert (hit.best.name, hit.runner_up.name) == ("fifo:boost_flat", "lru:boost_flat")
    assert hit.ratio == pytest.approx(30 / 21)
    assert (hit.floor.name, hit.floor.median) == ("raw_lookup:flat", 8)
    assert hit.to_floor(hit.best) == pytest.approx(21 / 8)
    mrc = only(answers, "cache", "mrc")
    assert mrc.best.name == "sieve" and mrc.floor is None and mrc.floor_note == "no floor"


def test_queue_configuration_names_the_competitor_and_ping_pong_meets_the_cache_line():
    rows = reps("queue", "ping_pong", "bcq", "synthetic", "p50_ns", [900],
                params="message_bytes=8/wait=block/batch=4096")
    rows += reps("queue", "ping_pong", "bcq", "synthetic", "p50_ns", [600],
                 params="message_bytes=8/wait=spin_yield/batch=4096")
    rows += reps("queue", "ping_pong", "spsc", "synthetic", "p50_ns", [500],
                 params="message_bytes=8/capacity=1024/wait=spin_yield/batch=4096")
    rows += reps("queue", "floor", "cache_line", "synthetic", "p50_ns", [400],
                 params="message_bytes=8/wait=spin_yield/batch=4096")
    rows += reps("queue", "floor", "futex", "synthetic", "p50_ns", [100],  # not a cache-line round trip
                 params="message_bytes=8/wait=block/batch=4096")
    for r in rows:
        r["ns_per_op"] = r["p50_ns"]
    ping = only(summary.answers(rows), "queue", "ping_pong")  # one group: wait and capacity configure queues
    assert [e.name for e in ping.ranked] == ["spsc (capacity=1024, wait=spin_yield)", "bcq (wait=spin_yield)",
                                             "bcq (wait=block)"]
    assert (ping.floor.name, ping.to_floor(ping.best)) == ("cache_line (wait=spin_yield)", pytest.approx(1.25))


def test_suites_in_the_readers_order_and_an_all_error_task_says_so():
    rows = []
    for suite in ("zeta", "queue", "alpha", "json", "cache"):
        rows += reps(suite, "throughput", "x", "d", "ops_per_s", [1.0])
    rows += [row("alpha", "broken", "y", "d", {}, status="error") for _ in range(2)]
    answers = summary.answers(rows)
    assert list(answers) == ["json", "cache", "queue", "alpha", "zeta"]
    assert [a.task for a in answers["alpha"]] == ["throughput"]  # "broken" has nothing to rank


def test_reference_run_answers_are_complete():
    """Every task of the reference run has an answer, with a floor where FLOORS names one."""
    rows, _ = tidy.load_rows(REFERENCE)
    answers = summary.answers(rows)
    assert list(answers) == ["json", "cache", "queue"]
    tasks = {(a.suite, a.task) for group in answers.values() for a in group}
    assert tasks == {(r["suite"], r["task"]) for r in rows}
    for a in (a for group in answers.values() for a in group):
        assert a.best is not None
        if (a.suite, a.task) in summary.FLOORS:
            assert a.floor is not None, (a.task, a.group)
            assert a.to_floor(a.best) >= 1.0  # nothing beats its floor in the reference run
