"""The runner's time bound and pipe handling (bounded.py) with stand-in suite binaries: a benchmark
that hangs is killed with its process and becomes an error row naming the bound, the rest run on
in a fresh process; a crash is blamed on the benchmark that was running; a binary that floods its
stderr cannot deadlock the run; Ctrl-C and SIGTERM kill the binary and leave the result set
INCOMPLETE. test_hang.py does the same with the real suite binaries."""

import json
import os
import pathlib
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from hotbench import bounded, cli, gbench, tidy

from test_runner import stand_in_description

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
SCRIPTS = pathlib.Path(__file__).resolve().parents[1]
NAMES = ["json/parse/nlohmann/a", "json/parse/nlohmann/b", "json/parse/nlohmann/c"]

# A stand-in for a suite binary that behaves like Google Benchmark 1.7.1 with the harness: it lists
# its benchmarks, announces each on stderr (--hotbench_announce=true), prints a console line and
# streams the JSON file entry by entry, flushed, as each benchmark finishes. BEHAVIOUR maps a
# benchmark name to "hang" (ignores every catchable signal, forever) or "crash" (SIGSEGV).
# Its interpreter is the one running the tests: `env python3` may find a version manager's shim first on PATH,
# which costs half a second of shell scripts per start (and lacks Debian's modules).
FAKE = textwrap.dedent("""\
    #!{python}
    import json, os, re, signal, sys, time
    NAMES, BEHAVIOUR, STDERR_BYTES = {names!r}, {behaviour!r}, {stderr_bytes!r}
    args = sys.argv[1:]
    if "--hotbench_describe" in args:
        print(json.dumps({description!r})); sys.exit(0)
    flag = lambda key: next((a.split("=", 1)[1] for a in args if a.startswith(key + "=")), None)
    pattern = flag("--benchmark_filter")
    names = [n for n in NAMES if pattern is None or re.search(pattern, n)]
    if "--benchmark_list_tests=true" in args:
        print("\\n".join(names)); sys.exit(0)
    with open(os.environ["FAKE_LOG"], "a") as log:
        log.write(json.dumps(args) + "\\n")
    if STDERR_BYTES:  # more than a pipe holds, before anything on stdout
        sys.stderr.write(("x" * 99 + "\\n") * (STDERR_BYTES // 100)); sys.stderr.flush()
    out = open(flag("--benchmark_out"), "w")
    out.write('{{\\n  "context": {{"hotbench_suite": "json", "pid": %d}},\\n  "benchmarks": [\\n' % os.getpid())
    out.flush()
    for i, name in enumerate(names):
        if flag("--hotbench_announce") == "true":
            sys.stderr.write("hotbench: start " + name + "\\n"); sys.stderr.flush()
        if BEHAVIOUR.get(name) == "hang":
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(s, signal.SIG_IGN)
            while True:
                time.sleep(3600)
        if BEHAVIOUR.get(name) == "crash":
            sys.stderr.write("about to crash\\n"); sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGSEGV)
        entry = {{"name": name, "family_index": i, "per_family_instance_index": 0, "run_name": name,
                 "run_type": "iteration", "repetitions": 1, "repetition_index": 0, "threads": 1,
                 "iterations": 10, "real_time": 100.0, "cpu_time": 100.0, "time_unit": "ns"}}
        out.write((",\\n" if i else "") + json.dumps(entry, indent=2)); out.flush()
        print(name + "    100 ns    100 ns    10", flush=True)
    out.write("\\n  ]\\n}}\\n"); out.close()
    """)


def fake_binary(folder: pathlib.Path, behaviour: dict | None = None, stderr_bytes: int = 0) -> pathlib.Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hotbench_json"
    path.write_text(FAKE.format(python=sys.executable, names=NAMES, behaviour=behaviour or {}, stderr_bytes=stderr_bytes,
                                description=stand_in_description()))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def setup(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    for n in "abc":
        (data / f"{n}.json").write_text("{}")
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "invocations.log"))
    return tmp_path


def run_args(tmp_path, *extra) -> list[str]:
    return ["run", "--build-dir", str(tmp_path / "build"), "--data", str(tmp_path / "data"),
            "--output", str(tmp_path / "results"), "--quick", *extra]


def run_with_deadline(argv: list[str], deadline_s: float = 300,
                      tmpdir: pathlib.Path | None = None) -> subprocess.CompletedProcess:
    """`hotbench <argv>` as a child process: a runner that hangs fails the test instead of hanging it
    (and is killed with everything it started, its own session being one process group). `tmpdir`: the
    TMPDIR of the run, for runs that SIGKILL a binary, whose servers' folders then stay behind."""
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS), **({"TMPDIR": str(tmpdir)} if tmpdir else {})}
    proc = subprocess.Popen([sys.executable, "-m", "hotbench", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=deadline_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"hotbench {' '.join(argv)} did not finish within {deadline_s} s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def invocations(tmp_path) -> list[list[str]]:
    return [json.loads(line) for line in (tmp_path / "invocations.log").read_text().splitlines()]


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes (zombies included) that mention `text` (a test's own tmp path,
    so other builds and runs on the machine never count)."""
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def the_run(tmp_path) -> pathlib.Path:
    (run_dir,) = (tmp_path / "results").iterdir()
    return run_dir


def test_a_hanging_benchmark_is_killed_and_the_rest_runs_in_a_fresh_process(setup):
    tmp_path = setup
    fake_binary(tmp_path / "build", {NAMES[1]: "hang"})
    result = run_with_deadline(run_args(tmp_path, "--timeout", "2"))
    assert result.returncode == 1, result.stderr
    run_dir = the_run(tmp_path)
    assert not (run_dir / "INCOMPLETE").exists()
    rows = {r["benchmark"]: r for r in tidy.read_csv(run_dir / "results.csv")}
    assert rows[NAMES[0]]["status"] == "ok" and rows[NAMES[2]]["status"] == "ok"
    assert rows[NAMES[1]]["status"] == "error"
    assert rows[NAMES[1]]["error_message"] == "killed after exceeding its time bound of 2 s"
    # The raw file is whole Google Benchmark JSON, in the order the benchmarks ran.
    raw = gbench.load(run_dir / "raw" / "json.json")
    assert [e["name"] for e in raw["benchmarks"]] == NAMES and raw["context"]["hotbench_suite"] == "json"
    assert sorted(p.name for p in (run_dir / "raw").iterdir()) == ["json.json"]  # no partial files left
    # The second process ran exactly the benchmark that had not run.
    first, second = invocations(tmp_path)
    assert "--benchmark_filter=^(json/parse/nlohmann/c)$" in second
    assert not any(a.startswith("--benchmark_filter=") for a in first)
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert meta["complete"] is True and meta["timeout_s"] == 2 and meta["timeout_source"] == "--timeout"
    assert meta["suites"]["json"]["killed"] == [NAMES[1]] and len(meta["suites"]["json"]["commands"]) == 2
    assert "ERROR json/parse/nlohmann/b: killed after exceeding its time bound of 2 s" in result.stdout
    assert not processes_mentioning(str(tmp_path))


def test_the_last_benchmark_hanging_needs_no_second_process(setup):
    tmp_path = setup
    fake_binary(tmp_path / "build", {NAMES[2]: "hang"})
    assert run_with_deadline(run_args(tmp_path, "--timeout", "2")).returncode == 1
    rows = tidy.read_csv(the_run(tmp_path) / "results.csv")
    assert [r["status"] for r in rows] == ["ok", "ok", "error"]
    assert len(invocations(tmp_path)) == 1
    assert not processes_mentioning(str(tmp_path))


def test_a_crash_is_an_error_row_of_the_benchmark_that_was_running(setup, capsys):
    tmp_path = setup
    fake_binary(tmp_path / "build", {NAMES[0]: "crash"})
    assert cli.main(run_args(tmp_path)) == 1
    rows = {r["benchmark"]: r for r in tidy.read_csv(the_run(tmp_path) / "results.csv")}
    assert rows[NAMES[0]]["error_message"] == "the benchmark process killed by SIGSEGV while it ran: about to crash"
    assert rows[NAMES[1]]["status"] == rows[NAMES[2]]["status"] == "ok"


def test_a_binary_that_fills_its_stderr_pipe_first_does_not_deadlock_the_run(setup):
    """The old runner read stderr only after stdout closed: with 1 MB on stderr first, the binary
    blocked on a full pipe while the runner waited for stdout, forever. Run as a child process with
    a deadline, so that a deadlock fails the test instead of hanging it."""
    tmp_path = setup
    fake_binary(tmp_path / "build", stderr_bytes=1 << 20)
    result = run_with_deadline(run_args(tmp_path, "--timeout", "600"), deadline_s=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(tidy.read_csv(the_run(tmp_path) / "results.csv")) == 3


def interrupt_while_running(tmp_path, sig) -> subprocess.CompletedProcess:
    """Starts `hotbench run` on a binary whose second benchmark hangs, sends `sig` to the runner once
    that benchmark has started, and returns the finished runner."""
    env = {**os.environ, "PYTHONPATH": str(SCRIPTS)}
    runner = subprocess.Popen([sys.executable, "-m", "hotbench", *run_args(tmp_path, "--timeout", "600")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        # The first benchmark's row is in the raw file once the second one runs.
        while not list((tmp_path / "results").glob("*/raw/.json.json.partial.0")) or \
                NAMES[0] not in next((tmp_path / "results").glob("*/raw/.json.json.partial.0")).read_text():
            assert time.monotonic() < deadline and runner.poll() is None, "the binary never started"
            time.sleep(0.1)
        runner.send_signal(sig)
        out, err = runner.communicate(timeout=60)
    finally:
        runner.kill()
    return subprocess.CompletedProcess(runner.args, runner.returncode, out, err)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupt_kills_the_binary_and_leaves_the_result_set_incomplete(setup, sig):
    tmp_path = setup
    fake_binary(tmp_path / "build")
    assert cli.main(run_args(tmp_path)) == 0
    (earlier,) = (tmp_path / "results").iterdir()
    before = {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    fake_binary(tmp_path / "build", {NAMES[1]: "hang"})
    result = interrupt_while_running(tmp_path, sig)
    assert result.returncode == 130, result.stderr
    assert "hotbench: interrupted" in result.stderr
    assert not processes_mentioning(str(tmp_path))
    (interrupted,) = [p for p in (tmp_path / "results").iterdir() if p != earlier]
    assert (interrupted / "INCOMPLETE").exists() and not (interrupted / "results.csv").exists()
    assert json.loads((interrupted / "metadata.json").read_text())["complete"] is False
    assert {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()} == before


def test_a_killed_processs_finished_rows_are_read_back_from_its_cut_json():
    """Cut a real Google Benchmark 1.7.1 file anywhere: every entry complete before the cut is read,
    nothing after it, and never an error."""
    text = (FIXTURES / "gbench-1.7.1-repetitions.json").read_text()
    full = json.loads(text)["benchmarks"]
    # Where each entry's closing brace ends, in order.
    ends, pos = [], text.index('"benchmarks"')
    for _ in full:
        pos = text.index("\n    }", pos) + len("\n    }")
        ends.append(pos)
    for cut in sorted({*range(0, len(text) + 1, 97), *ends, *(e - 1 for e in ends), *(e + 1 for e in ends)}):
        context, entries = bounded.read_partial_text(text[:cut])
        complete = sum(1 for e in ends if e <= cut)
        assert entries == full[:complete], cut
        if entries:
            assert context == json.loads(text)["context"]


def test_read_partial_of_a_missing_or_empty_file(tmp_path):
    assert bounded.read_partial(tmp_path / "missing.json") == (None, [])
    (tmp_path / "empty.json").write_text("")
    assert bounded.read_partial(tmp_path / "empty.json") == (None, [])


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf"])
def test_timeout_must_be_a_positive_number_of_seconds(setup, capsys, value):
    tmp_path = setup
    fake_binary(tmp_path / "build")
    assert cli.main(run_args(tmp_path, "--timeout", value)) == 4
    assert "--timeout must be a positive number of seconds" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


def test_the_derived_bound_grows_with_what_the_run_asks_for(setup, capsys):
    tmp_path = setup
    fake_binary(tmp_path / "build")
    assert cli.main(run_args(tmp_path)) == 0
    quick = json.loads((the_run(tmp_path) / "metadata.json").read_text())
    assert quick["timeout_source"].startswith("derived")
    from hotbench import runner
    assert quick["timeout_s"] == runner.derived_timeout(1, 0.01, None)
    assert runner.derived_timeout(3, 0.25, None) > runner.derived_timeout(1, 0.01, None)
    assert runner.derived_timeout(1, 0, 10) > runner.derived_timeout(3, 0.25, None)  # callgrind


def test_the_program_named_in_messages_is_past_its_wrappers():
    assert bounded._program(["env", "LD_BIND_NOW=1", "valgrind", "x"]) == "valgrind"
    assert bounded._program(["taskset", "--cpu-list", "1", "setarch", "x86_64", "--addr-no-randomize",
                             "build/release/hotbench_json", "--benchmark_filter=x"]) == "build/release/hotbench_json"
    assert bounded._program(["build/release/hotbench_json"]) == "build/release/hotbench_json"
