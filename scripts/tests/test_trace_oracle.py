"""The trace rows against an independent simulation: an oracleGeneral trace (the corpus generator's,
the format of libCacheSim's samples) replayed by the cache binary's LRU and FIFO at capacities in
entries gives exactly the hit ratio of a plain Python LRU and FIFO over the same requests (warm-up
pass, then the measured pass, as the rows do). libCacheSim's own sample (cloudPhysicsIO) cannot be
fetched here; this holds the reader and the policies to the same standard on a trace we generate."""

import collections
import json
import pathlib
import struct
import subprocess
import sys

import pytest

from test_hang import BUILD, missing, suite_binary

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "data"))
import generate  # noqa: E402


def simulate(ids: list[int], capacity: int, lru: bool) -> float:
    cache: collections.OrderedDict = collections.OrderedDict()
    hits = 0
    for measured in (False, True):
        hits = 0
        for key in ids:
            if key in cache:
                hits += 1
                if lru:
                    cache.move_to_end(key)
                continue
            cache[key] = None
            if len(cache) > capacity:
                cache.popitem(last=False)
    return hits / len(ids)


def test_lru_and_fifo_on_an_oracle_general_trace_equal_an_independent_simulation(tmp_path):
    binary = suite_binary("cache")
    trace = tmp_path / "sample.oracleGeneral.bin"  # the name libCacheSim's sample has
    data = generate._trace(generate._rng(7, "oracle-test"), 2_000, 40_000)
    trace.write_bytes(data)
    ids = [obj for _, obj, _, _ in struct.iter_unpack("<IQIq", data)]
    out = tmp_path / "rows.json"
    subprocess.run([str(binary), f"--hotbench_data={trace}", "--hotbench_set=tasks=trace",
                    "--hotbench_set=policies=lru,fifo", "--hotbench_set=trace_capacity_percent=1,10,30",
                    "--benchmark_min_time=0.001", f"--benchmark_out={out}", "--benchmark_out_format=json"],
                   check=True, capture_output=True, text=True)
    rows = [b for b in json.loads(out.read_text())["benchmarks"] if "/capacity=" in b["name"]]
    assert len(rows) == 6, [b["name"] for b in rows]
    for row in rows:
        assert not row.get("error_occurred"), row
        policy = row["name"].split("/")[2].split(":")[0]
        capacity = int(row["name"].split("/capacity=")[1].split("/")[0])
        expected = simulate(ids, capacity, lru=policy == "lru")
        assert row["checked_hit_ratio"] == pytest.approx(expected, rel=0, abs=1e-12), (row["name"], expected)
