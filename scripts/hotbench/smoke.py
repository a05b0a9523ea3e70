"""`hotbench smoke --suite NAME --binary PATH`: a suite binary end to end, in seconds.

The generic checks hold the binary to its own description (--hotbench_describe), on the quick profile with
a tiny time budget: every benchmark it lists gives an ok row, as many as the description counts, with a row
of every task that counts benchmarks and of every implementation it names; every number in a row is a
metric the description declares (so the description stays honest); and the harness's usage errors
(unknown flags, settings, values and data files) are refused with exit 4 and one line naming the culprit.
A suite's own checks (broken data files give error rows naming the place, settings that depend on each
other) live in suites/<suite>.py (see suites/__init__.py); a suite without one gets the generic checks.
CTest runs one smoke test per suite (see CMakeLists.txt).
"""

import pathlib
import subprocess
import tempfile

from . import describe, gbench, runner, suites, tidy
from .errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, HotbenchError

PROFILE = "quick"
MIN_TIME_S = 0.001
# A setting key and a data suffix no suite has: what the harness must refuse for every suite.
NO_SUCH_SETTING = "hotbench_no_such_setting"
NO_SUCH_SUFFIX = ".hotbench-no-such-suffix"


class SmokeFailure(Exception):
    """The binary itself failed (a crash, a non-zero exit): one problem, and the smoke run stops."""


def run_binary(binary: pathlib.Path, args: list[str], out: pathlib.Path) -> list[dict]:
    """The binary with a tiny time budget: its tidy rows, or SmokeFailure with the tail of its stderr."""
    command = [str(binary), *args, f"--benchmark_min_time={MIN_TIME_S}", f"--benchmark_out={out}",
               "--benchmark_out_format=json"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SmokeFailure(f"{binary} exited with {result.returncode}: {result.stderr[-2000:]}")
    return tidy.rows_from_gbench(gbench.load(out), run_id="smoke")


def refusal(binary: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    """The binary asked only to list its benchmarks with `args` (bad settings, missing files)."""
    return subprocess.run([str(binary), *args, "--benchmark_list_tests=true"], capture_output=True, text=True)


# --rows-only (the sanitizer presets' smoke runs): the usage refusals are not run, only counted, since each is a
# process that parses its arguments and exits (0.3-0.5 CPU-s under ASan, dozens per suite); the release
# preset's smoke run checks every one of them.
ROWS_ONLY = False
left_to_release = 0


def refused(binary: pathlib.Path, args: list[str], says: str, what: str | None = None) -> list[str]:
    """[] when the binary refuses `args` as a usage error (exit 4, the CLI's code) with an error line (its
    first) containing `says`, else the problem. (An unknown flag is followed by the list of flags.)"""
    global left_to_release
    if ROWS_ONLY:
        left_to_release += 1
        return []
    result = refusal(binary, *args)
    lines = result.stderr.strip().splitlines()
    if result.returncode == EXIT_USAGE and lines and says in lines[0]:
        return []
    return [f"{what or ' '.join(args)}: expected exit {EXIT_USAGE} with an error line containing '{says}', got "
            f"{result.returncode}: {result.stderr.strip()[:300]}"]


def listed(binary: pathlib.Path, args: list[str]) -> list[str]:
    result = refusal(binary, *args)
    if result.returncode != 0:
        raise SmokeFailure(f"{binary} could not list its benchmarks ({result.returncode}): {result.stderr[-2000:]}")
    return [line for line in result.stdout.splitlines() if line.strip()]


def implementation(row: dict) -> str:
    """library[:variant], as a description's `implementations` name them."""
    return f"{row['library']}:{row['variant']}" if row.get("variant") else row.get("library", "")


# The harness's own usage errors (bench/harness/main.cpp), the same for every suite: each must exit
# EXIT_USAGE (4, as the Python CLI's usage errors) with one line naming the flag, and run nothing.
HARNESS_USAGE_ERRORS = {"--hotbench_no_such_flag=1": "unknown or empty flag '--hotbench_no_such_flag=1'",
                        "--hotbench_iterations=0": "--hotbench_iterations wants a positive integer, got '0'",
                        "--hotbench_set=novalue": "--hotbench_set wants KEY=VALUE, got 'novalue'",
                        "--hotbench_profile=huge": "--hotbench_profile wants quick, default or full, got 'huge'",
                        "--benchmark_no_such_flag=1": "--benchmark_no_such_flag=1"}


def usage_problems(binary: pathlib.Path, description: dict, args: list[str], tmp: pathlib.Path) -> list[str]:
    """The harness's refusals, with the smoke run's own `args` (its data) so that only the flag is wrong."""
    suite = description["suite"]
    problems = []
    for flag, says in HARNESS_USAGE_ERRORS.items():
        problems += refused(binary, [*args, flag], says, flag)
    flag = f"--hotbench_set={NO_SUCH_SETTING}=1"
    problems += refused(binary, [*args, flag], f"{flag}: the {suite} suite has no setting '{NO_SUCH_SETTING}'", flag)
    for setting in description.get("settings") or []:
        flag = f"--hotbench_set={setting['key']}=hotbench-no-such-value"
        others = [a for a in args if not a.startswith(f"--hotbench_set={setting['key']}=")]  # a key is set once
        problems += refused(binary, [*others, flag], f"{flag}: ", flag)  # the value judged by the setting's type
    unread = tmp / f"unread{NO_SUCH_SUFFIX}"
    unread.write_text("not data\n")
    suffixes = (description.get("data") or {}).get("suffixes") or []
    if suffixes:
        says = f"{unread}: not a data file of the {suite} suite (expected {' or '.join(suffixes)})"
    else:
        says = f"{unread}: the {suite} suite reads no data files (--hotbench_data)"
    problems += refused(binary, [*args, f"--hotbench_data={unread}"], says, "a data file it does not read")
    if suffixes:
        missing = tmp / f"missing{suffixes[0]}"
        problems += refused(binary, [*args, f"--hotbench_data={missing}"], f"{missing}: no such file or folder",
                            "a missing data path")
    return problems


def row_problems(rows: list[dict], names: list[str], description: dict, bad_datasets: dict[str, str]) -> list[str]:
    """Every listed benchmark has rows, ok ones (or, on a deliberately broken data file, error rows saying
    what `bad_datasets` says), every task that counts benchmarks has an ok row, every implementation named
    by a task appears, and every number is a declared metric."""
    problems = []
    if description.get("benchmarks") != len(names):
        problems.append(f"the description counts {description.get('benchmarks')} benchmarks, the binary lists "
                        f"{len(names)}")
    counted = sum(t.get("benchmarks", 0) for t in description.get("tasks") or [])
    if counted != description.get("benchmarks"):
        problems.append(f"the description's tasks count {counted} benchmarks, its total says "
                        f"{description.get('benchmarks')}")
    if not names:
        problems.append("the binary lists no benchmark: nothing was checked")
    seen = {r["benchmark"] for r in rows}
    problems += [f"{name}: no row" for name in dict.fromkeys(gbench.base_name({"name": n}) for n in names)
                 if name not in seen]
    metrics = {m["name"] for m in description.get("metrics") or []}
    undeclared = {}
    for r in rows:
        if r.get("dataset") in bad_datasets:
            if r["status"] != "error" or bad_datasets[r["dataset"]] not in (r.get("error_message") or ""):
                problems.append(f"{r['benchmark']}: expected an error naming '{bad_datasets[r['dataset']]}', got "
                                f"{r['status']}: {r.get('error_message')}")
            continue
        if r["status"] != "ok":
            problems.append(f"{r['benchmark']}: error: {r['error_message']}")
            continue
        if tidy.is_untimed(r):
            if any(r.get(column) is not None for column in tidy.TIMINGS[1:]):
                problems.append(f"{r['benchmark']}: carries no time ({tidy.UNTIMED} = 1), yet has timings")
        elif not (isinstance(r.get("real_time_ns"), (int, float)) and r["real_time_ns"] > 0):
            problems.append(f"{r['benchmark']}: real_time_ns is {r.get('real_time_ns')!r}, expected a positive number")
        for column, value in r.items():
            if column in tidy.IDENTITY or column in tidy.STATUS or value is None or isinstance(value, str):
                continue
            if column not in metrics:
                undeclared.setdefault(column, r["benchmark"])
    problems += [f"{benchmark}: column {column} is not a metric the description declares"
                 for column, benchmark in sorted(undeclared.items())]
    for task in description.get("tasks") or []:
        mine = [r for r in rows if r.get("task") == task["name"] and r["status"] == "ok"]
        if task.get("benchmarks") and not mine:
            problems.append(f"no ok {task['name']} row at all")
        found = {implementation(r) for r in mine}
        problems += [f"{task['name']}: no ok row of {i}, an implementation the description names"
                     for i in task.get("implementations") or [] if i not in found]
    for bad in bad_datasets:
        if not any(r.get("dataset") == bad for r in rows):
            problems.append(f"the broken data file {bad} gave no rows")
    return problems


def check(binary: pathlib.Path, suite: str, settings: list[str] = ()) -> tuple[int, list[str]]:
    """(rows that passed, problems found). `settings` (KEY=VALUE) narrow the run after the suite's own
    smoke arguments, e.g. to the tasks that run threads under ThreadSanitizer."""
    own_description = describe.of_binary(binary, PROFILE)
    own = own_description["suite"]
    if own != suite:  # before its arguments: another suite's data files would only confuse it
        return 0, [f"{binary} describes itself as the {own!r} suite, not {suite!r}"]
    # Its default data (the generated corpus), as `run` makes it: in a fresh clone the smoke runs may come
    # first, in parallel (the generator writes each file atomically, so two smoke runs may both make it).
    runner.ensure_default_data(runner.Suite(suite, binary, own_description))
    module = suites.module(suite)
    with tempfile.TemporaryDirectory(prefix=f"hotbench-smoke-{suite}-") as tmp:
        tmp = pathlib.Path(tmp)
        args = [f"--hotbench_profile={PROFILE}"]
        if module is not None and hasattr(module, "smoke_arguments"):
            args += module.smoke_arguments(tmp)
        for setting in settings:  # a key is set once: these replace the suite's own
            key = setting.partition("=")[0]
            args = [a for a in args if not a.startswith(f"--hotbench_set={key}=")] + [f"--hotbench_set={setting}"]
        # A narrowed run may leave out the tasks that read the broken data files: their check needs the whole run.
        bad_datasets = {} if settings else getattr(module, "SMOKE_BAD_DATASETS", {})
        description = describe.of_arguments(binary, args)
        problems = usage_problems(binary, description, args, tmp)
        try:
            names = listed(binary, args)
            rows = run_binary(binary, args, tmp / "smoke.json")
        except SmokeFailure as e:
            return 0, problems + [str(e)]
        problems += row_problems(rows, names, description, bad_datasets)
        if module is not None and hasattr(module, "smoke_checks"):
            problems += module.smoke_checks(binary, rows, tmp)
    return sum(r["status"] == "ok" for r in rows), problems


def add_arguments(p):
    p.add_argument("--suite", required=True, metavar="NAME",
                   help="which suite the binary is (its description must agree)")
    p.add_argument("--binary", type=pathlib.Path, required=True, metavar="PATH", help="the suite binary to exercise")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings",
                   help="a setting of the suite for the smoke run (repeatable), after the suite's own smoke "
                        "settings, e.g. tasks=concurrent (CMake passes the tsan preset's SUITE_TSAN_SMOKE_SETTINGS)")
    p.add_argument("--rows-only", action="store_true",
                   help="check the rows only, not the usage refusals (CMake passes it to the sanitizer presets; "
                        "the release preset's smoke run checks the refusals) (default: both)")


def main(args) -> int:
    if not args.binary.exists():
        raise HotbenchError(f"{args.binary}: no such binary")
    bad = [s for s in args.settings if "=" not in s or not s.partition("=")[0]]
    if bad:
        raise HotbenchError(f"--set {bad[0]}: expected KEY=VALUE")
    global ROWS_ONLY, left_to_release
    ROWS_ONLY, left_to_release = args.rows_only, 0
    passed, problems = check(args.binary, args.suite, args.settings)
    for p in problems:
        print(f"FAILED {p}")
    left = f" ({left_to_release} usage refusals left to the release preset's smoke run)" if ROWS_ONLY else ""
    print(f"smoke {args.suite}: {passed} passed, {len(problems)} failed{left}")
    return EXIT_FAILED if problems else EXIT_OK
