"""`hotbench smoke --suite NAME --binary PATH`: a suite binary end to end, in seconds.

Each suite's check lives in smoke_<suite>.py as `run(binary) -> (rows passed, problems)`: every
benchmark must give a valid row, and bad input must give error rows (or a clear refusal) while
the rest still runs. CTest runs one smoke test per suite (see CMakeLists.txt).
"""

import importlib
import pathlib

from .errors import EXIT_FAILED, EXIT_OK, HotbenchError

SUITES = ("json", "cache", "queue")


def add_arguments(p):
    p.add_argument("--suite", default="json", choices=SUITES, help="which suite the binary is (default: json)")
    p.add_argument("--binary", type=pathlib.Path, required=True, help="the suite binary to exercise")


def main(args) -> int:
    if not args.binary.exists():
        raise HotbenchError(f"{args.binary}: no such binary")
    check = importlib.import_module(f".smoke_{args.suite}", __package__)
    passed, problems = check.run(args.binary)
    for p in problems:
        print(f"FAILED {p}")
    print(f"smoke {args.suite}: {passed} passed, {len(problems)} failed")
    return EXIT_FAILED if problems else EXIT_OK
