"""A suite binary run under a time bound per benchmark: the runner's last line of defence.

A benchmark stuck where nothing polls a stop flag (a library call that never returns, a worker
deadlocked inside a queue) would otherwise hang the whole run. Here every benchmark gets
`bound_s` seconds from its start. Past that, the binary's whole process group is killed
(SIGKILL: the stuck code may block every other signal), the benchmark becomes an error row
naming the bound, the rows that had finished are kept, and a fresh process runs the benchmarks
that had not run yet. A process that dies by itself while a benchmark runs (a crash) is treated
the same way, with the cause in the error row.

What the runner sees of the binary, read from both pipes at once (a binary that fills the stderr
pipe before it closes stdout must not deadlock the run):
- stderr: `hotbench: start <name>` as each benchmark begins (`--hotbench_announce=true`, written by
  the harness; bench/harness/runner.cpp). Everything else is kept for error messages.
- stdout: Google Benchmark's console line for each finished benchmark (for progress, and as the
  start of the next benchmark's clock: bare rows a suite registers itself, e.g. json/parse_bare, announce
  nothing, and are blamed in list order).
- the --benchmark_out file: Google Benchmark 1.7.1 flushes its JSON reporter after the context and
  after each benchmark, so a killed process's file holds every finished benchmark's entries, only
  without the closing brackets; `read_partial` reads them back.

The merged document is valid Google Benchmark JSON: the first process's context and every
process's entries in the order they ran, with the killed benchmarks' error rows among them.
"""

import collections
import json
import os
import pathlib
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from . import gbench
from .errors import EXIT_FAILED, HotbenchError

ANNOUNCE = "hotbench: start "
ANNOUNCE_FLAG = "--hotbench_announce=true"
_AGGREGATE = re.compile(r"_(mean|median|stddev|cv)$")
_STDERR_TAIL_LINES = 200
# After the kill, how long the pipes may stay open (a process that left the group still holding them).
_DRAIN_S = 5.0


def timeout_message(bound_s: float) -> str:
    return f"killed after exceeding its time bound of {bound_s:g} s"


def error_entry(name: str, message: str, family_index: int, repetitions: int) -> dict:
    """An error row with the fields and types of Google Benchmark 1.7.1's own (SkipWithError)."""
    return {"name": name, "family_index": family_index, "per_family_instance_index": 0, "run_name": name,
            "run_type": "iteration", "repetitions": repetitions, "repetition_index": 0, "threads": 1,
            "error_occurred": True, "error_message": message, "iterations": 0, "real_time": 0.0,
            "cpu_time": 0.0, "time_unit": "ns"}


def read_partial(path: pathlib.Path) -> tuple[dict | None, list[dict]]:
    """(context, entries) of a --benchmark_out file, also one cut short by a kill: every complete
    entry is kept, a half-written last one is dropped."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None, []
    return read_partial_text(text)


def read_partial_text(text: str) -> tuple[dict | None, list[dict]]:
    try:
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("benchmarks"), list):
            return doc.get("context"), doc["benchmarks"]
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    start = re.search(r'"context"\s*:\s*', text)
    if not start:
        return None, []
    try:
        context, pos = decoder.raw_decode(text, start.end())
    except ValueError:
        return None, []
    bench = re.compile(r'\s*,\s*"benchmarks"\s*:\s*\[').match(text, pos)
    if not bench:
        return context, []
    pos, entries = bench.end(), []
    separator = re.compile(r"[\s,]*")
    while True:
        pos = separator.match(text, pos).end()
        try:
            entry, pos = decoder.raw_decode(text, pos)
        except ValueError:
            break
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            entries.append(entry)
    return context, entries


class _Outcome:
    def __init__(self):
        self.code: int | None = None
        self.timed_out = False
        self.blamed: str | None = None  # base name of the benchmark running when the process ended badly
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_tail)


# Wrappers that exec the program they start, and how many words each takes before it: runner.launch_prefix's.
_WRAPPERS = {"taskset": 2, "setarch": 2}


def _program(command: list[str]) -> str:
    """The program a command runs, past an `env VAR=VALUE ...` prefix (instructions.py sets LD_BIND_NOW so)
    and the `taskset --cpu-list N` and `setarch ARCH --addr-no-randomize` of runner.launch_prefix."""
    words = list(command)
    while words:
        name = pathlib.Path(words[0]).name
        if name == "env":
            words = words[1:]
            while words and "=" in words[0]:
                words = words[1:]
        elif name in _WRAPPERS:
            words = words[1 + _WRAPPERS[name]:]
        else:
            break
    return words[0] if words else "?"


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _pump(stream, tag: str, events: queue.Queue) -> None:
    try:
        for line in stream:
            events.put((tag, line))
    finally:
        events.put((tag, None))


def supervise(command: list[str], order: list[str], bound_s: float,
              on_stdout: Callable[[str], None] = lambda line: None, startup_s: float = 0) -> _Outcome:
    """Runs one process of the binary; kills its process group when a benchmark exceeds `bound_s`.
    `order`: the base names this process should run, in list order (to blame a benchmark that did
    not announce itself). Until the first benchmark starts, the process has max(bound_s, startup_s)
    (registering the suite may load datasets)."""
    out = _Outcome()
    listed = set(order)
    reported: set[str] = set()
    announced: str | None = None
    events: queue.Queue = queue.Queue()
    # A session of its own: one killpg reaches every thread and child of the binary, and a Ctrl-C
    # at the terminal reaches only the runner, which then kills the group itself.
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace", bufsize=1, start_new_session=True)
    pumps = [threading.Thread(target=_pump, args=(s, t, events), daemon=True)
             for s, t in ((proc.stdout, "out"), (proc.stderr, "err"))]
    for p in pumps:
        p.start()
    open_streams = len(pumps)
    # The current benchmark's start: an announce or a finished row (or the process start, plus the
    # start-up allowance beyond the bound).
    clock = time.monotonic() + max(0.0, startup_s - bound_s)

    def handle(tag: str, line: str) -> None:
        nonlocal announced, clock
        if tag == "err":
            if line.startswith(ANNOUNCE):
                announced, clock = gbench.base_name({"name": line[len(ANNOUNCE):].strip()}), time.monotonic()
            else:
                out.stderr_tail.append(line)
            return
        on_stdout(line)
        first = line.split(" ", 1)[0]
        base = gbench.base_name({"name": first})
        if base in listed and not _AGGREGATE.search(first) and base not in reported:
            reported.add(base)
            clock = time.monotonic()

    def running() -> str | None:
        if announced in listed and announced not in reported:
            return announced
        return next((n for n in order if n not in reported), None)

    try:
        while open_streams or proc.poll() is None:
            left = clock + bound_s - time.monotonic()
            if left <= 0:
                out.timed_out, out.blamed = True, running()
                _kill_group(proc)
                break
            try:
                tag, line = events.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:
                open_streams -= 1
            else:
                handle(tag, line)
    except BaseException:  # Ctrl-C, SIGTERM (see runner.main), a bug: never leave the binary running
        _kill_group(proc)
        proc.wait()
        raise
    out.code = proc.wait()
    # What the pipes still hold (after a kill): the stderr tail for the message.
    deadline = time.monotonic() + _DRAIN_S
    while open_streams and time.monotonic() < deadline:
        try:
            tag, line = events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            open_streams -= 1
        else:
            handle(tag, line)
    if not out.timed_out and out.code != 0 and announced in listed and announced not in reported:
        out.blamed = announced  # a crash: blamed only on a benchmark known to have started
    return out


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


def _message(outcome: _Outcome, bound_s: float) -> str:
    if outcome.timed_out:
        return timeout_message(bound_s)
    tail = outcome.stderr.strip().splitlines()[-1:] or [""]
    return f"the benchmark process {_describe_exit(outcome.code)} while it ran" + (f": {tail[0][:300]}" if tail[0] else "")


def with_filter(args: list[str], names: list[str]) -> list[str]:
    """`args` running exactly `names` (as --benchmark_list_tests lists them)."""
    pattern = "^(" + "|".join(ere_escape(n) for n in names) + ")$"
    return [a for a in args if not a.startswith("--benchmark_filter=")] + [f"--benchmark_filter={pattern}"]


def ere_escape(text: str) -> str:
    """A literal for Google Benchmark's filter (POSIX extended regex)."""
    return "".join("\\" + c if c in ".[]()*+?{}|^$\\" else c for c in text)


def run(command_for: Callable[[list[str], pathlib.Path], list[str]], args: list[str], names: list[str],
        bound_s: float, scratch: pathlib.Path, repetitions: int = 1,
        on_stdout: Callable[[str], None] = lambda line: None,
        startup_s: float = 0) -> tuple[dict, list[list[str]], list[str]]:
    """Runs every benchmark of `names` (listed with `args`), each under `bound_s`, in as many
    processes as kills and crashes need. `command_for(args, out_file)` builds one process's command
    line; `startup_s`: see supervise. Returns the merged Google Benchmark document, the commands that ran, and the names of the
    benchmarks that became error rows because their process was killed or died."""
    by_base = {gbench.base_name({"name": n}): n for n in names}
    position = {n: i for i, n in enumerate(names)}
    remaining = list(names)
    context, entries, commands, lost = None, [], [], []
    attempt = 0
    while remaining:
        run_args = args if attempt == 0 else with_filter(args, remaining)
        out_file = scratch.with_name(f"{scratch.name}.{attempt}")
        command = command_for(run_args + [ANNOUNCE_FLAG], out_file)
        commands.append(command)
        order = [gbench.base_name({"name": n}) for n in remaining]
        outcome = supervise(command, order, bound_s, on_stdout, startup_s)
        if outcome.code == 0 and not outcome.timed_out:
            doc = gbench.load(out_file)  # a process that ended normally wrote a whole document
            got_context, got = doc["context"], doc["benchmarks"]
        else:
            got_context, got = read_partial(out_file)
        out_file.unlink(missing_ok=True)
        context = context or got_context
        finished = {gbench.base_name(e) for e in got}
        entries += got
        left = [n for n in remaining if gbench.base_name({"name": n}) not in finished]
        if outcome.timed_out or outcome.code != 0:
            blamed = outcome.blamed
            if blamed is not None and blamed not in finished:
                name = by_base[blamed]
                message = _message(outcome, bound_s)
                entries.append(error_entry(name, message, position[name], repetitions))
                left.remove(name)
                lost.append(name)
                more = f"; {len(left)} more to run in a fresh process" if left else ""
                print(f"\nhotbench: {name}: {message}{more}", file=sys.stderr)
            elif blamed is None and (not outcome.timed_out or left):
                # Died with no benchmark announced as running (set-up, shutdown): nothing to blame.
                why = (f"was killed after {bound_s:g} s" if outcome.timed_out else _describe_exit(outcome.code))
                raise HotbenchError(f"{_program(command)} {why}: {outcome.stderr.strip()[-2000:]}", EXIT_FAILED)
            elif blamed is None:
                print(f"hotbench: warning: {_program(command)} did not exit within {bound_s:g} s after its last "
                      f"benchmark; killed (its rows are complete)", file=sys.stderr)
            # else: the blamed benchmark finished as the kill came; the rest runs in a fresh process.
        elif left:
            raise HotbenchError(f"{_program(command)} exited without running {len(left)} of its benchmarks "
                                f"(first: {left[0]})", EXIT_FAILED)
        remaining = left
        attempt += 1
    if context is None:
        context = {}
    return {"context": context, "benchmarks": entries}, commands, lost
