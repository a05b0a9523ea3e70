import os
import pathlib
import sys
import uuid

import pytest

# The package lives in scripts/; tests run from the repo root or anywhere.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from hotbench import describe  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "late: a file of many short subprocesses (valgrind, scratch clones) that ./hotbench test runs "
                   "in a second pytest process once the ASan tests are done, so that the end of the run keeps "
                   "both cores busy (`pytest -m late` / `-m 'not late'`; plain pytest runs all)")


def metric(name, unit, better, kind, deterministic=False, source="harness"):
    return {"name": name, "unit": unit, "better": better, "kind": kind, "deterministic": deterministic,
            "meaning": f"{name} (synthetic)", "from": source}


def setting(key, selects, default=""):
    return {"key": key, "type": "integer", "default": default, "accepts": "anything", "help": key, "selects": selects}


# Logic tests (compare, check, plots, reports) read metrics and settings as the suites declare them. They
# get this tiny synthetic declaration instead of whatever is built (which they do not test): a few harness
# metrics of each kind, and a suite metric or two per suite. test_describe.py tests the real binaries'.
HARNESS = [metric("iterations", "count", None, "count"), metric("real_time_ns", "ns per operation", "lower", "time"),
           metric("cpu_time_ns", "ns per operation", "lower", "time"),
           metric("input_mb_per_s", "MB/s (10^6 B/s)", "higher", "throughput"),
           metric("output_mb_per_s", "MB/s (10^6 B/s)", "higher", "throughput"),
           metric("documents_per_s", "documents/s", "higher", "throughput"),
           metric("input_bytes", "bytes per operation", None, "size", True),
           metric("allocs_per_op", "count per operation", "lower", "count", True),
           metric("alloc_bytes_per_op", "bytes per operation", "lower", "size", True),
           metric("instructions_per_op", "instructions per operation", "lower", "count", True),
           metric("estimated_cycles_per_op", "estimated cycles per operation", "lower", "count", True),
           metric("ops_per_s", "operations/s", "higher", "throughput"),
           metric("ns_per_op", "ns per operation", "lower", "time"), metric("p50_ns", "ns", "lower", "time"),
           metric("p99_ns", "ns", "lower", "time")]


def synthetic_description(suite, own_metrics=(), settings=()):
    return {"describe_version": 1, "suite": suite, "title": f"{suite} (synthetic)", "profile": "default", "tasks": [],
            "benchmarks": 0, "metrics": HARNESS + [dict(m, **{"from": "suite"}) for m in own_metrics],
            "settings": list(settings), "data": {"suffixes": [], "default": []}, "libraries": {}, "gate": {"filter": ""}}


SYNTHETIC = {
    "json": synthetic_description("json", [metric("number_mismatches", "count", "lower", "count", True)]),
    "cache": synthetic_description("cache", [metric("hit_ratio", "fraction", "higher", "fraction"),
                                             metric("capacity", "entries", None, "count", True)],
                                   [setting("policies", True), setting("capacities", True), setting("seed", False, "42"),
                                    setting("keys", False, "100000"), setting("requests", False, "1048576")]),
    "queue": synthetic_description("queue", [metric("capacity", "messages", None, "count", True)],
                                   [setting("queues", True), setting("watchdog_s", False, "10")]),
}

REAL_ALL_BUILT = describe.all_built


@pytest.fixture(autouse=True)
def synthetic_suites(monkeypatch):
    """Inputs that record no description fall back to the built binaries: in tests, to SYNTHETIC."""
    monkeypatch.setattr(describe, "all_built", lambda build_dirs=None, profile="default": dict(SYNTHETIC))
    return SYNTHETIC


@pytest.fixture
def built_descriptions():
    """{suite: description} of the suite binaries built in build/release (or build/release/counting); skips when none is."""
    found = REAL_ALL_BUILT()
    if not found:
        pytest.skip("no suite binary built in build/release or build/release/counting (cmake --preset release && "
                    "cmake --build build/release): nothing to read descriptions from")
    return found


def missing(why: str):
    """A test's binary or package is absent: a skip on a developer's machine, a failure where everything must
    be there (CI, or HOTBENCH_REQUIRE_BUILT=1 as ./hotbench test sets it): a broken set-up, not a skip."""
    if os.environ.get("CI") or os.environ.get("HOTBENCH_REQUIRE_BUILT"):
        pytest.fail(why)
    pytest.skip(why)


def require_built(binary: pathlib.Path) -> pathlib.Path:
    if not binary.exists():
        missing(f"{binary} is not built (./hotbench test builds it)")
    return binary


@pytest.fixture(scope="session")
def default_history_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("no-history")


@pytest.fixture(autouse=True)
def no_default_history(monkeypatch, default_history_folder):
    """A gate under test never reads or writes the developer's results/history.sqlite: the default history is
    a file that does not exist (gate_history uses the default only when it exists), one name per test in one
    folder (not a folder per test: pytest 7.2 numbers each folder it makes by listing all made before)."""
    from hotbench import history_store
    monkeypatch.setattr(history_store, "DEFAULT_DB", default_history_folder / f"{uuid.uuid4().hex}.sqlite")
