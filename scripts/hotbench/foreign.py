"""`hotbench count BINARY`: instructions (and estimated cycles) per iteration of any Google Benchmark binary.

A team's own suite has none of hotbench's harness: no client request marks its timed loop. Google
Benchmark itself does: every benchmark's loop (`for (auto _ : state)`, or `while (state.KeepRunning())`)
begins when `benchmark::State::StartKeepRunning()` returns and ends when `FinishKeepRunning()` is called,
functions of the library (shared or static) that callgrind can name. Each selected benchmark runs alone
(`--benchmark_filter=^NAME$`, one repetition) under

    valgrind --tool=callgrind --collect-atstart=yes --zero-before=StartKeepRunning
             --toggle-collect=StartKeepRunning --dump-before=FinishKeepRunning [--cache-sim=yes ...]

so that each batch of iterations Google Benchmark times is one dump holding the loop and nothing else
(the user's set-up, fixtures' SetUp/TearDown, StartKeepRunning's own timer reads are outside it). The
last dump is the batch Google Benchmark reports; its totals divided by the iterations its JSON reports
are `instructions_per_op` and `estimated_cycles_per_op` (cachesim.py).

Exactness: the dump also holds the loop's entry and exit, c instructions once per batch (c = 8 to 15 for the
fixture's loops, GCC 12 -O3), so the figure is b + c/n for a body of b instructions and n iterations. n
follows from timing under valgrind and differs run to run: the figure repeats to within c/n (a relative
spread below 2e-6 measured on the fixture; docs/gate.md), far inside any gate threshold. A
benchmark that fixes its count in code (->Iterations(n)) repeats exactly. A body whose work differs from
iteration to iteration (cycling through inputs, a growing container) is averaged over a different n in
each run: fix its count with ->Iterations(n) to count it exactly.

What is counted: plain and fixture (BENCHMARK_F) benchmarks, arguments and ranges, manual time (the whole
loop is counted, whatever time the benchmark reports), ->Iterations(n), PauseTiming/ResumeTiming (counted
with what they pause: they are inside the loop). Not counted, each an error row with the reason:
->Threads(n) with n > 1 (the threads' loops would interleave in one count), a benchmark that reports an
error itself (its message), a binary whose loops callgrind never saw (Google Benchmark linked statically
and stripped), a crash, a benchmark exceeding the time bound. The benchmark's own counters and timings are
left out: under valgrind they measure valgrind.

The result set is hotbench's own (docs/results-format.md): results.csv and metadata.json with the binary
(path, sha256, ELF build id), the shared libraries it links and their Debian versions, valgrind's version,
the filter and the cache geometry; `check`, `compare`, `history add` and `gate --binary` read it.
"""

import argparse
import datetime
import functools
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

from . import SCHEMA_VERSION, atomic, cachesim, describe, gbench, instructions, metadata, tidy
from .errors import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_UNRESOLVED, EXIT_USAGE, HotbenchError

LOOP_BEGINS = "benchmark::State::StartKeepRunning()"
LOOP_ENDS = "benchmark::State::FinishKeepRunning()"
DEFAULT_MIN_TIME_S = 0.1  # Google Benchmark's --benchmark_min_time while counting (seconds under valgrind)
DEFAULT_TIMEOUT_S = 600.0
COUNTED = ("iterations", "instructions_per_op", cachesim.METRIC)
_THREADS = re.compile(r"/threads:(\d+)(/|$)")
_ERE_SPECIAL = re.compile(r"([.\[\]()*+?{}|^$\\])")
_DUMP_NUMBER = re.compile(r"\.(\d+)$")


def exact_filter(name: str) -> str:
    """Google Benchmark's filter (a POSIX extended regular expression) selecting exactly `name`."""
    return "^" + _ERE_SPECIAL.sub(r"\\\1", name) + "$"


def list_benchmarks(binary: pathlib.Path, filter_: str, timeout_s: float) -> list[str]:
    try:
        done = subprocess.run([str(binary), f"--benchmark_filter={filter_}", "--benchmark_list_tests=true"],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise HotbenchError(f"{binary} did not list its benchmarks within {timeout_s:g} s", EXIT_FAILED) from None
    except OSError as e:
        raise HotbenchError(f"{binary}: cannot run it: {e.strerror or e}", EXIT_USAGE) from None
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise HotbenchError(f"{binary} exited with {done.returncode} listing its benchmarks (--benchmark_filter="
                            f"{filter_}): {said[-1][:300] if said else 'no message'}", EXIT_USAGE)
    return [line.strip() for line in done.stdout.splitlines() if line.strip()]


def command(binary: pathlib.Path, name: str, work: pathlib.Path, cache_sim: bool, min_time_s: float) -> list[str]:
    return [instructions.valgrind(), "--tool=callgrind", f"--callgrind-out-file={work / 'callgrind.out.%p'}",
            f"--zero-before={LOOP_BEGINS}", f"--toggle-collect={LOOP_BEGINS}",
            # after --toggle-collect, which turns collection off at start
            "--collect-atstart=yes", f"--dump-before={LOOP_ENDS}",
            *(cachesim.valgrind_options() if cache_sim else []),
            str(binary), f"--benchmark_filter={exact_filter(name)}", "--benchmark_repetitions=1",
            f"--benchmark_min_time={min_time_s:g}", f"--benchmark_out={work / 'out.json'}",
            "--benchmark_out_format=json", "--benchmark_color=false"]


def _error(name: str, message: str) -> dict:
    threads = _THREADS.search(name)
    name = gbench.base_name({"name": name})
    return {"schema_version": SCHEMA_VERSION, "run_id": "", "benchmark": name, **gbench.split_name(name),
            "threads": int(threads.group(1)) if threads else 1, "repetition": 0, "process": 0, "label": "",
            "status": "error", "error_message": message}


def loop_dumps(work: pathlib.Path) -> list[pathlib.Path]:
    """The dumps made at the end of a timed loop, in the order they were made."""
    found = []
    for path in work.glob("callgrind.out.*"):
        number = _DUMP_NUMBER.search(path.name)
        if number and f"--dump-before={LOOP_ENDS}" in path.read_text(errors="replace")[:4096]:
            found.append((int(number.group(1)), path))
    return [p for _, p in sorted(found)]


def _run(cmd: list[str], timeout_s: float) -> tuple[int | None, str]:
    """(exit status or None when killed at the bound, stderr's last line)."""
    with tempfile.TemporaryFile() as err:
        # LD_BIND_NOW: the dynamic linker resolves every symbol at start, not at its first call, which
        # would otherwise fall in the first timed batch (~900 instructions for FinishKeepRunning alone).
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                   start_new_session=True,
                                   env={**os.environ, "LD_BIND_NOW": "1"})
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = None
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        err.seek(0)
        lines = [line for line in err.read().decode(errors="replace").splitlines()
                 if line.strip() and not line.startswith("==")]  # valgrind's own banner lines
    return code, lines[-1][:300] if lines else ""


def count_one(binary: pathlib.Path, name: str, work: pathlib.Path, cache_sim: bool, min_time_s: float,
              timeout_s: float) -> tuple[dict, dict | None, list[str]]:
    """(row, Google Benchmark's context or None, command) of one benchmark counted in a process of its own."""
    threads = _THREADS.search(name)
    if threads and int(threads.group(1)) > 1:
        return _error(name, f"not counted: {threads.group(1)} threads run the loop at once and callgrind would "
                            "interleave their counts (count its single-thread variant)"), None, []
    work.mkdir(parents=True)
    cmd = command(binary, name, work, cache_sim, min_time_s)
    code, said = _run(cmd, timeout_s)
    if code is None:
        return _error(name, f"killed after exceeding its time bound of {timeout_s:g} s under callgrind"), None, cmd
    out = work / "out.json"
    if code != 0 or not out.exists():
        return _error(name, f"the binary exited with {code} under callgrind" + (f": {said}" if said else "")), None, cmd
    doc = gbench.load(out)
    wanted = gbench.base_name({"name": name})
    runs = [r for r in tidy.rows_from_gbench(doc, run_id="", source=out) if r["benchmark"] == wanted]
    if not runs:
        return _error(name, "Google Benchmark reported no run of it"), doc.get("context"), cmd
    row = runs[-1]  # the last repetition's final batch: the last loop that ran
    if row["status"] != "ok":
        return row, doc.get("context"), cmd
    if row["threads"] > 1:
        return _error(name, f"not counted: {row['threads']} threads run the loop at once"), doc.get("context"), cmd
    dumps = loop_dumps(work)
    if not dumps:
        return _error(name, f"callgrind saw no timed loop ({LOOP_ENDS} was never called by name: Google "
                            "Benchmark linked statically and stripped?)"), doc.get("context"), cmd
    events = cachesim.totals(dumps[-1].read_text(errors="replace"), str(dumps[-1]))
    kept = {k: v for k, v in row.items() if k in tidy.IDENTITY or k in tidy.STATUS or k == "iterations"}
    kept["instructions_per_op"] = events["Ir"] / row["iterations"]
    estimate = cachesim.estimated_cycles(events)
    if estimate is not None:
        kept[cachesim.METRIC] = estimate / row["iterations"]
    return kept, doc.get("context"), cmd


# ---------------------------------------------------------------- what the result set records about the binary

def build_id(binary: pathlib.Path) -> str | None:
    try:
        notes = subprocess.run(["readelf", "-n", str(binary)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"Build ID:\s*([0-9a-f]+)", notes)
    return found.group(1) if found else None


def linked_libraries(binary: pathlib.Path) -> dict[str, str]:
    """{Debian package: version} of the shared libraries the binary loads (ldd, dpkg); a library no package
    owns is recorded by its file name with its sha256 prefix instead."""
    try:
        listed = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    paths = sorted({pathlib.Path(m.group(1)) for m in re.finditer(r"=>\s*(/\S+)", listed)})
    owners = _owners(tuple(paths))
    out = {}
    for path in paths:
        package = owners.get(path)
        version = _versions(tuple(sorted(set(owners.values())))).get(package) if package else None
        if package and version:
            out[package] = version
        elif path.exists():
            out[path.name] = "sha256:" + metadata.sha256(path)[:16]
    return out


def _candidates(path: pathlib.Path) -> set[str]:
    """The names dpkg may list the file under (Debian 12 merged /lib into /usr/lib; a symlink's target)."""
    names = {str(path), str(path.resolve())}
    names |= {c.replace("/usr/lib/", "/lib/", 1) for c in names if c.startswith("/usr/lib/")}
    names |= {c.replace("/lib/", "/usr/lib/", 1) for c in names if c.startswith("/lib/")}
    return names


@functools.lru_cache(maxsize=None)
def _owners(paths: tuple[pathlib.Path, ...]) -> dict[pathlib.Path, str]:
    """{library: the package that owns it}: one `dpkg -S` for all of them (each call reads dpkg's whole file
    database, a quarter of a CPU-second), once per process."""
    wanted = {name: path for path in paths for name in _candidates(path)}
    if not wanted:
        return {}
    listed = subprocess.run(["dpkg", "-S", *sorted(wanted)], capture_output=True, text=True).stdout
    owners = {}
    for line in listed.splitlines():
        packages, sep, name = line.rpartition(": ")
        if sep and name in wanted and not line.startswith("diversion "):
            owners.setdefault(wanted[name], packages.split(",")[0].split(":")[0].strip())
    return owners


@functools.lru_cache(maxsize=None)
def _versions(packages: tuple[str, ...]) -> dict[str, str]:
    if not packages:
        return {}
    listed = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Version}\n", *packages], capture_output=True,
                            text=True).stdout
    return dict(line.split("\t", 1) for line in listed.splitlines() if "\t" in line and line.split("\t", 1)[1])


def valgrind_version() -> str:
    done = subprocess.run([instructions.valgrind(), "--version"], capture_output=True, text=True)
    return done.stdout.strip().removeprefix("valgrind-")


def harness_declarations() -> list[dict]:
    """The declarations of the counted metrics: the harness's own (bench/harness/describe.cpp), the one place
    they are written, read from any built hotbench suite binary."""
    for desc in describe.all_built().values():
        declared = {m.get("name"): m for m in desc.get("metrics", []) if m.get("from") == describe.HARNESS}
        if all(n in declared for n in COUNTED):
            return [declared[n] for n in COUNTED]
    raise HotbenchError("no built hotbench suite binary declares " + ", ".join(COUNTED) + " (their declarations "
                        "come from hotbench's harness): build one, e.g. cmake --preset release && cmake --build "
                        "build/release --target hotbench_fixture", EXIT_INTERNAL)


def suite_name(binary: pathlib.Path) -> str:
    return binary.name


# ---------------------------------------------------------------- counting a binary into a result set

def count(binary: pathlib.Path, filter_: str, out_root: pathlib.Path, cache_sim: bool = True,
          min_time_s: float = DEFAULT_MIN_TIME_S, timeout_s: float = DEFAULT_TIMEOUT_S,
          run_dir: pathlib.Path | None = None) -> tuple[pathlib.Path, list[dict]]:
    """Counts every benchmark `filter_` selects into a new result set under `out_root` (or at `run_dir`);
    returns its folder and its rows."""
    binary = pathlib.Path(binary).resolve()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise HotbenchError(f"{binary}: no such executable", EXIT_USAGE)
    declarations = harness_declarations()
    names = list_benchmarks(binary, filter_, min(timeout_s, 120))
    if not names:
        raise HotbenchError(f"{binary}: no benchmark matches --filter {filter_!r} (or it is not a Google Benchmark "
                            "binary: --benchmark_list_tests=true listed nothing)", EXIT_USAGE)
    started = datetime.datetime.now(datetime.timezone.utc)
    run_id = f"{started.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"
    if run_dir is None:
        run_dir = out_root / run_id
    run_dir.mkdir(parents=True)
    atomic.write_text(run_dir / "INCOMPLETE", "This run has not finished (or was interrupted).\n")
    rows, commands, context = [], [], None
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hotbench-count-") as tmp:
        for i, name in enumerate(names):
            print(f"hotbench: count: [{i + 1}/{len(names)}] {name}", file=sys.stderr, flush=True)
            row, ctx, cmd = count_one(binary, name, pathlib.Path(tmp) / str(i), cache_sim, min_time_s, timeout_s)
            rows.append({**row, "run_id": run_id, "suite": row.get("suite") or ""})
            context = context or ctx
            if cmd:
                commands.append(cmd)
    suite = suite_name(binary)
    meta = {"schema_version": SCHEMA_VERSION, "run_id": run_id, "complete": True,
            "started_utc": started.isoformat(timespec="seconds"),
            "finished_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": sys.argv, "profile": "instructions", "benchmark_args": [f"--benchmark_filter={filter_}",
                                                                               f"--benchmark_min_time={min_time_s:g}"],
            "filter": filter_, "timeout_s": timeout_s,
            "machine": metadata.machine(context or {}),
            "build": {"binary": str(binary), "sha256": metadata.sha256(binary), "build_id": build_id(binary),
                      "benchmark_library_build_type": (context or {}).get("library_build_type")},
            "libraries": {**linked_libraries(binary), "valgrind": valgrind_version()},
            "counting": {"tool": "callgrind", "loop": [LOOP_BEGINS, LOOP_ENDS],
                         "cache_simulation": cachesim.described() if cache_sim else None},
            "suites": {suite: {"command": commands[0] if commands else [], "commands": commands,
                               "processes": len(commands),
                               "benchmark_context": context or {},
                               "description": {"describe_version": 1, "suite": suite, "default_run": False,
                                               "title": f"Google Benchmark binary {binary.name} (not a hotbench suite)",
                                               "metrics": declarations}}}}
    tidy.write_csv(run_dir / "results.csv", rows)
    atomic.write_text(run_dir / "metadata.json", json.dumps(meta, indent=2) + "\n")
    (run_dir / "INCOMPLETE").unlink()
    errors = [r for r in rows if r["status"] != "ok"]
    print(f"hotbench: count: {len(rows) - len(errors)} benchmarks counted, {len(errors)} errors, "
          f"{time.monotonic() - t0:.0f} s -> {run_dir}", file=sys.stderr)
    for r in errors:
        print(f"  ERROR {r['benchmark']}: {r['error_message']}", file=sys.stderr)
    return run_dir, rows


# ---------------------------------------------------------------- command line

def add_counting_arguments(p, filter_flag: str = "--filter"):
    p.add_argument(filter_flag, dest="filter", default=".", metavar="REGEX",
                   help="the benchmarks to count: Google Benchmark's --benchmark_filter (a POSIX extended regex)")
    p.add_argument("--cache-sim", action=argparse.BooleanOptionalAction, default=None,
                   help=f"callgrind's cache simulator, for {cachesim.METRIC} (default: on for a Google Benchmark "
                        "binary; off for hotbench's own gate subset, whose counting it makes about 2x slower: "
                        "docs/gate.md)")
    p.add_argument("--min-time", type=float, default=DEFAULT_MIN_TIME_S, metavar="S",
                   help="Google Benchmark's --benchmark_min_time per benchmark under valgrind, in seconds")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help="time bound per benchmark; past it the benchmark is an error row")


def refuse_without_binary(args) -> None:
    """`gate` without --binary counts hotbench's own subset: the flags that choose how a binary is counted
    would be silently ignored there, so they are a usage error."""
    given = [flag for flag, value, default in (("--filter", args.filter, "."), ("--min-time", args.min_time,
                                               DEFAULT_MIN_TIME_S), ("--timeout", args.timeout, DEFAULT_TIMEOUT_S))
             if value != default]
    if given:
        raise HotbenchError(f"{', '.join(given)} only go with --binary (hotbench's own subset is the suites' "
                            "gate.filter, counted for a fixed number of iterations)", EXIT_USAGE)


def add_arguments(p):
    p.add_argument("binary", type=pathlib.Path, metavar="BINARY", help="a Google Benchmark binary (any library)")
    add_counting_arguments(p)
    p.add_argument("-o", "--output", type=pathlib.Path, default=metadata.ROOT / "results", metavar="DIR",
                   help="the folder the result set is written under (a new folder per run)")


def main(args) -> int:
    if args.cache_sim is None:
        args.cache_sim = True
    if args.min_time <= 0 or args.timeout <= 0:
        raise HotbenchError("--min-time and --timeout must be positive", EXIT_USAGE)
    run_dir, rows = count(args.binary, args.filter, args.output, args.cache_sim, args.min_time, args.timeout)
    print(run_dir)
    return EXIT_FAILED if any(r["status"] != "ok" for r in rows) else EXIT_OK


# ---------------------------------------------------------------- the gate of a foreign binary

GATED = ("instructions_per_op", cachesim.METRIC)


def gate(args, policy_loader, run_check, adopt_as_baseline) -> int:
    """`hotbench gate --binary PATH`: counts it and checks each gated metric the baseline has against
    `--baseline` (or, with --update-baseline, makes that the new baseline)."""
    if args.baseline is None:
        raise HotbenchError("--binary needs --baseline DIR: the committed baseline of that binary's counts "
                            "(make it with --update-baseline)", EXIT_USAGE)
    if args.against or getattr(args, "time", False):
        raise HotbenchError("--against and --time do not go with --binary: count the binary of each commit and "
                            "check the two result sets with `hotbench check`", EXIT_USAGE)
    if args.min_time <= 0 or args.timeout <= 0:
        raise HotbenchError("--min-time and --timeout must be positive", EXIT_USAGE)
    if args.cache_sim is None:
        args.cache_sim = True
    policy = None if args.update_baseline else policy_loader(args.policy)
    if not args.update_baseline and not (args.baseline / "results.csv").is_file():
        from .errors import BadInput
        raise BadInput(f"{args.baseline}: no baseline; make one with: hotbench gate --binary {args.binary} "
                       f"--baseline {args.baseline} --update-baseline")
    with tempfile.TemporaryDirectory(prefix="hotbench-gate-") as tmp:
        current, rows = count(args.binary, args.filter, pathlib.Path(tmp), args.cache_sim, args.min_time,
                              args.timeout, run_dir=pathlib.Path(tmp) / "current")
        if args.update_baseline:
            return adopt_as_baseline(current, rows, args.baseline)
        code = check_metrics(args.baseline, current, policy, run_check, args.junit,
                             markdown=getattr(args, "markdown", None))
        uncounted = [r for r in rows if r["status"] != "ok"]
        if uncounted and code == EXIT_OK:
            # A selected benchmark that could not be counted is never a pass, new or not.
            print(f"hotbench: gate: cannot tell: {len(uncounted)} selected benchmark(s) could not be counted "
                  f"(e.g. {uncounted[0]['benchmark']}: {uncounted[0]['error_message']})")
            code = EXIT_UNRESOLVED
        return code


def check_metrics(baseline: pathlib.Path, current: pathlib.Path, policy, run_check, junit=None, markdown=None) -> int:
    """run_check for every gated metric the baseline has (estimated cycles only when counted on both sides);
    the worst verdict wins: 1 (regression) over 2 (unresolved) over 0. JUnit: one file, a test suite per metric;
    Markdown: one file, the metrics' summaries one after the other."""
    baseline_rows, _ = tidy.load_rows(baseline)
    current_rows, _ = tidy.load_rows(current)
    codes, reports, summaries = [], [], []
    for metric in GATED:
        on_both = all(any(r.get(metric) is not None for r in rs) for rs in (baseline_rows, current_rows))
        if metric != GATED[0] and not on_both:
            print(f"hotbench: gate: {metric} not gated: not counted on both sides (cache simulation off, or an "
                  "older baseline)")
            continue
        scratch = pathlib.Path(tempfile.mkdtemp(prefix="hotbench-check-"))
        try:
            codes.append(run_check(baseline, current, policy, metric, scratch / "junit.xml" if junit else None,
                                   baseline_label=str(baseline), accept_differences=False,
                                   markdown=scratch / "summary.md" if markdown else None))
            if junit:
                reports.append(ET.parse(scratch / "junit.xml").getroot())
            if markdown:
                summaries.append((scratch / "summary.md").read_text())
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if junit:
        _merge_junit(reports, junit)
    if markdown:
        atomic.write_text(markdown, "\n".join(summaries))
    return EXIT_FAILED if EXIT_FAILED in codes else max(codes)


def _merge_junit(reports: list, target: pathlib.Path) -> None:
    root = ET.Element("testsuites", name="hotbench gate")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, "0")
    for report in reports:
        for suite in report:
            root.append(suite)
            for key in ("tests", "failures", "errors", "skipped"):
                root.set(key, str(int(root.get(key)) + int(suite.get(key, "0"))))
    ET.indent(root)
    atomic.write_text(target, '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")
