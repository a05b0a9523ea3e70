"""`hotbench smoke --suite NAME --binary PATH`: a suite binary end to end, in seconds.

Each suite's check lives in smoke_<suite>.py as `run(binary) -> (rows passed, problems)`: every
benchmark must give a valid row, and bad input must give error rows (or a clear refusal) while
the rest still runs. CTest runs one smoke test per suite (see CMakeLists.txt).
"""

import importlib
import pathlib
import subprocess

from . import gbench, tidy
from .errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, HotbenchError

SUITES = ("json", "cache", "queue")


class SmokeFailure(Exception):
    """The binary itself failed (a crash, a non-zero exit): one problem, and the smoke run stops."""


def run_binary(binary: pathlib.Path, args: list[str], out: pathlib.Path) -> list[dict]:
    """The binary with a tiny time budget: its tidy rows, or SmokeFailure with the tail of its stderr."""
    command = [str(binary), *args, "--benchmark_min_time=0.001", f"--benchmark_out={out}",
               "--benchmark_out_format=json"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SmokeFailure(f"{binary} exited with {result.returncode}: {result.stderr[-2000:]}")
    return tidy.rows_from_gbench(gbench.load(out), run_id="smoke")


def refusal(binary: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    """The binary asked only to list its benchmarks with `args` (bad settings, missing files)."""
    return subprocess.run([str(binary), *args, "--benchmark_list_tests=true"], capture_output=True, text=True)


# The harness's own usage errors (bench/harness/main.cpp), the same for every suite: each must exit
# EXIT_USAGE (4, as the Python CLI's usage errors) with one line naming the flag, and run nothing.
HARNESS_USAGE_ERRORS = {"--hotbench_no_such_flag=1": "unknown or empty flag '--hotbench_no_such_flag=1'",
                        "--hotbench_iterations=0": "--hotbench_iterations wants a positive integer, got '0'",
                        "--hotbench_set=novalue": "--hotbench_set wants KEY=VALUE, got 'novalue'",
                        "--benchmark_no_such_flag=1": "--benchmark_no_such_flag=1"}


def usage_problems(binary: pathlib.Path) -> list[str]:
    problems = []
    for flag, says in HARNESS_USAGE_ERRORS.items():
        result = refusal(binary, flag)
        if result.returncode != EXIT_USAGE or says not in result.stderr:
            problems.append(f"{flag}: expected exit {EXIT_USAGE} with '{says}', got {result.returncode}: "
                            f"{result.stderr.strip()[:300]}")
    return problems


def add_arguments(p):
    p.add_argument("--suite", default="json", choices=SUITES, help="which suite the binary is")
    p.add_argument("--binary", type=pathlib.Path, required=True, metavar="PATH", help="the suite binary to exercise")


def main(args) -> int:
    if not args.binary.exists():
        raise HotbenchError(f"{args.binary}: no such binary")
    check = importlib.import_module(f".smoke_{args.suite}", __package__)
    try:
        passed, problems = check.run(args.binary)
    except SmokeFailure as e:
        passed, problems = 0, [str(e)]
    problems += usage_problems(args.binary)
    for p in problems:
        print(f"FAILED {p}")
    print(f"smoke {args.suite}: {passed} passed, {len(problems)} failed")
    return EXIT_FAILED if problems else EXIT_OK
