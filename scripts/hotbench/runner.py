"""`hotbench run`: datasets -> benchmark binary -> a result set (docs/results-format.md).

The runner chooses what to run (suites, datasets, profile), runs each suite's Google Benchmark
binary, and writes raw JSON, the tidy CSV and metadata atomically into a new directory that
stays marked INCOMPLETE until everything is in place (an interrupted run keeps the marker).

Every benchmark runs under a time bound (--timeout, or derived from the profile): one that
exceeds it is killed with its process and becomes an error row naming the bound, and the
benchmarks after it run in a fresh process (bounded.py). Exit status: 0 every row has figures,
1 some rows are errors (failed checks, killed benchmarks), 4 usage error, 5 set-up failure,
130 interrupted.
"""

import contextlib
import datetime
import json
import os
import pathlib
import platform
import re
import secrets
import signal
import subprocess
import sys
import threading
import time

import tempfile

from . import SCHEMA_VERSION, atomic, bounded, cachesim, cli, describe, gbench, instructions, metadata, progress, tidy
from .suites import ordered
from .bounded import ere_escape
from .errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, HotbenchError

ROOT = metadata.ROOT
# The suite binaries' twins that callgrind counts (CMakeLists.txt: the same objects, the deterministic heap).
COUNTING = ROOT / "build" / "release" / "counting"


class Suite:
    """A built suite binary and what it says about itself (describe.py): the data files it reads
    (`--hotbench_data`: its suffixes, and the default data it reads without any), its settings and tasks.

    `default_data` is empty for suites whose workloads the binary generates itself from recorded seeds
    (cache, queue); they may still read files of their `suffixes` (cache: request traces)."""

    def __init__(self, name: str, binary: pathlib.Path, description: dict):
        self.name, self.binary, self.description = name, binary, description
        data = description.get("data") or {}
        self.suffixes = tuple(data.get("suffixes") or ())
        self.default_data = [pathlib.Path(p) for p in data.get("default") or ()]


def built_suites(build_dir: pathlib.Path, profile: str = "default") -> dict[str, Suite]:
    """{name: Suite} of every suite binary in the build folder, in suites.ORDER (json, cache, queue, then
    the others alphabetically): the suites are found, not listed."""
    found = {}
    binaries = describe.built(build_dir)
    for name in ordered(binaries):
        description = describe.of_binary(binaries[name], profile)
        if description["suite"] != name:
            raise HotbenchError(f"{binaries[name]} describes itself as the {description['suite']!r} suite",
                                EXIT_INTERNAL)
        found[name] = Suite(name, binaries[name], description)
    return found


# min_time is per repetition, in seconds (Google Benchmark 1.7.1 takes plain seconds). The profile also
# goes to every binary (--hotbench_profile), which picks its sweep sizes from it; `full` is the run of
# record (bigger sweeps, minutes are not scarce), with five repetitions for tighter confidence intervals.
PROFILES = {
    "quick": {"min_time": 0.01, "repetitions": 1},
    "default": {"min_time": 0.05, "repetitions": 3},
    "full": {"min_time": 0.25, "repetitions": 5},
}


def profile_of(args) -> str:
    """quick, default or full: what the binaries size their sweeps by (--instructions counts the default's)."""
    if getattr(args, "quick", False):  # gate.py builds its namespace with the runner's parser; tests may not
        return "quick"
    return "full" if getattr(args, "full", False) else "default"


# The time bound of one benchmark, when --timeout does not set it (seconds). Generous on purpose:
# it exists to end a benchmark that will never finish, not to judge a slow one. A benchmark's
# set-up (loading its data, the check, the allocation pass) gets SETUP_S; each repetition gets
# PER_REPETITION_S (one operation of a large dataset, the latency pass) plus 20 x min_time
# (Google Benchmark's iteration-count search and the final run, on a loaded machine where a
# CPU-clock benchmark gets half a core). Under callgrind everything runs ~50x slower.
SETUP_S = 120.0
PER_REPETITION_S = 10.0
MIN_TIME_FACTOR = 20.0
CALLGRIND_BASE_S = 600.0
CALLGRIND_PER_ITERATION_S = 10.0


def add_arguments(p):
    p.add_argument("--suite", action="append", default=[], metavar="NAME",
                   help="suite to run (repeatable; default: every suite binary in the build folder, or with "
                        "--data the suites that read those files)")
    p.add_argument("--dataset", action="append", default=[], metavar="NAME",
                   help="run only these datasets (file name without extension; repeatable)")
    p.add_argument("--data", action="append", default=[], metavar="PATH", type=pathlib.Path,
                   help="dataset files or folders to use instead of the bundled corpus (repeatable)")
    profile = p.add_mutually_exclusive_group()
    profile.add_argument("--quick", action="store_true",
                         help="the quick profile: small sweeps (each binary's own, --hotbench_profile=quick), one "
                              "short repetition each")
    profile.add_argument("--full", action="store_true",
                         help="the full profile: each binary's complete sweeps (--hotbench_profile=full), "
                              f"{PROFILES['full']['repetitions']} repetitions each")
    p.add_argument("--repetitions", type=int, metavar="N",
                   help="repetitions per benchmark (default: the profile's: "
                        + ", ".join(f"{n} {v['repetitions']}" for n, v in PROFILES.items()) + ")")
    p.add_argument("--min-time", type=float, metavar="SECONDS",
                   help="minimum time per repetition (default: the profile's: "
                        + ", ".join(f"{n} {v['min_time']:g} s" for n, v in PROFILES.items()) + ")")
    p.add_argument("--processes", type=int, default=1, metavar="N",
                   help="run each suite binary N times as separate processes (their rows are kept apart by the "
                        "`process` column); with N > 1 benchmarks also run in random order")
    p.add_argument("--filter", metavar="REGEX", help="Google Benchmark --benchmark_filter regex (default: all)")
    p.add_argument("--set", action="append", default=[], metavar="SUITE.KEY=VALUE", dest="settings",
                   help="a suite's own setting, passed to that suite's binary as --hotbench_set=KEY=VALUE "
                        "(repeatable), e.g. cache.workloads=zipf0.6,uniform or queue.pin=true; the binary "
                        "refuses a key it does not know and lists its keys (docs/cache.md, docs/queue.md)")
    p.add_argument("--overhead", action="store_true",
                   help="add the bare-loop rows (<suite>/<task>_bare/..., e.g. json/parse_bare) that measure the "
                        "harness's own cost (hotbench overhead)")
    p.add_argument("--inject-slowdown", metavar="REGEX:FRACTION",
                   help="benchmarks matching REGEX do FRACTION more work (to test the regression gate; with "
                        "--paired-with, in this build's processes only)")
    p.add_argument("--inject-hang", metavar="REGEX",
                   help="test hook: benchmarks matching REGEX block forever inside their measured region, "
                        "ignoring every signal but SIGKILL (to test --timeout)")
    p.add_argument("--instructions", action="store_true",
                   help="count instructions per operation under callgrind instead of timing (deterministic)")
    p.add_argument("--iterations", type=int, default=10, metavar="N",
                   help="with --instructions: iterations per benchmark")
    p.add_argument("--cache-sim", action="store_true",
                   help="with --instructions: simulate the caches too, for estimated_cycles_per_op (slower: "
                        "docs/gate.md)")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="kill a benchmark still running after SECONDS (its whole process: it becomes an error "
                        "row naming the bound, and the benchmarks after it run in a fresh process); default: "
                        f"derived from the run, {SETUP_S:g} s + repetitions x ({PER_REPETITION_S:g} s + "
                        f"{MIN_TIME_FACTOR:g} x min-time), i.e. "
                        + ", ".join(f"{derived_timeout(v['repetitions'], v['min_time'], None):g} s for {n}"
                                    for n, v in PROFILES.items()) + "; with --instructions "
                        f"{CALLGRIND_BASE_S:g} s + {CALLGRIND_PER_ITERATION_S:g} s per iteration")
    cli.add_output(p, "the folder each run's result set is created in (as DIR/<run id>/)", dest="results",
                   metavar="DIR", default=ROOT / "results")
    cli.add_deprecated(p, "--results", dest="results", instead="-o/--output DIR", default=ROOT / "results")
    p.add_argument("--build-dir", type=pathlib.Path, metavar="DIR",
                   help="where the suite binaries are (default: build/release, or build/release/counting with "
                        "--instructions)")
    p.add_argument("--paired-with", type=pathlib.Path, metavar="DIR",
                   help="a second build folder (another commit's build, say): each process of each suite runs "
                        "there too, back to back with this build's and in alternating order (A B, B A, ...), into "
                        "a second result set; `check` and `compare` then judge the two pair by pair, so the "
                        "machine's drift cancels (default: none)")
    p.add_argument("--pin-cpu", type=int, metavar="CPU",
                   help="timing: start every benchmark process on this one CPU only (taskset), so that the "
                        "scheduler never moves it between cores and caches in the middle of a measurement "
                        "(default: unpinned; gate --time pins to the last CPU)")
    p.add_argument("--fixed-layout", action="store_true",
                   help="timing: start every benchmark process without address-space layout randomization "
                        "(setarch -R), so that each process of a binary places its code, stack and heap at the "
                        "same addresses: two processes then differ by less than two randomized ones (default: "
                        "randomized, as the system starts programs; gate --time fixes it)")


def launch_prefix(args) -> list[str]:
    """The wrappers every timed benchmark process starts under (--pin-cpu, --fixed-layout); both exec the
    binary, so the process group that bounded.py kills is still the binary's."""
    prefix = []
    cpu, fixed = args.pin_cpu, args.fixed_layout  # every caller's namespace comes from add_arguments' parser
    if (cpu is not None or fixed) and args.instructions:
        raise HotbenchError("--pin-cpu and --fixed-layout are for timing: callgrind runs one thread on a "
                            "simulated CPU and fixes the layout itself", EXIT_USAGE)
    if cpu is not None:
        allowed = sorted(os.sched_getaffinity(0))
        if cpu not in allowed:
            raise HotbenchError(f"--pin-cpu {cpu}: not a CPU this process may run on (allowed: "
                                f"{', '.join(map(str, allowed))})", EXIT_USAGE)
        prefix += ["taskset", "--cpu-list", str(cpu)]
    if fixed:
        prefix += ["setarch", platform.machine(), "--addr-no-randomize"]
    return prefix


def derived_timeout(repetitions: int, min_time: float, iterations: int | None) -> float:
    """The default time bound of one benchmark (see SETUP_S); `iterations` set means callgrind."""
    if iterations:
        return CALLGRIND_BASE_S + CALLGRIND_PER_ITERATION_S * iterations
    return SETUP_S + repetitions * (PER_REPETITION_S + MIN_TIME_FACTOR * min_time)


def time_bound(args) -> tuple[float, str]:
    """(seconds, where they come from) for this run."""
    timeout = getattr(args, "timeout", None)  # gate.py builds its own Namespace
    if timeout is not None:
        if not 0 < timeout < float("inf"):  # also refuses nan, and inf (not valid JSON in the metadata)
            raise HotbenchError(f"--timeout must be a positive number of seconds, got {timeout:g}")
        return timeout, "--timeout"
    if args.instructions:
        return derived_timeout(1, 0, args.iterations), "derived (--instructions)"
    profile = PROFILES[profile_of(args)]
    repetitions = args.repetitions if args.repetitions is not None else profile["repetitions"]
    min_time = args.min_time if args.min_time is not None else profile["min_time"]
    return derived_timeout(repetitions, min_time, None), "derived from repetitions and min-time"


def discover(paths: list[pathlib.Path], suffixes: tuple[str, ...]) -> list[pathlib.Path]:
    """The same expansion as the binaries' (folders: their files with the suite's suffixes, sorted),
    so the hashes in the metadata match what runs."""
    files = []
    wanted = " or ".join(suffixes) or "(none)"
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and describe.data_suffix(f, suffixes))
            if not found:
                raise HotbenchError(f"{p}: no {wanted} dataset files in this folder")
            files += found
        elif p.is_file():
            if not describe.data_suffix(p, suffixes):
                raise HotbenchError(f"{p}: not a dataset file of this suite (expected {wanted})")
            files.append(p)
        else:
            raise HotbenchError(f"{p}: no such file or folder")
    return files


def accepts(suite: Suite, path: pathlib.Path) -> bool:
    if path.is_dir():
        return any(describe.data_suffix(f, suite.suffixes) for f in path.iterdir() if f.is_file())
    return bool(describe.data_suffix(path, suite.suffixes))


def select_datasets(suite: Suite, args) -> list[pathlib.Path]:
    """Dataset files for the suite, before any --dataset (see narrow_to_datasets)."""
    if args.data:
        return discover([p for p in args.data if accepts(suite, p)], suite.suffixes)
    if not suite.default_data:
        return []
    ensure_default_data(suite)
    return discover(suite.default_data, suite.suffixes)


def dataset_names(suite: Suite, files: list[pathlib.Path], suite_args: list[str], bound_s: float) -> list[str]:
    """The datasets a suite would run: its files' names, or for generated workloads its benchmarks' names'."""
    if suite.default_data:
        return sorted(describe.dataset_name(f, suite.suffixes) for f in files)
    names = list_benchmarks(suite.binary, [f"--hotbench_data={f}" for f in files] + suite_args, bound_s)
    return sorted({gbench.split_name(gbench.base_name({"name": n}))["dataset"] for n in names})


def narrow_to_datasets(args, plan: list, bound_s: float) -> list:
    """--dataset NAME...: each suite runs those of the named datasets it has. A suite that has none of them
    is left out, unless --suite named it (then it is a usage error); a name no suite has is a usage error."""
    narrowed, seen, available, skipped = [], set(), set(), []
    for suite, binary, files, suite_args in plan:
        have = dataset_names(suite, files, suite_args, max(bound_s, SETUP_S))
        available.update(have)
        wanted = [d for d in args.dataset if d in have]
        seen.update(wanted)
        if not wanted:
            if suite.name in args.suite:
                raise HotbenchError(f"the {suite.name} suite has none of the dataset(s) {', '.join(args.dataset)}; "
                                    f"available: {', '.join(have)}")
            skipped.append(suite.name)
            continue
        if suite.default_data:
            by_name = {describe.dataset_name(f, suite.suffixes): f for f in files}
            files = [by_name[d] for d in wanted]
        else:
            suite_args = dataset_filter(binary, [f"--hotbench_data={f}" for f in files], suite_args, wanted,
                                        suite.name, max(bound_s, SETUP_S))
        narrowed.append((suite, binary, files, suite_args))
    unknown = [d for d in args.dataset if d not in seen]
    if unknown:
        raise HotbenchError(f"unknown dataset(s) {', '.join(unknown)}; available: {', '.join(sorted(available))}")
    for name in skipped:  # after every usage error, which is one line
        print(f"hotbench: {name}: none of the named datasets, not run", file=sys.stderr)
    return narrowed


def narrow_to_filter(args, plan: list, bound_s: float) -> list:
    """--filter without --suite: the suites that have a benchmark matching it (a suite named with --suite
    keeps the error of a filter that selects none of its benchmarks); none at all is a usage error."""
    if not args.filter or args.suite:
        return plan
    narrowed = []
    for suite, binary, files, suite_args in plan:
        if list_benchmarks(binary, [f"--hotbench_data={f}" for f in files] + suite_args, max(bound_s, SETUP_S)):
            narrowed.append((suite, binary, files, suite_args))
        else:
            print(f"hotbench: {suite.name}: no benchmark matches --filter, not run", file=sys.stderr)
    if not narrowed:
        raise HotbenchError(f"--filter {args.filter!r} matches no benchmark of {', '.join(s.name for s, *_ in plan)}",
                            EXIT_USAGE)
    return narrowed


def suites_for(args, available: dict[str, Suite]) -> list[str]:
    """The suites --suite names; without it every built suite of the default run, or with --data those of
    them that read those files. Always in `available`'s order (suites.ORDER), each once."""
    unknown = [s for s in args.suite if s not in available]
    if unknown:
        raise HotbenchError(f"unknown suite(s) {', '.join(unknown)}; available: {', '.join(available) or 'none'}")
    if args.suite:
        return [name for name in available if name in args.suite]
    # A suite whose description says default_run: false (the fixture suite, a slow-starting one) runs
    # only when --suite names it.
    available = {name: s for name, s in available.items() if s.description.get("default_run", True)}
    if not args.data:
        return list(available)
    for p in args.data:
        if not p.exists():
            raise HotbenchError(f"{p}: no such file or folder")
        if not any(accepts(s, p) for s in available.values()):
            known = ", ".join(f"{s.name}: {' '.join(s.suffixes)}" for s in available.values() if s.suffixes)
            what = "no dataset files in this folder" if p.is_dir() else "no suite reads this file"
            raise HotbenchError(f"{p}: {what} (dataset suffixes: {known or 'none'})")
    return [name for name, s in available.items() if any(accepts(s, p) for p in args.data)]


def suite_settings(settings: list[str], suites: list[str], available: dict[str, Suite]) -> dict[str, list[str]]:
    """--set SUITE.KEY=VALUE -> {suite: ["KEY=VALUE", ...]}, in the order given. The keys and values are
    the binary's to judge (it refuses an unknown key and lists its own)."""
    by_suite: dict[str, list[str]] = {}
    for text in settings:
        target, dot, setting = text.partition(".")
        if not dot or "=" not in setting or setting.startswith("="):
            raise HotbenchError(f"--set {text!r}: expected SUITE.KEY=VALUE, e.g. cache.workloads=zipf0.6,uniform")
        if target not in available:
            raise HotbenchError(f"--set {text!r}: unknown suite {target!r}; available: {', '.join(available)}")
        if target not in suites:
            raise HotbenchError(f"--set {text!r}: the {target} suite is not part of this run "
                                f"(suites: {', '.join(suites)})")
        by_suite.setdefault(target, []).append(setting)
    return by_suite


def dataset_filter(binary: pathlib.Path, data_args: list[str], bench_args: list[str], datasets: list[str],
                   suite: str, bound_s: float | None = None) -> list[str]:
    """For suites with generated workloads: the benchmarks of those datasets, as an exact filter."""
    names = list_benchmarks(binary, data_args + bench_args, bound_s)
    known = sorted({gbench.split_name(gbench.base_name({"name": n}))["dataset"] for n in names})
    unknown = [d for d in datasets if d not in known]
    if unknown:
        raise HotbenchError(f"unknown {suite} dataset(s) {', '.join(unknown)}; available: {', '.join(known)}")
    chosen = [gbench.base_name({"name": n}) for n in names]
    chosen = [n for n in chosen if gbench.split_name(n)["dataset"] in datasets]
    pattern = "^(" + "|".join(ere_escape(n) for n in dict.fromkeys(chosen)) + ")(/.*)?$"
    return [a for a in bench_args if not a.startswith("--benchmark_filter=")] + [f"--benchmark_filter={pattern}"]


def corpus_generator():
    sys.path.insert(0, str(ROOT / "data"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    return generate


def ensure_default_data(suite: Suite) -> None:
    """A suite's default data that the corpus generator makes (data/generate.py's folders: json's
    data/corpus) is generated where it is missing or differs from data/manifest.json; other default
    data is the suite's own to provide."""
    generate = corpus_generator()
    for path in suite.default_data:
        for profile in generate.PROFILES:
            if path.resolve() == generate.default_out_dir(profile).resolve():
                ensure_corpus(profile)


def ensure_corpus(profile: str = "default") -> list[pathlib.Path]:
    """Generates the bundled corpus where it is missing or differs from data/manifest.json."""
    generate = corpus_generator()
    quiet_unless_generating = lambda line: line.startswith("ok") or print(line, file=sys.stderr)  # noqa: E731
    try:
        return generate.ensure_corpus(profile=profile, log=quiet_unless_generating)
    except generate.CorpusError as e:
        raise HotbenchError(f"cannot generate the {profile} corpus: {e}")


def new_run_dir(results: pathlib.Path) -> pathlib.Path:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_dir = results / f"{stamp}-{secrets.token_hex(3)}"
    try:
        results.mkdir(parents=True, exist_ok=True)
        run_dir.mkdir()
        atomic.write_text(run_dir / "INCOMPLETE", "This run has not finished (or was interrupted).\n")
    except OSError as e:
        raise HotbenchError(f"cannot create a result set in {results}: {e.strerror or e}")
    return run_dir


def benchmark_args(args) -> list[str]:
    if args.instructions:
        if args.iterations < 1:
            raise HotbenchError(f"--iterations must be at least 1, got {args.iterations}")
        return [f"--hotbench_iterations={args.iterations}", "--benchmark_repetitions=1", *_filter_args(args)]
    profile = PROFILES[profile_of(args)]
    repetitions = args.repetitions if args.repetitions is not None else profile["repetitions"]
    min_time = args.min_time if args.min_time is not None else profile["min_time"]
    if repetitions < 1:
        raise HotbenchError(f"--repetitions must be at least 1, got {repetitions}")
    if min_time <= 0:
        raise HotbenchError(f"--min-time must be positive, got {min_time}")
    if args.processes < 1:
        raise HotbenchError(f"--processes must be at least 1, got {args.processes}")
    out = [f"--hotbench_profile={profile_of(args)}", f"--benchmark_repetitions={repetitions}",
           f"--benchmark_min_time={min_time}"]
    if args.processes > 1:
        # Repetitions of one benchmark interleaved with the others, so that a slow
        # stretch of the machine does not land on one benchmark's repetitions only.
        out.append("--benchmark_enable_random_interleaving=true")
    return out + _filter_args(args)


def _filter_args(args) -> list[str]:
    out = []
    if args.filter:
        try:
            re.compile(args.filter)
        except re.error as e:
            raise HotbenchError(f"--filter {args.filter!r} is not a valid regular expression: {e}")
        pattern = args.filter
        if args.instructions and pattern.endswith("$"):
            # A fixed iteration count makes Google Benchmark append /iterations:N to every name.
            pattern = pattern[:-1] + "(/iterations:[0-9]+)?$"
        out.append(f"--benchmark_filter={pattern}")
    if args.overhead:
        out.append("--hotbench_bare=true")
    if args.inject_slowdown:
        out.append(f"--hotbench_slowdown={args.inject_slowdown}")
    if getattr(args, "inject_hang", None):  # gate.py builds its own Namespace
        try:
            re.compile(args.inject_hang)
        except re.error as e:
            raise HotbenchError(f"--inject-hang {args.inject_hang!r} is not a valid regular expression: {e}")
        out.append(f"--hotbench_hang={args.inject_hang}")
    return out


def list_benchmarks(binary: pathlib.Path, args: list[str], timeout_s: float | None = None) -> list[str]:
    try:
        result = subprocess.run([str(binary), *args, "--benchmark_list_tests=true"], capture_output=True, text=True,
                                timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise HotbenchError(f"{binary} did not list its benchmarks within {timeout_s:g} s", EXIT_FAILED)
    said = result.stderr.strip() or result.stdout.strip()
    if result.returncode == EXIT_USAGE:  # the binaries' usage-error code is the CLI's (bench/harness/main.cpp)
        raise HotbenchError(f"{binary} refused its arguments: {said}", EXIT_USAGE)
    if result.returncode != 0:  # a crash or a sanitizer report while listing: the binary failed, not the user
        raise HotbenchError(f"{binary} {bounded._describe_exit(result.returncode)} while listing its benchmarks"
                            + (f": {said.splitlines()[-1][:300]}" if said else ""), EXIT_INTERNAL)
    return [line for line in result.stdout.splitlines() if line.strip()]


def run_suite(suite: Suite, binary: pathlib.Path, files: list[pathlib.Path], bench_args: list[str],
              run_dir: pathlib.Path, iterations: int | None, process: int = 0,
              bound_s: float = SETUP_S,
              cache_sim: bool = False,
              launch: tuple | list = ()) -> tuple[dict, list[dict], list[list[str]], list[str]]:
    """Runs one suite binary, each benchmark under `bound_s` (bounded.py); returns its raw document,
    tidy rows, the commands that ran (one per process) and the benchmarks killed or lost to a crash.
    `iterations` set means instruction counting under callgrind instead of timing; `launch`: the
    timed processes' wrappers (launch_prefix)."""
    args = [f"--hotbench_data={f}" for f in files] + bench_args
    names = list_benchmarks(binary, args, timeout_s=max(bound_s, SETUP_S))
    if not names:
        raise HotbenchError(f"no {suite.name} benchmark matches the selection")
    raw_dir = run_dir / "raw"
    raw_dir.mkdir(exist_ok=True)
    stem = suite.name if process == 0 else f"{suite.name}-p{process}"
    partial = raw_dir / f".{stem}.json.partial"
    raw = raw_dir / f"{stem}.json"
    if iterations:
        print(f"hotbench: counting instructions of {len(names)} {suite.name} benchmarks under callgrind "
              f"({iterations} iterations each)", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="hotbench-callgrind-") as work:
            rows, commands, lost = instructions.count(binary, args, pathlib.Path(work), partial, names, bound_s,
                                                      startup_s=SETUP_S, cache_sim=cache_sim)
        os.replace(partial, raw)
        return gbench.load(raw), rows, commands, lost

    def command_for(process_args: list[str], out: pathlib.Path) -> list[str]:
        return [*launch, str(binary), *process_args, f"--benchmark_out={out}", "--benchmark_out_format=json",
                "--benchmark_color=false"]

    reps = next((int(a.split("=")[1]) for a in bench_args if a.startswith("--benchmark_repetitions=")), 1)
    bar = progress.Progress(total=len(names) * reps, what=suite.name if process == 0 else f"{suite.name} #{process}")
    known = {gbench.base_name({"name": n}) for n in names}

    def on_stdout(line: str) -> None:
        first = line.split(" ", 1)[0]
        name = gbench.base_name({"name": first})
        if name in known and not re.search(r"_(mean|median|stddev|cv)$", first):
            bar.step(name)

    try:
        doc, commands, lost = bounded.run(command_for, args, names, bound_s, partial, reps, on_stdout,
                                          startup_s=SETUP_S)
    finally:
        bar.done()
    atomic.write_text(raw, json.dumps(doc, indent=2) + "\n")
    doc = gbench.load(raw)
    return doc, tidy.rows_from_gbench(doc, run_id="", process=process), commands, lost


def described(binary: pathlib.Path, files: list[pathlib.Path], suite_args: list[str], bound_s: float) -> dict:
    """The suite's description for exactly this run (its profile, settings and data files: the tasks'
    benchmark counts depend on them); the metadata keeps it (`suites.<name>.description`), so a result set
    carries its suites' metrics, settings and tasks with it."""
    kept = [a for a in suite_args if a.startswith(("--hotbench_profile=", "--hotbench_set="))]
    return describe.of_arguments(binary, [f"--hotbench_data={f}" for f in files] + kept, max(bound_s, SETUP_S))


@contextlib.contextmanager
def terminate_as_interrupt():
    """SIGTERM (a CI job cancelled, `kill`) ends the run like Ctrl-C: the running binary's process
    group is killed and the result set stays marked INCOMPLETE. Python's default would leave both."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Output:
    """One result set being written: its folder, metadata and rows, and the binary of each suite."""

    def __init__(self, results: pathlib.Path, meta: dict, binaries: dict[str, pathlib.Path]):
        self.run_dir = new_run_dir(results)
        self.meta = {**meta, "run_id": self.run_dir.name}
        self.binaries = binaries
        self.rows: list[dict] = []


def paired_binaries(args, plan: list, profile: str) -> dict[str, pathlib.Path]:
    """--paired-with: the other build's binary of every suite in the plan (each must be there)."""
    other = built_suites(args.paired_with, profile)
    missing = [suite.name for suite, *_ in plan if suite.name not in other]
    if missing:
        raise HotbenchError(f"--paired-with {args.paired_with}: no hotbench_{missing[0]} built there (the paired "
                            f"build must have every suite this run runs)", EXIT_USAGE)
    return {suite.name: other[suite.name].binary for suite, *_ in plan}


def main(args) -> int:
    bench_args = benchmark_args(args)
    bound_s, bound_source = time_bound(args)
    preset = "release"
    build_dir = args.build_dir or (COUNTING if args.instructions else ROOT / "build" / preset)
    available = built_suites(build_dir, profile_of(args))
    if not available:
        raise HotbenchError(f"{build_dir}: no suite binary (hotbench_<suite>) built there (./hotbench run builds "
                            f"them; or cmake --preset {preset} && cmake --build --preset {preset})")
    suites = suites_for(args, available)
    settings = suite_settings(args.settings, suites, available)
    plan = []
    for name in suites:
        suite = available[name]
        binary = suite.binary
        files = select_datasets(suite, args)
        suite_args = bench_args + [f"--hotbench_set={kv}" for kv in settings.get(name, [])]
        plan.append((suite, binary, files, suite_args))
    if args.dataset:
        plan = narrow_to_datasets(args, plan, bound_s)
    plan = narrow_to_filter(args, plan, bound_s)
    paired = getattr(args, "paired_with", None)  # gate.py builds the runner's namespace with the parser
    if paired and args.instructions:
        raise HotbenchError("--paired-with is for timing: instruction counts repeat exactly without pairing",
                            EXIT_USAGE)
    if paired:
        paired = args.paired_with = paired.resolve()
    others = paired_binaries(args, plan, profile_of(args)) if paired else None
    launch = launch_prefix(args)

    started = datetime.datetime.now(datetime.timezone.utc)
    meta = {"schema_version": SCHEMA_VERSION, "complete": False,
            "started_utc": started.isoformat(timespec="seconds"), "command": sys.argv,
            "profile": "instructions" if args.instructions else profile_of(args),
            "benchmark_args": bench_args, "timeout_s": bound_s, "timeout_source": bound_source,
            "git": metadata.git_state(), "debian_packages": metadata.debian_packages(), "suites": {}}
    if launch:
        meta["launch"] = {"pin_cpu": args.pin_cpu, "fixed_layout": args.fixed_layout, "prefix": launch}
    if args.instructions and args.cache_sim:
        meta["counting"] = {"tool": "callgrind", "cache_simulation": cachesim.described()}
    outputs = [_Output(args.results, meta, {suite.name: binary for suite, binary, _, _ in plan})]
    if others:
        # The other build's commit is whatever its checkout says, not this one's.
        outputs.append(_Output(args.results, {**meta, "git": metadata.git_state(args.paired_with)}, others))
        pairing = secrets.token_hex(8)
        for side, (out, build) in enumerate(zip(outputs, (build_dir, args.paired_with))):
            out.meta["pairing"] = {"id": pairing, "side": side, "build_dir": str(build),
                                   "order": "process k of each suite runs side 0 then 1 when k is even, 1 then 0 "
                                            "when odd"}
    all_files = []
    t0 = time.monotonic()
    try:
        with terminate_as_interrupt():
            processes = 1 if args.instructions else args.processes
            for suite, _, files, suite_args in plan:
                # Per output: its processes' commands, the benchmarks killed, the last process's context.
                runs = {id(out): {"commands": [], "killed": [], "context": None} for out in outputs}
                for process in range(processes):
                    for out in (outputs if process % 2 == 0 else outputs[::-1]):
                        binary = out.binaries[suite.name]
                        # A test hook's slowdown is injected into this build only: the one under test.
                        side_args = suite_args if out is outputs[0] else [
                            a for a in suite_args if not a.startswith("--hotbench_slowdown=")]
                        doc, suite_rows, process_commands, lost = run_suite(
                            suite, binary, files, side_args, out.run_dir,
                            args.iterations if args.instructions else None, process, bound_s,
                            cache_sim=args.instructions and args.cache_sim, launch=launch)
                        out.rows += [{**r, "run_id": out.run_dir.name} for r in suite_rows]
                        runs[id(out)]["commands"].extend(process_commands)
                        runs[id(out)]["killed"].extend(lost)
                        runs[id(out)]["context"] = doc["context"]
                for out in outputs:
                    binary = out.binaries[suite.name]
                    commands, killed, ctx = runs[id(out)].values()
                    out.meta.update(machine=metadata.machine(ctx), build=metadata.build(ctx, binary),
                                    libraries={**out.meta.get("libraries", {}), **metadata.libraries(ctx)})
                    # `command`: the first process's; `commands`: every process, including the fresh ones
                    # started after a benchmark was killed.
                    out.meta["suites"] = {**out.meta["suites"], suite.name: {
                        "command": commands[0], "commands": commands, "processes": processes, "killed": killed,
                        "benchmark_context": ctx, "description": described(binary, files, suite_args, bound_s)}}
                all_files += [(f, describe.dataset_name(f, suite.suffixes)) for f in files]
    finally:
        finished = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        datasets = metadata.datasets(
            all_files or [(f, describe.dataset_name(f, s.suffixes)) for s, _, fs, _ in plan for f in fs])
        for out in outputs:
            out.meta["finished_utc"] = finished
            out.meta["datasets"] = datasets
            atomic.write_text(out.run_dir / "metadata.json", json.dumps(out.meta, indent=2) + "\n")

    failed = False
    for out in outputs:
        tidy.write_csv(out.run_dir / "results.csv", out.rows)
        out.meta["complete"] = True
        atomic.write_text(out.run_dir / "metadata.json", json.dumps(out.meta, indent=2) + "\n")
        (out.run_dir / "INCOMPLETE").unlink()
        errors = [r for r in out.rows if r["status"] == "error"]
        paired_note = f" (paired with {out.meta['pairing']['build_dir']})" if len(outputs) > 1 else ""
        print(f"hotbench: {len(out.rows) - len(errors)} rows ok, {len(errors)} errors, "
              f"{time.monotonic() - t0:.0f} s -> {os.path.relpath(out.run_dir)}{paired_note}")
        for r in errors:
            print(f"  ERROR {r['benchmark']}: {r['error_message']}")
        failed = failed or bool(errors)
    return EXIT_FAILED if failed else EXIT_OK
