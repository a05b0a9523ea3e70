"""`hotbench gate --time [--against REF]`: the regression gate on wall-clock time, paired.

Two separate samples of time cannot resolve a 5 % change on this machine class: the machine drifts
between them by more than that (README, "What each mode can detect here"). With both builds at hand,
this gate runs them alternately instead: for each suite, process k of this build and process k of
REF's build run back to back (A B, then B A, ...: `run --paired-with`), each on the same CPU and at
fixed addresses (timing_arguments), and `check` tests the ratios pair by pair (stats.paired_ratio: each
process valued by its fastest repetition), so a slow stretch of the machine hits both members of a pair.

REF (default: the merge-base with the main branch) is built in a temporary worktree with its own CMake
files and this machine's toolchain (the release preset); the selection is each suite's gate subset
(its description's gate.filter) on the tiny corpus. The threshold is `--threshold` (default
gate.TIME_THRESHOLD), not the policy's real_time_ns threshold, which is sized for unpaired samples;
the rest of the policy (confidence, overrides, removed benchmarks, paired_value) applies.

Input: the working tree's release build (./hotbench gate --time builds it) and REF. Output: the check's
report on stdout (and -o FILE.xml/.md like `check`); the two result sets are temporary.
Exit codes as `gate`: 0 pass, 1 regression, 2 cannot tell, 3 bad policy, 4 usage, 5 set-up.
"""

import dataclasses
import json
import os
import pathlib
import subprocess
import sys

from . import check, gate, runner, stats
from .errors import EXIT_FAILED, HotbenchError

RELEASE = gate.ROOT / "build" / "release"
METRIC = "real_time_ns"
REPETITIONS = 2
MIN_TIME_S = 0.02


def timing_arguments(pairs: int, pinned: bool = True) -> list[str]:
    """How the gate times, as `run` arguments, for the gate and for `gate-experiment --paired`, which
    measures what it can detect: the tiny corpus, REPETITIONS x MIN_TIME_S in each of `pairs` processes
    per side, each process on the last CPU this one may use and at fixed addresses (run --pin-cpu,
    --fixed-layout): on this machine class, with both the gate caught 88 % of 5 % slowdowns, without them
    52 % (README, "The paired time gate"). `pinned` False leaves out the CPU and the layout (the
    experiment's --paired-unpinned)."""
    tiny = runner.ensure_corpus("tiny")[0].parent
    steady = [f"--pin-cpu={max(os.sched_getaffinity(0))}", "--fixed-layout"] if pinned else []
    return ["--data", str(tiny), f"--repetitions={REPETITIONS}", f"--min-time={MIN_TIME_S}",
            f"--processes={pairs}", *steady]


def build_release(tree: pathlib.Path, commit: str) -> pathlib.Path:
    """REF's release build of every suite, made by REF's own CMake files; its build folder."""
    env = gate.tree_environment(tree)
    for step in (["cmake", "--preset", "release"],
                 ["cmake", "--build", "--preset", "release", "-j2", "--target", "hotbench_suites"]):
        print(f"hotbench: gate: {' '.join(step)} (commit {commit[:12]}, in {tree})", file=sys.stderr, flush=True)
        done = subprocess.run(step, cwd=tree, env=env, stdout=gate.build_log(), stderr=gate.build_log())
        if done.returncode != 0:
            raise gate.CannotTell(f"building commit {commit[:12]} failed (`{' '.join(step)}` exited "
                                  f"{done.returncode}; its output is above)")
    return tree / "build" / "release"


def paired_run(other_build: pathlib.Path, results: pathlib.Path, pairs: int,
               build_dir: pathlib.Path = RELEASE, extra: tuple = ()) -> tuple[pathlib.Path, pathlib.Path]:
    """The gate subset, this build paired with `other_build`; returns (other's result set, this one's).
    `extra`: more runner arguments (the tests inject a slowdown)."""
    filters = gate.subset(build_dir)
    parser = gate._RunnerParser(prog="hotbench run", add_help=False)
    runner.add_arguments(parser)
    args = parser.parse_args([f"--suite={s}" for s in filters] + timing_arguments(pairs) + [
        "--filter=(" + "|".join(filters.values()) + ")$",
        "--paired-with", str(other_build), "--build-dir", str(build_dir), "--output", str(results), *extra])
    try:
        runner.main(args)  # exit 1 = error rows, which the check lists as unresolved
    except HotbenchError as e:
        if e.exit_code != EXIT_FAILED:
            raise
        raise gate.CannotTell(f"cannot tell: the paired run failed: {e}") from None
    sides = {}
    for run_dir in (p for p in results.iterdir() if p.is_dir()):
        meta = json.loads((run_dir / "metadata.json").read_text(encoding="utf-8"))
        sides[meta["pairing"]["side"]] = run_dir
    return sides[1], sides[0]


def run(args, tmp: pathlib.Path) -> int:
    if args.pairs < 2:
        raise HotbenchError(f"--pairs must be at least 2 (a paired interval needs two pairs), got {args.pairs}", 4)
    if not 0 <= args.threshold < 1:
        raise HotbenchError(f"--threshold must be a fraction in [0, 1), got {args.threshold}", 4)
    policy = check.load_policy(args.policy)
    policy = dataclasses.replace(policy, thresholds={**policy.thresholds, METRIC: args.threshold})
    ref = gate.merge_base() if args.against in (None, gate.MERGE_BASE) else args.against
    commit = gate.resolve_commit(ref)
    print(f"hotbench: gate: timing commit {commit[:12]} ({ref}) and the working tree in {args.pairs} pairs of "
          f"processes", flush=True)
    with gate.worktree(commit) as tree:
        other = build_release(tree, commit)
        base, current = paired_run(other, tmp / "paired", args.pairs)
    return check.run_check(base, current, policy, METRIC, args.junit, markdown=args.markdown,
                           baseline_label=f"commit {commit[:12]} ({ref}) timed here, paired", accept_differences=True,
                           notes=(f"time gate: {args.pairs} pairs of processes, {REPETITIONS} repetitions of "
                                  f"{MIN_TIME_S:g} s each, one CPU, fixed addresses, each process valued by "
                                  f"{stats.PAIRED_VALUES[policy.paired_value]}; threshold "
                                  f"{args.threshold * 100:g} % (--threshold)",))
