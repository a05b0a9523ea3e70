"""Counting a Google Benchmark suite that is not hotbench's (scripts/tests/fixtures/foreign, built as
foreign_fixture: it links only benchmark::benchmark): `hotbench count` and `hotbench gate --binary`, and the
estimated cycles of callgrind's cache simulator (cachesim.py)."""

import json
import pathlib
import shutil
import sqlite3
import subprocess

import pytest
from conftest import REAL_ALL_BUILT, missing, require_built

from hotbench import cachesim, cli, describe, foreign, tidy

pytestmark = pytest.mark.late  # ./hotbench test runs it once the ASan tests are done (conftest.py)

ROOT = pathlib.Path(__file__).resolve().parents[2]
RELEASE = ROOT / "build" / "release"
PLANT = "FOREIGN_FIXTURE_PLANT"
# The batch's loop entry and exit, counted once per batch (foreign.py): per iteration it adds c/n, below this
# relative bound on the fixture (c <= 15 instructions, a final batch of >= 10^6 instructions).
BOUND = 1e-5


# ---------------------------------------------------------------- without a build

def test_a_benchmark_name_becomes_a_filter_that_selects_only_it():
    assert foreign.exact_filter("BM_nops<100>") == "^BM_nops<100>$"
    assert foreign.exact_filter("Buffer/Sum/256") == "^Buffer/Sum/256$"
    assert foreign.exact_filter("a.b(c)[d]*+?{1}|^$\\") == "^a\\.b\\(c\\)\\[d\\]\\*\\+\\?\\{1\\}\\|\\^\\$\\\\$"


def test_estimated_cycles_weigh_l1_and_last_level_misses():
    text = ("desc: Trigger: --dump-before=benchmark::State::FinishKeepRunning()\n"
            "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\nsummary: 0\ntotals: 1000 300 100 1 20 3 1 5 2\n")
    events = cachesim.totals(text, "dump")
    assert events == {"Ir": 1000, "Dr": 300, "Dw": 100, "I1mr": 1, "D1mr": 20, "D1mw": 3, "ILmr": 1, "DLmr": 5,
                      "DLmw": 2}
    assert cachesim.estimated_cycles(events) == 1000 + 10 * (1 + 20 + 3) + 100 * (1 + 5 + 2)
    # Without the simulator a dump has Ir alone: no estimate, never a made-up one.
    assert cachesim.estimated_cycles(cachesim.totals("events: Ir\ntotals: 77\n", "dump")) is None
    # callgrind leaves trailing zero events out of a totals line
    assert cachesim.totals("events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw\ntotals: 5 1\n", "d")["DLmw"] == 0


def test_the_dumps_are_taken_in_the_order_callgrind_made_them(tmp_path):
    trigger = f"desc: Trigger: --dump-before={foreign.LOOP_ENDS}\ntotals: 1\n"
    for n in (1, 2, 10):
        (tmp_path / f"callgrind.out.77.{n}").write_text(trigger)
    (tmp_path / "callgrind.out.77").write_text("desc: Trigger: Program termination\ntotals: 5\n")
    assert [p.name for p in foreign.loop_dumps(tmp_path)] == [f"callgrind.out.77.{n}" for n in (1, 2, 10)]


def test_the_gate_refuses_binary_without_baseline_as_a_usage_error(capsys):
    assert cli.main(["gate", "--binary", "/bin/true"]) == 4
    assert "--binary needs --baseline DIR" in capsys.readouterr().err
    assert cli.main(["gate", "--filter", "x"]) == 4  # only with --binary: never silently ignored
    assert "--filter only go with --binary" in capsys.readouterr().err


# ---------------------------------------------------------------- counting the fixture

def built(path: pathlib.Path) -> pathlib.Path:
    if not shutil.which("valgrind"):
        missing("valgrind is not installed (Debian package: valgrind)")
    return require_built(path)


@pytest.fixture
def fixture_binary(monkeypatch):
    # a hotbench suite binary, really built: its harness declares the counted metrics
    monkeypatch.setattr(describe, "all_built", REAL_ALL_BUILT)
    built(RELEASE / "counting" / "hotbench_fixture")
    return built(RELEASE / "foreign_fixture")


def count(binary, out: pathlib.Path, filter_: str, *extra) -> dict[str, dict]:
    code = cli.main(["count", str(binary), "--filter", filter_, "-o", str(out), *extra])
    (run_dir,) = out.iterdir()
    rows = {r["benchmark"]: r for r in tidy.load_rows(run_dir)[0]}
    assert code == (1 if any(r["status"] != "ok" for r in rows.values()) else 0)
    return rows


def test_known_loop_bodies_are_counted_exactly_and_repeat(fixture_binary, tmp_path):
    """BM_nops<K>'s body is K nop instructions in inline assembly, its loop two more (decrement, branch):
    K + 2 per iteration, plus the batch's entry and exit spread over its iterations."""
    selected = "^(BM_nops<(100|200)>|BM_fixed/iterations:1000|BM_work|Buffer/Sum/256|BM_manual/manual_time)$"
    first = count(fixture_binary, tmp_path / "a", selected)
    second = count(fixture_binary, tmp_path / "b", selected)
    assert set(first) == {"BM_nops<100>", "BM_nops<200>", "BM_fixed", "BM_work", "Buffer/Sum/256", "BM_manual"}
    for k in (100, 200):
        assert abs(first[f"BM_nops<{k}>"]["instructions_per_op"] - (k + 2)) < (k + 2) * BOUND
    # A count fixed in code (->Iterations(1000)): one batch, the same figure every time, to the digit.
    assert first["BM_fixed"]["instructions_per_op"] == second["BM_fixed"]["instructions_per_op"]
    assert first["BM_fixed"]["estimated_cycles_per_op"] == second["BM_fixed"]["estimated_cycles_per_op"]
    for name, row in first.items():
        for metric in ("instructions_per_op", "estimated_cycles_per_op"):
            assert row[metric] > 0
            assert abs(second[name][metric] / row[metric] - 1) < BOUND, (name, metric)
        assert row["real_time_ns"] is None and row["cpu_time_ns"] is None  # clock readings under valgrind
    _, meta = tidy.load_rows(next((tmp_path / "a").iterdir()))
    assert meta["build"]["sha256"] and meta["build"]["binary"] == str(fixture_binary.resolve())
    assert meta["libraries"]["valgrind"].startswith("3.") and any("benchmark" in k for k in meta["libraries"])
    assert meta["counting"]["cache_simulation"]["geometry"]["LL"]["bytes"] == cachesim.GEOMETRY["LL"][0]


def test_a_benchmark_that_cannot_be_counted_is_an_error_row_with_its_reason(fixture_binary, tmp_path):
    rows = count(fixture_binary, tmp_path / "c", "^BM_(threads|fails)")
    threads = rows["BM_threads"]
    assert threads["status"] == "error" and threads["threads"] == 2
    assert "2 threads run the loop at once" in threads["error_message"]
    assert rows["BM_fails"]["status"] == "error" and "failing benchmark" in rows["BM_fails"]["error_message"]


def gate(capsys, binary, baseline, filter_, *extra) -> tuple[int, str]:
    code = cli.main(["gate", "--binary", str(binary), "--baseline", str(baseline), "--filter", filter_,
                     *map(str, extra)])
    return code, capsys.readouterr().out


def test_the_gate_of_a_foreign_binary_passes_unchanged_and_fails_a_planted_regression(
        fixture_binary, tmp_path, capsys, monkeypatch):
    baseline = tmp_path / "baseline"
    selected = "^BM_(work|gather)$"
    code, out = gate(capsys, fixture_binary, baseline, selected, "--update-baseline")
    assert code == 0 and (baseline / "results.csv").is_file()
    code, out = gate(capsys, fixture_binary, baseline, selected, "-o", tmp_path / "j.xml")
    assert code == 0, out
    junit = (tmp_path / "j.xml").read_text()
    assert "instructions_per_op" in junit and "estimated_cycles_per_op" in junit

    # More work per iteration: more instructions, the gate fails (exit 1).
    monkeypatch.setenv(PLANT, "work")
    code, out = gate(capsys, fixture_binary, baseline, selected)
    assert code == 1 and "REGRESSION  BM_work" in out, out

    # The same instructions, read in a shuffled order over four times the simulated last-level cache:
    # instructions unchanged (within the batch bound), estimated cycles regressed, the gate fails.
    monkeypatch.setenv(PLANT, "cache")
    current = count(fixture_binary, tmp_path / "cache", selected)
    before = {r["benchmark"]: r for r in tidy.load_rows(baseline)[0]}
    gather, gather_before = current["BM_gather"], before["BM_gather"]
    assert abs(gather["instructions_per_op"] / gather_before["instructions_per_op"] - 1) < BOUND
    assert gather["estimated_cycles_per_op"] > 2 * gather_before["estimated_cycles_per_op"]
    code, out = gate(capsys, fixture_binary, baseline, selected)
    assert code == 1, out
    instructions_part, cycles_part = out.split("estimated_cycles_per_op", 1)
    assert "REGRESSION  BM_gather" not in instructions_part and "REGRESSION  BM_gather" in cycles_part, out


def test_a_selected_benchmark_that_cannot_be_counted_leaves_the_gate_unresolved(fixture_binary, tmp_path, capsys):
    baseline = tmp_path / "baseline"
    assert gate(capsys, fixture_binary, baseline, "^BM_nops<100>$", "--update-baseline")[0] == 0
    code, out = gate(capsys, fixture_binary, baseline, "^BM_(nops<100>|threads)")
    assert code == 2, out
    # and a baseline is never made of error rows
    assert gate(capsys, fixture_binary, tmp_path / "other", "^BM_threads", "--update-baseline")[0] == 1


def test_check_and_history_read_the_counts_like_hotbench_s_own(fixture_binary, tmp_path, capsys):
    count(fixture_binary, tmp_path / "a", "^BM_nops<100>$")
    run_dir = next((tmp_path / "a").iterdir())
    capsys.readouterr()
    assert cli.main(["check", "--baseline", str(run_dir), "--current", str(run_dir),
                     "--metric", "estimated_cycles_per_op"]) == 0
    db = tmp_path / "h.sqlite"
    assert cli.main(["history", "add", str(run_dir), "--db", str(db), "--commit", "a" * 40, "--branch", "main"]) == 0
    with sqlite3.connect(db) as connection:
        stored = {m for (m,) in connection.execute("SELECT DISTINCT metric FROM series")}
    assert {"instructions_per_op", "estimated_cycles_per_op"} <= stored


def test_the_fixture_is_an_ordinary_google_benchmark_binary(tmp_path, capsys):
    """Built by the release preset too and run natively: plain Google Benchmark JSON, no hotbench context."""
    binary = built(RELEASE / "foreign_fixture")
    out = tmp_path / "plain.json"
    subprocess.run([str(binary), "--benchmark_filter=^BM_nops<100>$", "--benchmark_min_time=0.01",
                    f"--benchmark_out={out}", "--benchmark_out_format=json"], check=True, capture_output=True)
    doc = json.loads(out.read_text())
    assert not any(k.startswith("hotbench") for k in doc["context"])
    assert [b["name"] for b in doc["benchmarks"]] == ["BM_nops<100>"]
    assert describe.BINARY_PREFIX not in binary.name  # never taken for one of hotbench's suites
