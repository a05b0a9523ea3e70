"""`hotbench gate`: the CI regression gate in its deterministic mode.

Counts instructions per operation (callgrind, see instructions.py) for a representative subset of
every suite on the tiny corpus, then applies `check` (results/gate.toml) against the committed
baseline result set `results/baseline-instructions/`.

When the committed baseline was made by another build (compiler, flags, library versions: exactly
when a toolchain upgrade lands), its counts cannot be compared with today's. The gate then counts the
baseline's own commit (recorded in its metadata.json) on this machine, in a temporary git worktree
with the same toolchain, and checks the current counts against those: like with like. It never
passes without having compared.

Exit codes: 0 pass; 1 a regression, or a baseline benchmark missing from the current counts;
2 cannot tell: benchmarks unresolved (an errored count included), or the baseline is not comparable
and its commit could not be counted (unknown, dirty, not in this clone, its build failed), or the
current build's counting run failed; 3 the baseline or the policy is missing, unreadable or invalid;
4 usage error; 5 set-up failure or a bug in hotbench.

`hotbench gate --update-baseline` replaces the baseline with the current counts (commit it): the new
baseline is written next to the old and swapped in, so an interrupted update leaves the old one.

`hotbench gate --against [REF]` compares with a commit instead of the committed baseline: REF is counted
here, in a temporary worktree with this machine's toolchain, and the working tree's counts are checked
against those (like with like on any machine). Without REF: the merge-base with the main branch
(origin/main, else main), what a pull request is judged against. With a results history (`--db`, else
results/history.sqlite when it exists), counts of REF already there for the same commit and fingerprint
are reused instead of building REF, and what was counted is added (gate_history).

`hotbench gate --cache-sim` counts with callgrind's cache simulator too and, where the baseline has them,
gates estimated cycles beside the instructions (cachesim.py). `hotbench gate --binary PATH --baseline DIR`
gates any Google Benchmark binary instead of hotbench's subset (foreign.py; docs/gate.md).
"""

import argparse
import contextlib
import ctypes
import errno
import functools
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

from . import check, compare, foreign, gate_history, runner
from .errors import BadInput, EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_UNRESOLVED, HotbenchError

ROOT = runner.ROOT
BASELINE = ROOT / "results" / "baseline-instructions"
REFRESH = "./hotbench gate --update-baseline && git add results/baseline-instructions"
BUILD = runner.COUNTING
ITERATIONS = 10
MERGE_BASE = "merge-base"  # --against without a commit
# gate --time's largest tolerated slowdown (--threshold): 2 %, measured at no false alarm in 280 A/A
# comparisons, which leaves two builds of the same code room to differ by their layout (README, "The
# paired time gate").
TIME_THRESHOLD = 0.02


class CannotTell(HotbenchError):
    """The gate cannot decide (exit 2), with the reason in one line."""

    def __init__(self, message: str):
        super().__init__(message, EXIT_UNRESOLVED)


def add_arguments(p):
    p.add_argument("--baseline", type=pathlib.Path, default=None, metavar="DIR",
                   help=f"the baseline result set (default: {BASELINE.relative_to(ROOT)}; required with --binary)")
    p.add_argument("--update-baseline", action="store_true", help="replace the baseline with the current counts")
    check.add_outputs(p)
    p.add_argument("--policy", type=pathlib.Path, default=check.DEFAULT_POLICY, metavar="FILE",
                   help="the gate's policy (TOML)")
    p.add_argument("--against", nargs="?", const=MERGE_BASE, metavar="REF",
                   help="compare with commit REF counted here instead of the committed baseline (without REF: "
                        "the merge-base with the main branch)")
    p.add_argument("--binary", type=pathlib.Path, metavar="PATH",
                   help="gate any Google Benchmark binary instead of hotbench's subset: its counts (foreign.py) "
                        "against --baseline DIR, which is then required")
    foreign.add_counting_arguments(p.add_argument_group("counting (--filter, --min-time, --timeout: with --binary)"))
    p.add_argument("--time", action="store_true",
                   help="gate on time instead of instructions: this build and commit REF's (--against, default "
                        "the merge-base) run alternately, pair by pair, and the ratios are tested pair by pair")
    p.add_argument("--pairs", type=int, default=10, metavar="N",
                   help="with --time: pairs of processes per suite (default: %(default)s)")
    p.add_argument("--threshold", type=float, default=TIME_THRESHOLD, metavar="FRACTION",
                   help="with --time: the largest tolerated slowdown, replacing the policy's real_time_ns "
                        "threshold, which is for unpaired samples (default: %(default)s)")
    gate_history.add_arguments(p)


# ---------------------------------------------------------------- counting the current build

class _RunnerParser(argparse.ArgumentParser):
    """The runner's own parser: a flag it refuses here is a bug in the gate (exit 5), not a usage error."""

    def error(self, message):
        raise HotbenchError(f"the gate built arguments the runner refuses: {message}", EXIT_INTERNAL)


def subset(build_dir: pathlib.Path = BUILD) -> dict[str, str]:
    """{suite: filter} of what the gate counts: each built callgrind binary's own subset (its description's
    gate.filter, a Google Benchmark POSIX extended regex, written in the suite's suite.cpp with its reasons);
    a suite with an empty filter is not counted."""
    filters = {name: (suite.description.get("gate") or {}).get("filter") or ""
               for name, suite in runner.built_suites(build_dir).items()}
    chosen = {name: f for name, f in filters.items() if f}
    if not chosen:
        raise HotbenchError(f"no suite binary in {build_dir} names a gate subset (build the counting binaries: "
                            "cmake --preset release && cmake --build --preset release --target hotbench_counting)", EXIT_INTERNAL)
    return chosen


def runner_arguments(results: pathlib.Path, data: pathlib.Path, filters: dict[str, str],
                     build_dir: pathlib.Path = BUILD, cache_sim: bool = False) -> argparse.Namespace:
    """The runner's namespace for the gate's counting run of `filters` ({suite: filter}, see subset), made
    by the runner's own argparse parser, so that a new runner flag gets its default here too instead of
    breaking the gate."""
    p = _RunnerParser(prog="hotbench run", add_help=False)
    runner.add_arguments(p)
    filter_ = "(" + "|".join(filters.values()) + ")$"  # POSIX ERE: Google Benchmark's regex flavour
    argv = [f"--suite={s}" for s in filters] + ["--data", str(data), f"--filter={filter_}", "--instructions",
                                                f"--iterations={ITERATIONS}", "--output", str(results),
                                                "--build-dir", str(build_dir)] + ["--cache-sim"] * cache_sim
    return p.parse_args(argv)


def count_current(results: pathlib.Path, cache_sim: bool = False) -> pathlib.Path:
    """Counts the current build's subset into a new result set under `results`; returns its directory.
    Error rows are kept (the check reports them as unresolved); a run that cannot finish is "cannot tell"."""
    tiny = runner.ensure_corpus("tiny")[0].parent
    try:
        # exit 1 = error rows, which the check will list
        runner.main(runner_arguments(results, tiny, subset(), cache_sim=cache_sim))
    except HotbenchError as e:
        if e.exit_code != EXIT_FAILED:
            raise
        raise CannotTell(f"cannot tell: counting the current build failed: {e}") from None
    (run_dir,) = [p for p in results.iterdir() if p.is_dir()]
    return run_dir


# ---------------------------------------------------------------- counting another commit

def _git(*args, timeout=None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=timeout)


def resolve_commit(ref: str | None) -> str:
    """The full commit id of `ref` in this clone. A shallow clone (CI) first fetches that one commit
    (cheap: one commit's tree, no history); anything else it cannot find is CannotTell with the reason."""
    if not ref:
        raise CannotTell("the baseline's metadata records no git commit")
    found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode == 0:
        return found.stdout.strip()
    shallow = _git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    if shallow:
        try:
            fetched = _git("fetch", "--quiet", "--depth=1", "origin", ref, timeout=300)
        except subprocess.TimeoutExpired:
            fetched = None
        if fetched is not None and fetched.returncode == 0:
            found = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
            if found.returncode == 0:
                return found.stdout.strip()
        raise CannotTell(f"commit {ref} is not in this shallow clone and fetching it from origin failed "
                         f"(fetch the history in CI, e.g. actions/checkout with fetch-depth: 0)")
    raise CannotTell(f"commit {ref} is not in this clone's history")


def merge_base() -> str:
    """The commit a pull request is judged against: where HEAD left the main branch."""
    for main in ("origin/main", "main"):
        found = _git("merge-base", "HEAD", main)
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
    raise CannotTell("no merge-base of HEAD with origin/main or main: name the commit, --against REF")


def counting_command(tree: pathlib.Path, dest: pathlib.Path) -> list[str]:
    """How the checked-out commit counts its own subset into `dest`: its own `./hotbench gate
    --update-baseline --baseline DEST`, which builds its counting binaries with its own CMake files and
    counts exactly what its gate counted when the committed baseline was made (every commit that can
    have made a baseline has this command: the baseline comes from it)."""
    gate_source = tree / "scripts" / "hotbench" / "gate.py"
    try:
        text = gate_source.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if "--update-baseline" not in text or '"--baseline"' not in text:
        raise CannotTell("that commit has no `hotbench gate --update-baseline --baseline` to count with")
    return [str(tree / "hotbench"), "gate", "--update-baseline", "--baseline", str(dest)]


@contextlib.contextmanager
def worktree(commit: str):
    """A temporary `git worktree add --detach` of `commit`, always removed (also on errors and Ctrl-C)."""
    with tempfile.TemporaryDirectory(prefix="hotbench-worktree-") as tmp:
        tree = pathlib.Path(tmp) / "tree"
        added = _git("worktree", "add", "--detach", str(tree), commit)
        if added.returncode != 0:
            raise CannotTell(f"cannot check out commit {commit[:12]} in a worktree: "
                             f"{' '.join(added.stderr.split())[-300:]}")
        try:
            yield tree
        finally:
            removed = _git("worktree", "remove", "--force", str(tree))
            if removed.returncode != 0:
                shutil.rmtree(tree, ignore_errors=True)
                _git("worktree", "prune")


def tree_environment(tree: pathlib.Path) -> dict:
    """Another checkout's commands run with its own scripts and its own compiler-cache base: nothing of
    this checkout's Python leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CCACHE_BASEDIR")}
    env["CCACHE_BASEDIR"] = str(tree)
    return env


def build_log():
    """Where another checkout's build log goes: stderr, since stdout is the gate's report."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def count_at(ref: str, results: pathlib.Path, run=subprocess.run, output_at: str = "above") -> pathlib.Path:
    """Counts the gate's subset as commit `ref` builds it, with this machine's toolchain: a temporary
    `git worktree add --detach` of the commit, its own counting command, the worktree always removed
    (also on errors and Ctrl-C). Returns the result set (under `results`, outside the worktree).
    CannotTell when the commit is not available or its build or count fails. `run` is injectable, and
    `output_at` says where it sends the commit's output."""
    commit = resolve_commit(ref)
    results.mkdir(parents=True, exist_ok=True)
    dest = results / f"counts-{commit[:12]}"
    with worktree(commit) as tree:
        command = counting_command(tree, dest)
        print(f"hotbench: gate: building and counting commit {commit[:12]} in {tree} "
              f"({' '.join(command[1:])})", file=sys.stderr, flush=True)
        done = run(command, cwd=tree, env=tree_environment(tree), stdout=build_log(), stderr=build_log())
        if done.returncode != 0:
            raise CannotTell(f"counting commit {commit[:12]} failed (its `{' '.join(command[1:3])}` "
                             f"exited {done.returncode}; its output is {output_at})")
    if not (dest / "results.csv").is_file():
        raise CannotTell(f"counting commit {commit[:12]} wrote no result set at {dest}")
    return dest


# ---------------------------------------------------------------- replacing the baseline atomically

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: pathlib.Path, b: pathlib.Path) -> bool:
    """Swaps two directories in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or file system cannot, and the caller falls back to two renames."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


# Indirections so that the tests can interrupt every step.
_copytree, _rename, _rmtree = shutil.copytree, os.rename, shutil.rmtree


def _staging(path: pathlib.Path) -> pathlib.Path:
    return path.with_name(path.name + ".new")


def _retired(path: pathlib.Path) -> pathlib.Path:
    return path.with_name(path.name + ".old")


def recover_baseline(path: pathlib.Path) -> None:
    """Finishes or undoes an interrupted replace_baseline. `.old` exists only between the two renames
    of the fallback, or before its deletion: the new baseline is at `path` if `path` exists, else the
    old one is restored from `.old`. `.new` is then never needed: incomplete, or already swapped."""
    retired, staging = _retired(path), _staging(path)
    if retired.exists():
        if path.exists():
            _rmtree(retired)
        else:
            _rename(retired, path)
    if staging.exists():
        _rmtree(staging)


def replace_baseline(new_counts: pathlib.Path, path: pathlib.Path) -> None:
    """Puts a copy of `new_counts` at `path` so that at every instant `path` holds the complete old or
    the complete new baseline (one atomic exchange; where that is unavailable, two renames, with the
    old baseline at `.old` in between, which recover_baseline restores after a crash)."""
    recover_baseline(path)
    staging = _staging(path)
    try:
        _copytree(new_counts, staging)
        if not path.exists():
            _rename(staging, path)
        elif _exchange(staging, path):
            _rmtree(staging)  # now the old baseline
        else:
            retired = _retired(path)
            _rename(path, retired)
            _rename(staging, path)
            _rmtree(retired)
    except BaseException:
        recover_baseline(path)
        raise


def adopt_as_baseline(current: pathlib.Path, rows: list[dict], baseline: pathlib.Path) -> int:
    """--update-baseline: the counts in `current` become the baseline, unless any benchmark errored
    (then the old baseline stays, exit 1)."""
    errors = [r["benchmark"] for r in rows if r.get("status") != "ok"]
    if errors:
        raise HotbenchError(f"not updating the baseline: {len(errors)} benchmark(s) errored "
                            f"(e.g. {errors[0]}; see above)", EXIT_FAILED)
    replace_baseline(current, baseline)
    print(f"hotbench: new baseline in {baseline}; commit it")
    return EXIT_OK


# ---------------------------------------------------------------- the gate

def gate_against(args, tmp: pathlib.Path, count_current, count_at) -> int:
    """--against: the working tree counted, then REF (its counts reused from the history when it has them:
    gate_history), checked like with like; what was counted is added to the history."""
    policy = check.load_policy(args.policy)
    ref = merge_base() if args.against == MERGE_BASE else args.against
    commit = resolve_commit(ref)
    history = gate_history.History.chosen(args.db)
    print(f"hotbench: gate: counting the working tree, then commit {commit[:12]} ({ref}) here{history.unless}",
          flush=True)
    current = count_current(tmp / "current")
    base, label = history.counts_of_ref(commit, ref, args.against == MERGE_BASE, current, tmp, count_at)
    try:
        _, meta_b = compare.load(base)
    except HotbenchError as e:
        raise CannotTell(f"cannot tell: the counts of commit {commit[:12]} are unreadable: {e}") from None
    _, meta_c = compare.load(current)
    remaining, _ = compare.comparability(meta_b, meta_c, f"commit {commit[:12]}", "current")
    notes = ()
    if remaining:
        notes = ("the two builds differ ('built differently' below) although both were built here: the change "
                 "under test changed that itself, so it is gated with it",)
    return check.run_check(base, current, policy, "instructions_per_op", args.junit, baseline_label=label,
                           accept_differences=True, notes=notes, markdown=args.markdown)


def main(args) -> int:
    if args.binary:
        return foreign.gate(args, check.load_policy, check.run_check, adopt_as_baseline)
    foreign.refuse_without_binary(args)
    # Looked up at call time, so that the tests can replace the counting steps.
    counter = functools.partial(count_current, cache_sim=True) if args.cache_sim else count_current
    return run_gate(args, count_current=counter, count_at=count_at)


def run_gate(args, count_current, count_at) -> int:
    """The decision, with the counting steps injected: comparable -> check against the committed
    baseline; not comparable -> count the baseline's commit here and check against that; that
    impossible -> CannotTell (2) with the reason. Every exit 0 comes from a check that compared."""
    if args.baseline is None:
        args.baseline = BASELINE
    recover_baseline(args.baseline)
    if args.against and args.update_baseline:
        raise HotbenchError("--against and --update-baseline do not go together: the baseline is the committed one")
    if getattr(args, "time", False) and args.update_baseline:
        raise HotbenchError("--time and --update-baseline do not go together: a time gate compares with a commit")
    with tempfile.TemporaryDirectory(prefix="hotbench-gate-") as tmp:
        tmp = pathlib.Path(tmp)
        if getattr(args, "time", False):
            from . import gate_time
            return gate_time.run(args, tmp)
        if args.against:
            return gate_against(args, tmp, count_current, count_at)
        if args.update_baseline:
            current = count_current(tmp / "current")
            return adopt_as_baseline(current, compare.load(current)[0], args.baseline)
        # Everything that can be refused is refused before minutes of counting.
        if not args.baseline.exists():
            raise BadInput(f"{args.baseline}: no baseline; make one with: {REFRESH}")
        policy = check.load_policy(args.policy)
        _, meta_b = compare.load(args.baseline)
        current = count_current(tmp / "current")
        _, meta_c = compare.load(current)
        differences, _ = compare.comparability(meta_b, meta_c, "baseline", "current")
        if not differences:
            return foreign.check_metrics(args.baseline, current, policy, check.run_check, args.junit,
                                         markdown=args.markdown)

        print(f"hotbench: gate: the committed baseline {args.baseline} was made by a different build:")
        for d in differences:
            print(f"  {d}")
        git = meta_b.get("git") if isinstance(meta_b.get("git"), dict) else {}
        commit = git.get("commit")
        print(f"hotbench: gate: so its counts are not comparable; counting its own commit {commit or '(unknown)'} "
              f"with this build's toolchain instead, to compare like with like", flush=True)
        try:
            if git.get("dirty"):
                raise CannotTell(f"the baseline was made from uncommitted changes on top of {commit}: "
                                 f"that code cannot be rebuilt")
            rebuilt = count_at(commit, tmp / "rebuilt")
        except CannotTell as e:
            sys.stdout.flush()
            raise CannotTell(f"cannot tell: the baseline is not comparable ({'; '.join(differences)}) and "
                             f"its commit cannot be counted here: {e}; refresh the baseline: {REFRESH}") from None
        try:
            _, meta_r = compare.load(rebuilt)
        except HotbenchError as e:
            raise CannotTell(f"cannot tell: the counts of commit {commit[:12]} are unreadable: {e}") from None
        remaining, _ = compare.comparability(meta_r, meta_c, "rebuilt baseline", "current")
        notes = [f"baseline rebuilt: commit {commit[:12]} counted on this machine with this toolchain, because "
                 f"the committed baseline is not comparable ({'; '.join(differences)}); refresh it: {REFRESH}"]
        if remaining:
            notes.append("the rebuilt baseline still differs from the current build ('built differently' below): "
                         "the code under test changed that itself, so it is gated with it")
        return check.run_check(rebuilt, current, policy, "instructions_per_op", args.junit, markdown=args.markdown,
                               baseline_label=f"commit {commit[:12]} rebuilt here (the committed {args.baseline} "
                                              f"is not comparable)",
                               accept_differences=True, notes=tuple(notes))
