"""The time bound with the real suite binaries (build/release, which `./hotbench test` builds before
the Python tests): in every suite built there, of three benchmarks the middle one hangs inside its
measured region (--inject-hang -> --hotbench_hang: every signal blocked, no stop flag polled), so only the
runner can end it. It must become an error row naming the bound, the other two must have figures, the run
exits 1, and no process of the binary is left. The three are the first of the suite's gate subset (its
description's gate.filter: single-threaded, deterministic, small) on the quick profile."""

import concurrent.futures
import pathlib
import re
import subprocess

import pytest

from hotbench import describe, gbench, runner, tidy

from conftest import missing
from hotbench.bounded import ere_escape
from test_bounded import processes_mentioning, run_with_deadline

BUILD = pathlib.Path(__file__).resolve().parents[2] / "build" / "release"
COUNTING = BUILD / "counting"  # ./hotbench test builds its hotbench_fixture
BOUND_S = 8  # small, yet far above what the quick profile's benchmarks below take on a loaded machine




def suite_binary(suite: str, build: pathlib.Path = BUILD) -> pathlib.Path:
    binary = build / f"{describe.BINARY_PREFIX}{suite}"
    if not binary.exists():
        missing(f"{binary} is not built (./hotbench test builds it; or cmake --build build/{build.name})")
    return binary


def tiny_corpus_for(description: dict) -> list[pathlib.Path]:
    """The tiny corpus, for a suite that reads its files (json); other suites generate their workloads."""
    tiny = runner.ensure_corpus("tiny")
    suffixes = set((description.get("data") or {}).get("suffixes") or ())
    return [tiny[0].parent] if any(f.suffix in suffixes for f in tiny) else []


BUILT = list(describe.built(BUILD)) or [None]  # None: nothing built, which the test says (or fails in CI)


def hang_run(suite: str, out: pathlib.Path) -> tuple[subprocess.CompletedProcess, list[str], str]:
    """The suite's run of three benchmarks, the middle one hanging: (the run, the three, the hanging one)."""
    binary = suite_binary(suite)
    description = describe.of_binary(binary, "quick")
    pick = (description.get("gate") or {}).get("filter") or "."
    data = tiny_corpus_for(description)
    listed = runner.list_benchmarks(binary, [f"--hotbench_data={d}" for d in data] + ["--hotbench_profile=quick"])
    names = list(dict.fromkeys(gbench.base_name({"name": n}) for n in listed if re.search(pick, n)))[:3]
    assert len(names) == 3, listed
    hanging = names[1]
    result = run_with_deadline(["run", "--suite", suite, "--build-dir", str(BUILD), "--output", str(out),
                                "--quick", "--timeout", str(BOUND_S),
                                "--filter", "^(" + "|".join(ere_escape(n) for n in names) + ")(/real_time)?$",
                                "--inject-hang", "^" + ere_escape(hanging) + "$",
                                *[a for d in data for a in ("--data", str(d))]],
                               tmpdir=out.parent)  # the killed binary's server folders stay in the test's
    return result, names, hanging


@pytest.fixture(scope="module")
def hang_runs(tmp_path_factory):
    """Every built suite's hang run, side by side: each mostly waits out its bound (BOUND_S), so
    together they take one bound instead of one per suite. suite -> (its folder, hang_run's answer or
    the exception it raised)."""
    suites = [s for s in BUILT if s is not None]
    folders = {s: tmp_path_factory.mktemp(f"hang-{s}") for s in suites}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(suites))) as pool:
        futures = {s: pool.submit(hang_run, s, folders[s] / "results") for s in suites}
    return {s: (folders[s], f) for s, f in futures.items()}


@pytest.mark.parametrize("suite", BUILT)
def test_a_hanging_benchmark_is_killed_in_every_suite(suite, hang_runs):
    if suite is None:
        missing(f"no suite binary in {BUILD} (./hotbench test builds them)")
    folder, future = hang_runs[suite]
    result, names, hanging = future.result()  # re-raises what failed in the run's thread
    assert result.returncode == 1, result.stdout + result.stderr
    (run_dir,) = (folder / "results").iterdir()
    assert not (run_dir / "INCOMPLETE").exists()
    rows = tidy.read_csv(run_dir / "results.csv")
    assert sorted({r["benchmark"] for r in rows}) == sorted(names)
    for r in rows:
        if r["benchmark"] == hanging:
            assert r["status"] == "error"
            assert r["error_message"] == f"killed after exceeding its time bound of {BOUND_S} s"
        else:
            assert r["status"] == "ok" and r["real_time_ns"] > 0, r
    assert gbench.load(run_dir / "raw" / f"{suite}.json")["context"]["hotbench_suite"] == suite
    assert not processes_mentioning(str(folder))


def test_a_hanging_benchmark_is_killed_under_callgrind(tmp_path):
    """The gate's mode: the same bound, and the counts of the benchmarks around the killed one are
    still read from their callgrind dumps (each process dumps into files of its own). On the fixture
    suite, whose benchmarks take about a second under valgrind, so that the bound can be short."""
    binary = suite_binary("fixture", COUNTING)
    names = runner.list_benchmarks(binary, [])[:3]
    assert len(names) == 3
    bound_s = 12  # valgrind runs ~50x slower; each of the others takes 1-2 s under it
    result = run_with_deadline(["run", "--instructions", "--iterations", "10", "--suite", "fixture",
                                "--build-dir", str(COUNTING), "--output", str(tmp_path / "results"),
                                "--timeout", str(bound_s), "--filter", "^(" + "|".join(ere_escape(n) for n in names) + ")$",
                                "--inject-hang", "^" + ere_escape(names[1]) + "$"],
                               tmpdir=tmp_path)  # a SIGKILLed valgrind leaves its vgdb FIFOs in TMPDIR
    assert result.returncode == 1, result.stdout + result.stderr
    (run_dir,) = (tmp_path / "results").iterdir()
    rows = {r["benchmark"]: r for r in tidy.read_csv(run_dir / "results.csv")}
    assert sorted(rows) == sorted(names)
    assert rows[names[1]]["error_message"] == f"killed after exceeding its time bound of {bound_s} s"
    assert rows[names[0]]["instructions_per_op"] > 0 and rows[names[2]]["instructions_per_op"] > 0
    assert not processes_mentioning(str(tmp_path))
