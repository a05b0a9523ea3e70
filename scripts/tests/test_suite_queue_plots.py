"""suites/queue.py's figures: throughput + CPU bars per scenario, and ping-pong percentiles as multiples of the floor."""

from hotbench import plot
from hotbench.suites import queue as suite_queue


def row(task, library, params, repetition, status="ok", **metrics):
    variant = ""
    if ":" in library:
        library, variant = library.split(":")
    return {"suite": "queue", "task": task, "library": library, "variant": variant, "dataset": "synthetic",
            "benchmark": f"queue/{task}/{library}/synthetic/{params}", "params": params, "status": status,
            "error_message": "watchdog: no progress for 10 s: delivered 5 of 8" if status == "error" else "",
            "repetition": repetition, "threads": 1, **metrics}


def rows():
    out = []
    for rep in range(2):
        out.append(row("floor", "cache_line", "message_bytes=8/wait=spin/batch=4096/pinned=0", rep,
                       p50_ns=300, p90_ns=320, p99_ns=400, p999_ns=2000, max_ns=9000, mean_ns=310))
        out.append(row("ping_pong", "boost_spsc", "message_bytes=8/capacity=1024/wait=spin/batch=4096/pinned=0", rep,
                       p50_ns=600, p90_ns=700, p99_ns=900, p999_ns=5000, max_ns=20000, mean_ns=650))
        out.append(row("ping_pong", "mutex_deque:cv", "message_bytes=8/wait=block/batch=4096/pinned=0", rep,
                       status="error"))
        for p, q in (("1", "boost_spsc"), ("2", "tbb_queue")):
            out.append(row("spsc_throughput" if p == "1" else "mpmc_throughput", q,
                           f"producers={p}/consumers={p}/message_bytes=64/wait=spin_yield/batch=65536/pinned=0", rep,
                           ops_per_s=1e7 / int(p) + rep, cpu_s_per_million=0.2 * int(p)))
    return out


def test_latency_is_a_multiple_of_the_cache_line_floor():
    plots = suite_queue.plots(rows(), plot.palette(["cache_line", "boost_spsc", "mutex_deque:cv", "tbb_queue"]),
                                   "facts")
    latency = next(p for p in plots if p.name == "queue_latency_vs_floor")
    by_name = {r[0]: r for r in latency.table.rows}
    assert by_name["boost_spsc (spin, cap 1024)"][-2] == "2"  # 600 / 300
    assert by_name["floor: cache_line"][-2] == "1"
    assert any("watchdog" in e for e in latency.errors)


def test_throughput_has_one_panel_per_scenario_with_cpu_beside():
    plots = suite_queue.plots(rows(), plot.palette(["boost_spsc", "tbb_queue", "cache_line", "mutex_deque:cv"]),
                                   "facts")
    bars = next(p for p in plots if p.name == "queue_throughput")
    assert {r[0] for r in bars.table.rows} == {"1p/1c, 64 B", "2p/2c, 64 B"}
    assert len(bars.figure.axes) == 4


def test_no_floor_row_no_latency_multiple():
    without_floor = [r for r in rows() if r["task"] != "floor"]
    assert [p.name for p in suite_queue.plots(without_floor, plot.palette(["boost_spsc", "tbb_queue",
                                                                               "mutex_deque:cv"]), "")] == [
        "queue_throughput"]
