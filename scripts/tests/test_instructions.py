"""Instruction counts: exactly repeatable, and an injected slowdown shows up as exactly that much
more work. Uses the callgrind build (./hotbench test builds it)."""

import pathlib
import shutil

import pytest

from hotbench import instructions, runner

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / "build" / "release" / "counting" / "hotbench_json"
FILTER = "--benchmark_filter=json/(parse/(simdjson:dom|nlohmann)|serialize/boost_json)/orders(/iterations:[0-9]+)?$"


def test_parse_dump_reads_the_total_not_the_summary(tmp_path):
    dump = tmp_path / "callgrind.out.1"
    dump.write_text("desc: Trigger: Client Request: json/parse/x/y\nevents: Ir\nsummary: 0\nfn=f\n1 5\n"
                    "totals: 123456\n")
    assert instructions.parse_dump(dump) == ("json/parse/x/y", 123456)
    other = tmp_path / "callgrind.out"
    other.write_text("desc: Trigger: Program termination\ntotals: 0\n")
    assert instructions.parse_dump(other) is None


needs_build = pytest.mark.skipif(not BINARY.exists() or not shutil.which("valgrind"),
                                 reason="needs build/release/counting/hotbench_json and valgrind (./hotbench test builds it)")


def count(tmp_path, name, *extra, metric="instructions_per_op", cache_sim=False):
    tiny = runner.ensure_corpus("tiny")[0].parent
    work = tmp_path / name
    work.mkdir()
    rows, *_ = instructions.count(BINARY, [f"--hotbench_data={tiny}", FILTER, "--hotbench_iterations=10",
                                          "--benchmark_repetitions=1", *extra], work, work / "raw.json",
                                  cache_sim=cache_sim)
    assert rows and all(r["status"] == "ok" for r in rows), rows
    return {r["benchmark"]: r[metric] for r in rows}


@needs_build
def test_the_same_binary_counted_twice_gives_identical_numbers(tmp_path):
    first, second = count(tmp_path, "a"), count(tmp_path, "b")
    assert len(first) == 3 and all(v > 1000 for v in first.values())
    assert first == second


@needs_build
def test_an_injected_slowdown_is_counted_exactly(tmp_path):
    base = count(tmp_path, "base")
    slow = count(tmp_path, "slow", "--hotbench_slowdown=nlohmann:0.1")
    for name, value in base.items():
        expected = 1.1 if "nlohmann" in name else 1.0
        assert slow[name] / value == pytest.approx(expected, abs=0.002), name


@needs_build
def test_estimated_cycles_repeat_exactly_and_leave_the_instruction_count_alone(tmp_path):
    """The cache simulator (gate --cache-sim) on hotbench's own rows: the same figures in every run, at
    least one cycle per instruction, and the instruction counts those of the run without it."""
    first = count(tmp_path, "a", metric="estimated_cycles_per_op", cache_sim=True)
    assert first == count(tmp_path, "b", metric="estimated_cycles_per_op", cache_sim=True)
    plain = count(tmp_path, "c")
    assert count(tmp_path, "d", cache_sim=True) == plain
    assert all(first[name] >= plain[name] for name in plain) and first != plain
