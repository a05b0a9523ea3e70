"""gate.py without building anything: the decision when the baseline is not comparable (item 7), the
runner's arguments made by its own parser, counting another commit in a worktree, and the atomic
replacement of the baseline (item 11). The counting steps are injected; the real end-to-end gate is in
test_overhead_and_gate.py (needs the callgrind build)."""

import copy
import pathlib
import subprocess

import pytest

from hotbench import cli, gate, runner
from test_compare import META, make_rows, write_result
from test_runner import fake_binary

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEAD = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
COUNTS = {"json/parse/rapidjson/orders": 1_000_000.0, "json/parse/nlohmann/orders": 5_000_000.0,
          "queue/single_thread/moodycamel/push_pop": 4_000.0}
HEAVY = "json/parse/nlohmann/orders"
REAL_COUNT_AT = gate.count_at


def counts_meta(compiler="12.2.0", commit=HEAD, dirty=False):
    meta = copy.deepcopy(META)
    meta.update(profile="instructions", git={"commit": commit, "dirty": dirty})
    meta["build"]["compiler"] = compiler
    return meta


def counts(path, scale=None, meta=None, only=None, errors=()):
    """An instruction-count result set like the gate's: one repetition, exact counts."""
    rows = make_rows(seed=1, reps=1, noise=0.0, metric="instructions_per_op", base=COUNTS, scale=scale, only=only,
                     errors=errors)
    return write_result(path, rows, meta or counts_meta())


class Counters:
    """The injected counting steps, recording what the gate asked for."""

    def __init__(self, tmp_path, current_scale=None, rebuilt_scale=None, rebuilt_error=None, current_errors=()):
        self.tmp, self.current_scale, self.rebuilt_scale = tmp_path, current_scale, rebuilt_scale
        self.rebuilt_error, self.current_errors = rebuilt_error, current_errors
        self.at_calls, self.current_calls = [], 0

    def count_current(self, results):
        self.current_calls += 1
        results.mkdir(parents=True)
        return counts(results / "run", self.current_scale, errors=self.current_errors)

    def count_at(self, ref, results):
        self.at_calls.append(ref)
        if self.rebuilt_error:
            raise self.rebuilt_error
        results.mkdir(parents=True)
        return counts(results / "rebuilt", self.rebuilt_scale)


@pytest.fixture
def counters(tmp_path, monkeypatch):
    def install(**kw):
        c = Counters(tmp_path, **kw)
        monkeypatch.setattr(gate, "count_current", c.count_current)
        monkeypatch.setattr(gate, "count_at", c.count_at)
        return c
    return install


def run_gate(capsys, baseline, *extra):
    code = cli.main(["gate", "--baseline", str(baseline), *map(str, extra)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# ---------------------------------------------------------------- the decision (item 7)

def test_comparable_baseline_is_used_as_committed(tmp_path, capsys, counters):
    c = counters()
    baseline = counts(tmp_path / "baseline")
    code, out, _ = run_gate(capsys, baseline)
    assert code == 0 and c.at_calls == [] and "3 benchmarks checked: 3 pass" in out
    c = counters(current_scale={HEAVY: 1.05})
    code, out, _ = run_gate(capsys, baseline, "-o", tmp_path / "j.xml")
    assert code == 1 and f"REGRESSION  {HEAVY}" in out and c.at_calls == []
    assert "<failure" in (tmp_path / "j.xml").read_text()


def test_not_comparable_counts_the_baseline_commit_and_compares(tmp_path, capsys, counters):
    """Planted defect: the committed baseline was made by another compiler AND the current build is 5 %
    worse than that commit built here. The old gate printed "not comparable" and passed (exit 0)."""
    baseline = counts(tmp_path / "baseline", meta=counts_meta(compiler="11.3.0"))
    c = counters(current_scale={HEAVY: 1.05})
    code, out, _ = run_gate(capsys, baseline)
    assert code == 1 and c.at_calls == [HEAD]
    assert "was made by a different build:" in out
    assert "compiler: '11.3.0' (baseline) vs '12.2.0' (current)" in out
    assert f"counting its own commit {HEAD}" in out
    assert f"baseline: commit {HEAD[:12]} rebuilt here" in out and f"REGRESSION  {HEAVY}" in out
    c = counters()
    code, out, _ = run_gate(capsys, baseline)
    assert code == 0 and c.at_calls == [HEAD] and "note: baseline rebuilt: commit" in out
    assert "3 benchmarks checked: 3 pass" in out


def test_rebuilt_baseline_still_missing_benchmarks_fails(tmp_path, capsys, counters, monkeypatch):
    baseline = counts(tmp_path / "baseline", meta=counts_meta(compiler="11.3.0"))
    c = counters()
    monkeypatch.setattr(gate, "count_current",
                        lambda results: results.mkdir(parents=True) or counts(results / "r", only=[HEAVY]))
    code, out, _ = run_gate(capsys, baseline)
    assert code == 1 and c.at_calls == [HEAD] and "2 benchmark(s) missing" in out


@pytest.mark.parametrize("meta, fragment", [
    (counts_meta(compiler="11.3.0", commit=None), "the baseline's metadata records no git commit"),
    (counts_meta(compiler="11.3.0", dirty=True), "made from uncommitted changes on top of"),
    (counts_meta(compiler="11.3.0", commit="0123456789abcdef0123456789abcdef01234567"),
     "commit 0123456789abcdef0123456789abcdef01234567 is not in this clone's history"),
])
def test_not_comparable_and_commit_unusable_is_cannot_tell(tmp_path, capsys, counters, monkeypatch, meta, fragment):
    """The real count_at decides these (no worktree is made): never exit 0 without a comparison."""
    counters()
    monkeypatch.setattr(gate, "count_at", REAL_COUNT_AT)
    baseline = counts(tmp_path / "baseline", meta=meta)
    code, out, err = run_gate(capsys, baseline)
    assert code == 2
    assert "not comparable" in err and fragment in err and gate.REFRESH in err
    assert len(err.strip().splitlines()) == 1 and "benchmarks checked" not in out


def test_not_comparable_and_build_fails_is_cannot_tell(tmp_path, capsys, counters):
    baseline = counts(tmp_path / "baseline", meta=counts_meta(compiler="11.3.0"))
    counters(rebuilt_error=gate.CannotTell(f"counting commit {HEAD[:12]} failed (exited 5)"))
    code, out, err = run_gate(capsys, baseline)
    assert code == 2 and "counting commit" in err and "failed (exited 5)" in err
    assert "result:" not in out


def test_current_counting_errors_are_unresolved_not_bad_input(tmp_path, capsys, counters):
    """An errored count in the current build: cannot tell for that benchmark (2), the rest still gated."""
    baseline = counts(tmp_path / "baseline")
    counters(current_errors=[HEAVY])
    code, out, _ = run_gate(capsys, baseline)
    assert code == 2 and f"UNRESOLVED  {HEAVY}: error in current" in out
    counters(current_errors=[HEAVY], current_scale={"json/parse/rapidjson/orders": 1.5})
    assert run_gate(capsys, baseline)[0] == 1


def test_current_counting_run_that_fails_is_cannot_tell(tmp_path, capsys, monkeypatch):
    def failing(args):
        raise gate.HotbenchError("valgrind/hotbench_json exited with status 1: boom", 1)
    monkeypatch.setattr(gate.runner, "main", failing)
    monkeypatch.setattr(gate.runner, "ensure_corpus", lambda profile: [tmp_path / "tiny" / "x.json"])
    monkeypatch.setattr(gate, "subset", lambda build_dir=gate.BUILD: {"json": "^json/"})
    code, _, err = run_gate(capsys, counts(tmp_path / "baseline"))
    assert code == 2 and "cannot tell: counting the current build failed: valgrind" in err


def test_no_baseline_is_exit_3_not_a_pass(tmp_path, capsys, counters):
    c = counters()
    code, out, err = run_gate(capsys, tmp_path / "none")
    assert code == 3 and "no baseline" in err and gate.REFRESH in err and out == ""
    (tmp_path / "bad.toml").write_text("min_repetitions = 0\n")
    code, _, err = run_gate(capsys, counts(tmp_path / "baseline"), "--policy", tmp_path / "bad.toml")
    assert code == 3 and "bad.toml: min_repetitions" in err
    assert c.current_calls == 0  # refused before minutes of counting


def test_update_refuses_errored_counts(tmp_path, capsys, counters):
    baseline = counts(tmp_path / "baseline")
    before = (baseline / "results.csv").read_bytes()
    counters(current_errors=[HEAVY])
    code, _, err = run_gate(capsys, baseline, "--update-baseline")
    assert code == 1 and "not updating the baseline: 1 benchmark(s) errored" in err
    assert (baseline / "results.csv").read_bytes() == before


def test_update_replaces_the_baseline(tmp_path, capsys, counters):
    baseline = counts(tmp_path / "baseline")
    counters(current_scale={HEAVY: 2.0})
    code, out, _ = run_gate(capsys, baseline, "--update-baseline")
    assert code == 0 and "new baseline" in out
    assert "10000000" in (baseline / "results.csv").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline"]


# ---------------------------------------------------------------- the runner's arguments

def test_runner_arguments_come_from_the_runners_parser(tmp_path, monkeypatch):
    """Planted defect: a new runner flag. The old hand-built Namespace lacked it (AttributeError in run)."""
    original = runner.add_arguments

    def with_new_flag(p):
        original(p)
        p.add_argument("--new-flag", type=int, default=7)
    monkeypatch.setattr(runner, "add_arguments", with_new_flag)
    filters = {"json": "^json/parse/.*", "queue": "^queue/single_thread/.*"}
    ns = gate.runner_arguments(tmp_path / "results", tmp_path / "tiny", filters, tmp_path / "build")
    assert ns.new_flag == 7
    assert (ns.suite, ns.instructions, ns.iterations, ns.results, ns.build_dir) == (
        ["json", "queue"], True, gate.ITERATIONS, tmp_path / "results", tmp_path / "build")
    assert ns.data == [tmp_path / "tiny"] and ns.filter == "(^json/parse/.*|^queue/single_thread/.*)$"
    assert runner.benchmark_args(ns)[0] == f"--hotbench_iterations={gate.ITERATIONS}"


def test_the_subset_is_what_the_built_binaries_name(tmp_path):
    """No list in the gate: each callgrind binary's description names its subset; one naming none is not counted."""
    fake_binary(tmp_path, suite="queue", suffixes=(), gate_filter="^queue/single_thread/.*")
    fake_binary(tmp_path, suite="json", gate_filter="^json/parse/")
    fake_binary(tmp_path, suite="extra", suffixes=())
    assert gate.subset(tmp_path) == {"json": "^json/parse/", "queue": "^queue/single_thread/.*"}
    assert list(gate.subset(tmp_path)) == ["json", "queue"]
    with pytest.raises(gate.HotbenchError) as e:
        gate.subset(tmp_path / "nothing")
    assert e.value.exit_code == 5 and "names a gate subset" in str(e.value)


def test_runner_arguments_refused_is_an_internal_error(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "add_arguments", lambda p: p.add_argument("--only-this"))
    with pytest.raises(gate.HotbenchError) as e:
        gate.runner_arguments(tmp_path, tmp_path, {"json": "^json/"})
    assert e.value.exit_code == 5


# ---------------------------------------------------------------- count_at: the worktree

def worktrees() -> str:
    return subprocess.run(["git", "-C", str(ROOT), "worktree", "list", "--porcelain"], capture_output=True,
                          text=True).stdout


def test_count_at_runs_the_commits_own_gate_in_a_worktree_and_removes_it(tmp_path):
    seen = {}

    def fake_run(command, cwd, env, **kw):
        seen.update(command=command, cwd=cwd, env=env, exists=(cwd / "hotbench").is_file())
        dest = pathlib.Path(command[-1])
        counts(dest)
        return subprocess.CompletedProcess(command, 0)
    out = gate.count_at("HEAD", tmp_path / "rebuilt", run=fake_run)
    assert out == tmp_path / "rebuilt" / f"counts-{HEAD[:12]}" and (out / "results.csv").is_file()
    assert seen["exists"] and seen["command"][1:5] == ["gate", "--update-baseline", "--baseline", str(out)]
    assert seen["env"]["CCACHE_BASEDIR"] == str(seen["cwd"]) and "PYTHONPATH" not in seen["env"]
    assert not seen["cwd"].exists() and str(seen["cwd"]) not in worktrees()


@pytest.mark.parametrize("failure", ["exit", "interrupt", "no output"])
def test_count_at_removes_the_worktree_on_failure(tmp_path, failure):
    seen = {}

    def fake_run(command, cwd, env, **kw):
        seen["cwd"] = cwd
        if failure == "interrupt":
            raise KeyboardInterrupt
        return subprocess.CompletedProcess(command, 5 if failure == "exit" else 0)
    expected = KeyboardInterrupt if failure == "interrupt" else gate.CannotTell
    with pytest.raises(expected) as e:
        gate.count_at(HEAD, tmp_path / "rebuilt", run=fake_run)
    if failure == "exit":
        assert "failed (its `gate --update-baseline` exited 5" in str(e.value)
    assert not seen["cwd"].exists() and str(seen["cwd"]) not in worktrees()


def test_count_at_a_commit_without_the_counting_command(tmp_path, monkeypatch):
    monkeypatch.setattr(gate, "counting_command", lambda tree, dest: (_ for _ in ()).throw(
        gate.CannotTell("that commit has no `hotbench gate --update-baseline --baseline` to count with")))
    # The worktree this call adds, by its path: `.ci/run` runs the gate beside the tests, and the gate
    # may have a worktree of its own (of the baseline's commit) at the same time.
    added, git = [], gate._git

    def recording_git(*args, **kw):
        if args[:2] == ("worktree", "add"):
            added.append(args[3])
        return git(*args, **kw)
    monkeypatch.setattr(gate, "_git", recording_git)
    with pytest.raises(gate.CannotTell, match="no `hotbench gate --update-baseline"):
        gate.count_at(HEAD, tmp_path / "rebuilt", run=None)
    assert len(added) == 1 and added[0] not in worktrees() and not pathlib.Path(added[0]).exists()


def test_counting_command_reads_the_commits_own_gate(tmp_path):
    (tmp_path / "scripts" / "hotbench").mkdir(parents=True)
    with pytest.raises(gate.CannotTell):
        gate.counting_command(tmp_path, tmp_path / "d")
    (tmp_path / "scripts" / "hotbench" / "gate.py").write_text((ROOT / "scripts/hotbench/gate.py").read_text())
    assert gate.counting_command(tmp_path, tmp_path / "d")[1:] == ["gate", "--update-baseline", "--baseline",
                                                                   str(tmp_path / "d")]


# ---------------------------------------------------------------- replacing the baseline (item 11)

def tree_of(path: pathlib.Path) -> dict:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def make_tree(path: pathlib.Path, tag: str) -> dict:
    (path / "raw").mkdir(parents=True)
    for name in ("results.csv", "metadata.json", "raw/json.json", "raw/cache.json"):
        (path / name).write_text(f"{tag} {name}\n" * 100)
    return tree_of(path)


def exchange_works(where: pathlib.Path) -> bool:
    (where / "probe-a").mkdir()
    (where / "probe-b").mkdir()
    works = gate._exchange(where / "probe-a", where / "probe-b")
    (where / "probe-a").rmdir()
    (where / "probe-b").rmdir()
    return works


class Interrupt(BaseException):
    """Stands for Ctrl-C or a kill between two steps."""


def interrupting(monkeypatch, at: int, exchange: bool):
    """Every file-system step of replace_baseline counted; step number `at` is interrupted. A copy or a
    deletion is interrupted half-way (half the files done), a rename or an exchange before it happens."""
    steps = []

    def wrap(name, real, partial):
        def step(*a, **kw):
            steps.append(name)
            if len(steps) == at:
                if partial:
                    partial(*a)
                raise Interrupt(name)
            return real(*a, **kw)
        monkeypatch.setattr(gate, name, step)

    def half_copy(src, dst):
        files = [p for p in sorted(src.rglob("*")) if p.is_file()]
        for p in files[:len(files) // 2]:
            (dst / p.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
            (dst / p.relative_to(src)).write_bytes(p.read_bytes())

    def half_delete(path, *a, **kw):
        files = [p for p in sorted(pathlib.Path(path).rglob("*")) if p.is_file()]
        for p in files[:len(files) // 2]:
            p.unlink()

    wrap("_copytree", gate.shutil.copytree, half_copy)
    wrap("_rename", gate.os.rename, None)
    wrap("_rmtree", gate.shutil.rmtree, half_delete)
    real_exchange = gate._exchange
    wrap("_exchange", real_exchange if exchange else (lambda a, b: False), None)
    return steps


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
@pytest.mark.parametrize("at", range(1, 7))
@pytest.mark.parametrize("crash", [False, True], ids=["interrupted", "killed"])
def test_interrupted_update_leaves_a_complete_baseline(tmp_path, monkeypatch, at, exchange, crash):
    """Planted defect: the old update deleted the baseline before renaming the new one into place; an
    interruption at that step left no baseline. `killed`: the process dies without running its clean-up,
    and the next start (recover_baseline) must restore a complete baseline from what is on disk."""
    baseline, new = tmp_path / "baseline", tmp_path / "new"
    old_files, new_files = make_tree(baseline, "old"), make_tree(new, "new")
    if exchange and not exchange_works(tmp_path):
        pytest.skip("renameat2 RENAME_EXCHANGE unavailable on this file system")
    steps = interrupting(monkeypatch, at, exchange)
    real_recover = gate.recover_baseline
    if crash:
        # Only the clean-up inside replace_baseline is skipped (as by SIGKILL): the start-up recovery
        # before the first step still runs.
        calls = []
        monkeypatch.setattr(gate, "recover_baseline",
                            lambda p: calls.append(p) or (real_recover(p) if len(calls) == 1 else None))
    try:
        gate.replace_baseline(new, baseline)
        interrupted = False
    except Interrupt:
        interrupted = True
    monkeypatch.undo()
    if not interrupted:
        assert at > len(steps) and tree_of(baseline) == new_files
        return
    # At the moment of interruption: a complete old or new baseline at the path, except, only for the
    # fallback's two renames after a kill, the old one complete at .old until the next start restores it.
    if baseline.exists():
        assert tree_of(baseline) in (old_files, new_files)
    else:
        assert crash and not exchange and tree_of(tmp_path / "baseline.old") == old_files
    gate.recover_baseline(baseline)  # the next run's start
    assert tree_of(baseline) in (old_files, new_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline", "new"]
    gate.replace_baseline(new, baseline)  # and the update then succeeds
    assert tree_of(baseline) == new_files


def test_exchange_swaps_directories(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ta, tb = make_tree(a, "a"), make_tree(b, "b")
    if not gate._exchange(a, b):
        pytest.skip("renameat2 RENAME_EXCHANGE unavailable on this file system")
    assert (tree_of(a), tree_of(b)) == (tb, ta)


def test_first_baseline_and_leftovers_from_a_crash(tmp_path):
    new = tmp_path / "new"
    files = make_tree(new, "new")
    baseline = tmp_path / "baseline"
    make_tree(tmp_path / "baseline.new", "partial")  # a crash during an earlier first update
    gate.replace_baseline(new, baseline)
    assert tree_of(baseline) == files and not (tmp_path / "baseline.new").exists()


def with_estimated_cycles(result, factor=1.0, only=None):
    """The result set with estimated_cycles_per_op beside its counts (twice the instructions, times `factor`
    for the benchmarks in `only`), as `gate --cache-sim` counts them."""
    from hotbench import tidy
    rows = tidy.load_rows(result)[0]
    for r in rows:
        if r.get("instructions_per_op"):
            planted = factor if r["benchmark"] in (only or ()) else 1
            r["estimated_cycles_per_op"] = 2 * r["instructions_per_op"] * planted
    tidy.write_csv(result / "results.csv", rows)
    return result


def test_estimated_cycles_are_gated_when_both_sides_have_them(tmp_path, capsys, monkeypatch):
    """Planted defect: the same instructions, 20 % more estimated cycles (cache misses): the gate fails on the
    second metric. A baseline without them gates instructions alone and says so."""
    baseline = with_estimated_cycles(counts(tmp_path / "baseline"))
    asked = []

    def count_current(results, cache_sim=False):
        asked.append(cache_sim)
        results.mkdir(parents=True)
        return with_estimated_cycles(counts(results / "run"), 1.2, {HEAVY})

    monkeypatch.setattr(gate, "count_current", count_current)
    code, out, _ = run_gate(capsys, baseline, "--cache-sim")
    assert code == 1 and asked == [True]
    instructions_part, cycles_part = out.split("hotbench check: estimated_cycles_per_op", 1)
    assert "REGRESSION" not in instructions_part and f"REGRESSION  {HEAVY}" in cycles_part
    code, out, _ = run_gate(capsys, counts(tmp_path / "old-baseline"))
    assert code == 0 and asked == [True, False]
    assert "estimated_cycles_per_op not gated: not counted on both sides" in out
