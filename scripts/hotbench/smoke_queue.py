"""`hotbench smoke --suite queue`: hotbench_queue end to end with small batches, in seconds.

Every benchmark of the default set (with batch=512 to stay fast) must give an ok row with
ops_per_s > 0 and its scenario parameters as columns; latency rows must carry their percentiles.
Bad settings must be refused with exit status 2 and a one-line message naming the setting.
The broken-queue watchdog path is covered by a gtest (bench/queue/tests/watchdog_test.cpp).
"""

import pathlib
import tempfile

from . import gbench, runner, smoke
from .errors import EXIT_USAGE

SETTINGS = ["--hotbench_set=batch=512", "--hotbench_set=watchdog_s=20"]
POSITIVE = ["real_time_ns", "ops_per_s", "ns_per_op", "cpu_s_per_million", "ops", "batch"]
LATENCY = ["p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "mean_ns"]
LATENCY_TASKS = {"ping_pong", "open_loop"}
BAD = {  # setting -> what the message must say
    "queues=no_such_queue": "unknown queue 'no_such_queue'",
    "tasks=pingpong": "unknown 'pingpong'",
    "threads=0": "'0' is not an integer in 1..64",
    "threads=100000": "'100000' is not an integer in 1..64",
    "message_bytes=3": "'3' is not an integer in 8..1024",
    "capacities=1000": "'1000' is not a power of two",
    "wait=nap": "unknown 'nap'",
    "colour=blue": "unknown setting --hotbench_set=colour",
}


def check_rows(rows: list[dict], expected: list[str]) -> list[str]:
    problems = []
    seen = {r["benchmark"] for r in rows}
    problems += [f"{name}: no row" for name in expected if name not in seen]
    for r in rows:
        if r["status"] != "ok":
            problems.append(f"{r['benchmark']}: error: {r['error_message']}")
            continue
        wanted = POSITIVE + (LATENCY[:1] + LATENCY[-2:] if r["task"] in LATENCY_TASKS or
                             (r["task"] == "floor" and r["library"] != "clock") else [])
        for column in wanted:
            if not (isinstance(r.get(column), (int, float)) and r[column] > 0):
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a positive number")
        threaded = r["task"] != "single_thread" and r["library"] != "clock"
        if threaded and r.get("pinned") not in (0, 1):
            problems.append(f"{r['benchmark']}: no pinned column")
        if r["task"].endswith("_throughput") and not (r.get("producers") and r.get("consumers")):
            problems.append(f"{r['benchmark']}: no producers/consumers columns")
    return problems


def run(binary: pathlib.Path) -> tuple[int, list[str]]:
    """(rows that passed, problems found)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="hotbench-smoke-") as tmp:
        out = pathlib.Path(tmp) / "queue.json"
        expected = [gbench.base_name({"name": n}) for n in runner.list_benchmarks(binary, SETTINGS)]
        rows = smoke.run_binary(binary, SETTINGS, out)
        problems += check_rows(rows, expected)
        passed = sum(r["status"] == "ok" for r in rows)
        tasks = {r["task"] for r in rows}
        for task in ("floor", "spsc_throughput", "mpmc_throughput", "ping_pong", "open_loop", "single_thread"):
            if task not in tasks:
                problems.append(f"no {task} rows at all")

    for setting, says in BAD.items():
        result = smoke.refusal(binary, f"--hotbench_set={setting}")
        lines = result.stderr.strip().splitlines()
        if result.returncode != EXIT_USAGE:  # a usage error, the same code as the CLI's
            problems.append(f"--hotbench_set={setting}: exit status {result.returncode}, expected {EXIT_USAGE}")
        elif len(lines) != 1 or says not in lines[0]:
            problems.append(f"--hotbench_set={setting}: unclear message {result.stderr.strip()!r}")
    return passed, problems
