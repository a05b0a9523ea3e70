"""What the suite binaries say about themselves (`hotbench_<suite> --hotbench_describe`).

Input: a suite binary (or a build folder of them, or a result set's metadata.json, which records the
description of every suite it ran). Output: the description as a dict, whose fields are documented in
docs/adding.md ("What a suite binary describes"): suite, title, profile, tasks (name, what, benchmarks,
implementations, datasets), metrics (name, unit, better, kind, deterministic, meaning, from), settings
(key, type, default, accepts, help, selects), data (suffixes, default), libraries, gate (filter).

The Python side keeps no list of suites, metrics or settings of its own: it reads them from here.
"""

import functools
import json
import pathlib
import subprocess

from .errors import EXIT_INTERNAL, HotbenchError

BINARY_PREFIX = "hotbench_"
DESCRIBE_TIMEOUT_S = 60


def _run(binary: str, arguments: list[str], timeout_s: float) -> dict:
    try:
        result = subprocess.run([binary, "--hotbench_describe", *arguments], capture_output=True, text=True,
                                timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise HotbenchError(f"{binary} did not describe itself within {timeout_s:g} s", EXIT_INTERNAL)
    if result.returncode != 0:
        raise HotbenchError(f"{binary} --hotbench_describe exited with {result.returncode}: "
                            f"{result.stderr.strip()[-300:]}", EXIT_INTERNAL)
    try:
        desc = json.loads(result.stdout)
    except json.JSONDecodeError as e:
        raise HotbenchError(f"{binary} --hotbench_describe printed invalid JSON: {e}", EXIT_INTERNAL)
    if not isinstance(desc, dict) or desc.get("describe_version") != 1 or not isinstance(desc.get("suite"), str):
        raise HotbenchError(f"{binary} --hotbench_describe: not a version-1 suite description", EXIT_INTERNAL)
    return desc


@functools.lru_cache(maxsize=None)
def _describe(binary: str, mtime_ns: int, profile: str) -> dict:
    return _run(binary, [f"--hotbench_profile={profile}"], DESCRIBE_TIMEOUT_S)


def of_binary(binary: pathlib.Path, profile: str = "default") -> dict:
    """The binary's description for a profile (quick, default, full)."""
    binary = pathlib.Path(binary)
    return _describe(str(binary), binary.stat().st_mtime_ns, profile)


def of_arguments(binary: pathlib.Path, arguments: list[str], timeout_s: float = DESCRIBE_TIMEOUT_S) -> dict:
    """The description of one particular run: `arguments` are the run's --hotbench_profile, --hotbench_set
    and --hotbench_data flags, which decide what the tasks count (not cached: data files change)."""
    return _run(str(binary), list(arguments), timeout_s)


def built(build_dir: pathlib.Path) -> dict[str, pathlib.Path]:
    """{suite name: binary} of the suite binaries in a build folder: every executable hotbench_<name> that is
    not a test binary (hotbench_<name>_tests). The suite's name is the binary's, checked by its description."""
    found = {}
    build_dir = pathlib.Path(build_dir)
    if not build_dir.is_dir():
        return found
    for path in sorted(build_dir.glob(BINARY_PREFIX + "*")):
        name = path.name[len(BINARY_PREFIX):]
        if not path.is_file() or not (path.stat().st_mode & 0o111) or name.endswith("_tests") or "." in name:
            continue
        found[name] = path
    return found
