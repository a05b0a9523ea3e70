"""`hotbench smoke --suite cache`: hotbench_cache end to end with a small key space, in seconds.

Every registered benchmark must give an ok row with its counters; traces (CSV and oracleGeneral)
replay; malformed CSVs (a bad field, a repeated header column) and a truncated binary trace give error
rows naming the file and the line (and column) or record while the valid traces still run; bad settings are refused with exit 2 and a message
naming the bad value and the accepted ones.
"""

import pathlib
import struct
import tempfile

from . import gbench, runner, smoke
from .errors import EXIT_USAGE

# Small, but every task and every policy/map/concurrent cache is registered.
SMALL = ["--hotbench_set=keys=4000", "--hotbench_set=requests=16384", "--hotbench_set=capacities=4,40,400,1200",
         "--hotbench_set=workloads=zipf0.99,uniform,scan", "--hotbench_set=threads=1,2",
         "--hotbench_set=floor_levels=l1,l2"]
RATES = ["ops_per_s", "ns_per_op"]
REPLAY = RATES + ["hit_ratio", "checked_hit_ratio", "cold_hit_ratio", "ns_per_request", "p50_ns", "p99_ns",
                  "p999_ns", "eat_ns_0", "eat_ns_150", "eat_ns_30000", "eat_ns_1000000", "capacity", "value_bytes"]
ORACLES = ["che_hit_ratio", "fifo_irm_hit_ratio", "top_c_hit_ratio", "oracle_tolerance"]
EXPECTED = {"throughput": REPLAY, "mrc": REPLAY, "hit": REPLAY, "trace": REPLAY, "floor": RATES,
            "concurrent": RATES + ["hit_ratio", "checked_hit_ratio", "threads", "capacity"], "trace_read": RATES}
BAD_SETTINGS = {
    "policies=lru,nope": "unknown name 'nope' (known: clock, fifo, lru, s3fifo, sieve, wtinylfu)",
    "maps=std_unordered,robin": "unknown name 'robin' (known: std_unordered, boost_flat, absl_flat)",
    "capacities=0": "capacities: '0' is not an integer in 1..",
    "capacities=-5": "capacities: '-5' is not an integer in 1..",
    "capacities=100001": "capacities: 100001 entries exceeds the key space of 100000 keys",
    "keys=0": "keys=0: empty key space",
    "workloads=zipfx": "workloads: workload 'zipfx': zipf wants an exponent in (0, 5]",
    "workloads=normal": "unknown workload 'normal' (known: zipf<a>",
    "floor_levels=l4": "unknown name 'l4' (known: l1, l2, llc, dram)",
    "colour=blue": "unknown setting 'colour' for the cache suite (known: policies=",
}


def write_traces(folder: pathlib.Path) -> None:
    lines = [f"k{(i * 7919) % 300},{100 + i % 5},{'set' if i % 10 == 0 else 'get'}" for i in range(3000)]
    (folder / "web.csv").write_text("key,size,op\n" + "\n".join(lines) + "\n")
    records = b"".join(struct.pack("<IQIq", i, (i * 104729) % 500, 64, -1) for i in range(4000))
    (folder / "blocks.oracleGeneral").write_bytes(records)
    (folder / "broken.csv").write_text("a,1\nb,1,get\nc,x\n")
    (folder / "twokeys.csv").write_text("key,key,op\na,b,get\nc,d,set\n")  # two keys per line, one flag
    (folder / "cut.oracleGeneral").write_bytes(records[: 24 * 5 + 7])


def check_rows(rows: list[dict], expected_names: list[str], bad_files: set[str]) -> list[str]:
    problems = []
    seen = {r["benchmark"] for r in rows}
    problems += [f"{name}: no row" for name in expected_names if gbench.base_name({"name": name}) not in seen]
    for r in rows:
        if r["dataset"] in bad_files:
            continue
        if r["status"] != "ok":
            problems.append(f"{r['benchmark']}: error: {r['error_message']}")
            continue
        for column in EXPECTED.get(r["task"], RATES):
            if not isinstance(r.get(column), (int, float)) or r[column] < 0:
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a number >= 0")
        if r["task"] in ("throughput", "mrc") and not r["dataset"].startswith("scan") and "-rw" not in r["dataset"]:
            problems += [f"{r['benchmark']}: no {c}" for c in ORACLES if r.get(c) is None]
        if r.get("allocs_per_op") is not None and r["task"] in ("throughput", "mrc", "hit") and not r.get("bytes_per_entry"):
            problems.append(f"{r['benchmark']}: allocation counting is on but there is no bytes_per_entry")
        if r.get("ops_per_s", 0) <= 0:
            problems.append(f"{r['benchmark']}: ops_per_s is not positive")
    return problems


def run(binary: pathlib.Path) -> tuple[int, list[str]]:
    """(rows that passed, problems found)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="hotbench-smoke-cache-") as tmp:
        tmp = pathlib.Path(tmp)
        traces = tmp / "traces"
        traces.mkdir()
        write_traces(traces)
        args = SMALL + [f"--hotbench_data={traces}"]
        expected = runner.list_benchmarks(binary, args)
        rows = smoke.run_binary(binary, args, tmp / "all.json")
        problems += check_rows(rows, expected, {"broken", "twokeys", "cut"})
        passed = sum(r["status"] == "ok" for r in rows)
        for task in EXPECTED:
            if not any(r["task"] == task and r["status"] == "ok" for r in rows):
                problems.append(f"no ok {task} rows at all")
        for dataset in ("web", "blocks"):
            if not any(r["task"] == "trace" and r["dataset"] == dataset and r["status"] == "ok" for r in rows):
                problems.append(f"the valid trace {dataset} did not replay")

        # Malformed traces: error rows naming the file and the line or record; no crash.
        wanted = {"broken": f"{traces / 'broken.csv'}: line 3, column 2: size 'x' is not a non-negative integer",
                  "twokeys": f"{traces / 'twokeys.csv'}: line 1, column 2: column 'key' repeated (first in column 1)",
                  "cut": f"{traces / 'cut.oracleGeneral'}: record 6 is truncated (7 of 24 bytes)"}
        for dataset, message in wanted.items():
            bad = [r for r in rows if r["dataset"] == dataset]
            if not bad:
                problems.append(f"the malformed trace {dataset} gave no rows")
            for r in bad:
                if r["status"] != "error" or message not in r["error_message"]:
                    problems.append(f"{r['benchmark']}: expected an error naming '{message}', got "
                                    f"{r['status']}: {r['error_message']}")

        # Bad settings: refused before anything runs, exit 4 (usage error, as the CLI's), one clear line.
        for setting, message in BAD_SETTINGS.items():
            result = smoke.refusal(binary, f"--hotbench_set={setting}")
            if result.returncode != EXIT_USAGE or message not in result.stderr:
                problems.append(f"--hotbench_set={setting}: expected exit {EXIT_USAGE} with '{message}', got "
                                f"{result.returncode}: {result.stderr.strip()[:300]}")
        missing = smoke.refusal(binary, f"--hotbench_data={tmp / 'nothing.csv'}")
        if missing.returncode != EXIT_USAGE or "nothing.csv: no such file or folder" not in missing.stderr:
            problems.append(f"a missing trace path was not refused clearly: {missing.stderr.strip()[:300]}")
    return passed, problems
