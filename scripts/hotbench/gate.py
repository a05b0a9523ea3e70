"""`hotbench gate`: the CI regression gate in its deterministic mode.

Counts instructions per operation (callgrind, see instructions.py) for a representative subset of
every suite on the tiny corpus, then applies `check` (results/gate.toml) against the committed
baseline result set `results/baseline-instructions/`. Exit codes are check's: 0 pass,
1 regression, 2 unresolved, 3 error. A baseline built by another toolchain or other library
versions is *not comparable*: the gate says so, prints the one-line refresh command, and passes,
since failing every build after a compiler update would teach people to ignore it.

`hotbench gate --update-baseline` makes a new baseline from the current build (commit it).
"""

import argparse
import pathlib
import shutil
import sys
import tempfile

from . import check, compare, runner
from .errors import EXIT_OK, HotbenchError

ROOT = runner.ROOT
BASELINE = ROOT / "results" / "baseline-instructions"
REFRESH = "./hotbench gate --update-baseline && git add results/baseline-instructions"
# What each suite counts (Google Benchmark's POSIX extended regex). json: every task on datasets of three
# shapes (strings, numbers, small messages). cache: every policy and map on the single-thread replay and
# hit rows (the suite registers a small deterministic set under valgrind: docs/cache.md). queue: the
# single-thread rows, the only ones registered under valgrind (threads make instruction counts vary).
SUBSET = {
    "json": r"^json/(limit|parse|serialize|typed_decode|typed_encode)/[^/]+/(social|geometry|orders)",
    "cache": r"^cache/(throughput|hit)/.*",
    "queue": r"^queue/single_thread/.*",
}
ITERATIONS = 10


def add_arguments(p):
    p.add_argument("--baseline", type=pathlib.Path, default=BASELINE, help="the baseline result set")
    p.add_argument("--update-baseline", action="store_true", help="replace the baseline with the current counts")
    p.add_argument("--junit", type=pathlib.Path, metavar="FILE", help="also write JUnit XML")
    p.add_argument("--policy", type=pathlib.Path, default=check.DEFAULT_POLICY, help="the gate's policy file")


def count_current(results: pathlib.Path) -> pathlib.Path:
    tiny = runner.ensure_corpus("tiny")[0].parent
    filter_ = "(" + "|".join(SUBSET.values()) + ")$"  # POSIX ERE: Google Benchmark's regex flavour
    args = argparse.Namespace(suite=list(SUBSET), dataset=[], data=[tiny], settings=[], quick=False, repetitions=None,
                              min_time=None, processes=1, filter=filter_, overhead=False, inject_slowdown=None,
                              instructions=True, iterations=ITERATIONS, results=results, build_dir=None)
    code = runner.main(args)
    if code != EXIT_OK:
        raise HotbenchError("the instruction-count run reported errors (see above); the gate cannot decide", 3)
    (run_dir,) = [p for p in results.iterdir() if p.is_dir()]
    return run_dir


def main(args) -> int:
    with tempfile.TemporaryDirectory(prefix="hotbench-gate-") as tmp:
        current = count_current(pathlib.Path(tmp))
        if args.update_baseline:
            staging = args.baseline.with_name(args.baseline.name + ".new")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(current, staging)
            shutil.rmtree(args.baseline, ignore_errors=True)
            staging.rename(args.baseline)
            print(f"hotbench: new baseline in {args.baseline}; commit it")
            return EXIT_OK
        if not args.baseline.exists():
            print(f"hotbench: gate: no baseline at {args.baseline}; make one with: {REFRESH}")
            return EXIT_OK
        _, meta_b = compare.load(args.baseline)
        _, meta_c = compare.load(current)
        differences, _ = compare.comparability(meta_b, meta_c, "baseline", "current")
        if differences:
            print("hotbench: gate: not comparable, so not gating: the baseline was made by a different build:")
            for d in differences:
                print(f"  {d}")
            print(f"hotbench: refresh the baseline with: {REFRESH}")
            return EXIT_OK
        check_args = argparse.Namespace(baseline=args.baseline, current=current, policy=args.policy,
                                        metric="instructions_per_op", junit=args.junit, allow_incomplete=False)
        code = check.main(check_args)
        sys.stdout.flush()
        return code
