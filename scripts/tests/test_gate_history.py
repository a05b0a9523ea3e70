"""`gate --against REF` with a results history (gate_history.py): REF's counts reused when the history holds
them for the same commit and fingerprint (REF then neither built nor counted), counted in full otherwise,
what was counted added for the next run, and a history that cannot be read or written only a warning. The
counting steps are injected as in test_gate.py."""

import copy
import sqlite3
import subprocess

import pytest

from hotbench import cli, gate, history_store
from test_compare import META, make_rows, write_result

from test_gate import COUNTS, HEAD, HEAVY, ROOT

REF = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD~1"], capture_output=True, text=True).stdout.strip()
ARGS = ["--hotbench_iterations=10", "--benchmark_repetitions=1",
        "--benchmark_filter=(^json/parse/.*|^queue/single_thread/.*)(/iterations:[0-9]+)?$"]


def meta_of(commit, compiler="12.2.0", dirty=False, **changes):
    meta = copy.deepcopy(META)
    meta.update(profile="instructions", git={"commit": commit, "dirty": dirty}, benchmark_args=list(ARGS))
    meta["build"]["compiler"] = compiler
    meta.update(changes)
    return meta


def counts(path, meta, scale=None, only=None):
    rows = make_rows(seed=1, reps=1, noise=0.0, metric="instructions_per_op", base=COUNTS, scale=scale, only=only)
    return write_result(path, rows, meta)


class Counters:
    """The injected counting steps: the working tree (commit HEAD, clean unless said) and REF."""

    def __init__(self, current_meta=None, current_scale=None):
        self.current_meta = current_meta or meta_of(HEAD)
        self.current_scale, self.at_calls = current_scale, []

    def count_current(self, results):
        results.mkdir(parents=True)
        return counts(results / "run", self.current_meta, self.current_scale)

    def count_at(self, commit, results):
        self.at_calls.append(commit)
        results.mkdir(parents=True)
        return counts(results / f"counts-{commit[:12]}", meta_of(commit))


@pytest.fixture
def counters(monkeypatch):
    def install(**kw):
        c = Counters(**kw)
        monkeypatch.setattr(gate, "count_current", c.count_current)
        monkeypatch.setattr(gate, "count_at", c.count_at)
        return c
    return install


def against(capsys, *extra):
    code = cli.main(["gate", "--against", "HEAD~1", *map(str, extra)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def stored_runs(db):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT commit_sha, branch, source FROM runs ORDER BY run_key").fetchall()


def test_the_second_gate_against_reuses_the_counts_of_the_first(tmp_path, capsys, counters):
    db = tmp_path / "history.sqlite"
    c = counters()
    code, out, _ = against(capsys, "--db", db)
    assert code == 0 and c.at_calls == [REF] and "3 benchmarks checked: 3 pass" in out
    assert f"commit {REF[:12]} (HEAD~1) counted here" in out
    # REF (a detached commit: HEAD~1 names no branch) and the working tree, a clean commit, both added.
    (ref_run, head_run) = stored_runs(db)
    assert ref_run == (REF, "detached", f"gate --against HEAD~1 (commit {REF[:12]})") and head_run[0] == HEAD

    c = counters()
    code, out, _ = against(capsys, "--db", db)
    assert code == 0 and c.at_calls == []  # REF neither built nor counted
    assert f"HEAD~1 {REF[:12]}: counts reused from {db}, added " in out
    assert f"commit {REF[:12]} (HEAD~1), its counts from the history {db}" in out
    assert "3 benchmarks checked: 3 pass" in out
    assert len(stored_runs(db)) == 2  # the same working tree again: nothing new

    # The reused counts are what is compared: a 5 % regression of the working tree is caught.
    c = counters(current_scale={HEAVY: 1.05})
    code, out, _ = against(capsys, "--db", db, "-o", tmp_path / "gate.xml")
    assert code == 1 and c.at_calls == [] and f"REGRESSION  {HEAVY}" in out and "counts reused" in out
    assert "<failure" in (tmp_path / "gate.xml").read_text()


@pytest.mark.parametrize("difference", ["compiler", "libraries", "flags", "counting arguments", "dirty", "profile"])
def test_counts_of_another_fingerprint_or_kind_are_not_reused(tmp_path, capsys, counters, difference):
    """The history holds REF's counts, but not as this toolchain would count them here now: REF is counted."""
    db = tmp_path / "history.sqlite"
    stored = meta_of(REF)
    if difference == "compiler":
        stored["build"]["compiler"] = "12.3.0"
    elif difference == "libraries":
        stored["libraries"] = dict(stored["libraries"], simdjson="3.1.0")
    elif difference == "flags":
        stored["build"]["cxx_flags"] = "-O2"
    elif difference == "counting arguments":
        stored["benchmark_args"] = [a.replace("=10", "=100") for a in ARGS]
    elif difference == "dirty":
        stored["git"]["dirty"] = True
    else:
        stored["profile"] = "default"
    assert cli.main(["history", "add", str(counts(tmp_path / "stored", stored, scale={HEAVY: 2.0})),
                     "--db", str(db), "--commit", REF]) == 0
    c = counters()
    code, out, _ = against(capsys, "--db", db)
    assert c.at_calls == [REF] and "counts reused" not in out
    assert code == 0 and "3 benchmarks checked: 3 pass" in out  # the fresh counts, not the stored ones
    c = counters()
    assert against(capsys, "--db", db)[0] == 0 and c.at_calls == []  # those fresh counts are reused next time


def test_a_partial_count_in_the_history_is_counted_in_full_never_mixed(tmp_path, capsys, counters):
    db = tmp_path / "history.sqlite"
    partial = counts(tmp_path / "partial", meta_of(REF), scale={"json/parse/rapidjson/orders": 2.0},
                     only=["json/parse/rapidjson/orders", HEAVY])
    assert cli.main(["history", "add", str(partial), "--db", str(db)]) == 0
    c = counters()
    code, out, _ = against(capsys, "--db", db)
    # Mixed, the stored 2x count of rapidjson would make the working tree look twice as fast.
    assert c.at_calls == [REF] and "counts reused" not in out
    assert code == 0 and "3 benchmarks checked: 3 pass" in out and "improvement" not in out.lower()


def test_the_default_history_is_used_only_when_it_exists(tmp_path, capsys, counters):
    default = history_store.DEFAULT_DB  # a path in a temporary folder (conftest.no_default_history)
    c = counters()
    assert against(capsys)[0] == 0 and c.at_calls == [REF]
    assert not default.exists()  # no database made that nobody asked for
    assert cli.main(["history", "add", str(counts(tmp_path / "ref", meta_of(REF)))]) == 0 and default.exists()
    capsys.readouterr()
    c = counters()
    code, out, _ = against(capsys)
    assert code == 0 and c.at_calls == [] and f"counts reused from {default}" in out


def test_a_dirty_working_tree_is_not_added(tmp_path, capsys, counters):
    db = tmp_path / "history.sqlite"
    counters(current_meta=meta_of(HEAD, dirty=True))
    assert against(capsys, "--db", db)[0] == 0
    assert [sha for sha, _, _ in stored_runs(db)] == [REF]


@pytest.mark.parametrize("problem", ["corrupt", "no folder"])
def test_a_history_that_cannot_be_used_is_a_warning_and_the_gate_decides_as_without(tmp_path, capsys, counters,
                                                                                      problem):
    if problem == "corrupt":
        db = tmp_path / "history.sqlite"
        db.write_bytes(b"not a database at all" * 10)
    else:
        db = tmp_path / "missing" / "history.sqlite"
    c = counters()
    code, out, err = against(capsys, "--db", db)
    assert code == 0 and c.at_calls == [REF] and "3 benchmarks checked: 3 pass" in out
    (warning,) = [line for line in err.splitlines() if "warning" in line]  # one line, not one per attempt
    assert warning.startswith(f"hotbench: warning: history {db}: ") and warning.endswith("the gate goes on without it")
    assert ("not an SQLite database" if problem == "corrupt" else "no folder") in warning
    c = counters(current_scale={HEAVY: 1.05})
    assert against(capsys, "--db", db)[0] == 1 and c.at_calls == [REF]  # and a regression still fails


def test_the_rows_rebuilt_from_the_history_are_the_rows_added(tmp_path, capsys, counters):
    """What the reuse rebuilds from the history is the result set that was added, row for row."""
    db = tmp_path / "history.sqlite"
    counters()
    against(capsys, "--db", db)
    store = history_store.open_store(db)
    try:
        from hotbench import gate_history
        (run_key,) = [k for k, sha in store.execute("SELECT run_key, commit_sha FROM runs") if sha == REF]
        rows = gate_history.rows_of(store, run_key)
    finally:
        store.close()
    assert {r["benchmark"]: r["instructions_per_op"] for r in rows} == COUNTS
    originals = make_rows(seed=1, reps=1, noise=0.0, metric="instructions_per_op", base=COUNTS)
    kept = ("benchmark", "suite", "threads", "repetition", "process", "status", "instructions_per_op")
    assert sorted((tuple(r[k] for k in kept) for r in rows)) == sorted(tuple(r[k] for k in kept) for r in originals)
