"""`hotbench history`: every run kept, change points found across commits (docs/history.md).

  hotbench history add FILE... [--db PATH-or-URL] [--commit SHA] [--branch NAME]
  hotbench history changes [--db ...] [--json] [-o FILE.md] [-o FILE.xml]
  hotbench history report [--db ...] -o FILE.html
  hotbench history triage ID --state new|acknowledged|fixed|false_positive [--note TEXT]
  hotbench history steps [--db ...] [--metric NAME] [--fdr Q] [-o FILE.md]
  hotbench history backfill RANGE [--paths PATH...] [--branch NAME] [--work DIR] [--kept-only] [--db ...]

`add` reads result set folders (results.csv + metadata.json), tidy CSVs or Google Benchmark JSON files
of any project (repetitions kept, aggregates skipped, every counter a metric) and stores each as one
run: its commit and branch are --commit/--branch, else what the result set records, else git's
(HEAD and the current branch of the current folder); the output says which. A file whose content is
already stored is a no-op (said). Every file is read and checked before anything is written: one
malformed file is exit 3 naming the file and place, and no file of that command is added, so the
command can be run again once the file is fixed.

The database is --db: a file (SQLite; default results/history.sqlite) or a postgresql:// URL. A corrupt
or truncated database file is exit 3 naming it. `changes` exits 0 whatever it finds (the JUnit file
marks every new change point as a failure, for CI to decide).
"""

import dataclasses
import hashlib
import json
import pathlib
import subprocess
import sys
import time

from . import cli, compare, history_changes, history_report, history_steps, history_store, metadata, tidy
from .errors import EXIT_OK, BadInput, HotbenchError

NOT_METRICS = set(tidy.IDENTITY) | set(tidy.STATUS)
ANY_MACHINE = "any machine (instruction counts)"


@dataclasses.dataclass
class Input:
    """One file or folder to add, read and checked."""
    path: pathlib.Path
    rows: list[dict]
    meta: dict
    content_hash: str


def read_input(path: pathlib.Path) -> Input:
    rows, meta = tidy.load_rows(path)
    return Input(path, rows, meta, content_hash(path))


def content_hash(path: pathlib.Path) -> str:
    """sha256 of the bytes read: a result set's results.csv and metadata.json, else the file."""
    files = [path / "results.csv", path / "metadata.json"] if path.is_dir() else [path]
    digest = hashlib.sha256()
    for f in files:
        if f.exists():
            digest.update(f.name.encode() + b"\0" + metadata.sha256(f).encode() + b"\0")
    return digest.hexdigest()


def git(*args) -> str | None:
    try:
        result = subprocess.run(["git", *args], capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def context_of(meta: dict) -> dict:
    """The Google Benchmark context block of an input: a result set's suites' (the first), a JSON file's own."""
    if isinstance(meta.get("benchmark_context"), dict):
        return meta["benchmark_context"]
    for suite in (meta.get("suites") or {}).values():
        if isinstance(suite, dict) and isinstance(suite.get("benchmark_context"), dict):
            return suite["benchmark_context"]
    return {}


def machine_of(meta: dict, context: dict) -> str:
    """The series' machine: instruction counts are the same on any machine of the class (metadata.fingerprint);
    timed figures belong to a CPU model and core count (a Google Benchmark file names its host instead)."""
    if meta.get("profile") == "instructions" or context.get("hotbench_under_valgrind") == "true":
        return ANY_MACHINE
    m = meta.get("machine") or {}
    if m.get("cpu_model"):
        return f"{m['cpu_model']} x{m.get('logical_cpus')}"
    if context.get("host_name"):
        return f"{context['host_name']} x{context.get('num_cpus')}"
    return "unknown"


def run_record(item: Input, commit: str | None, branch: str | None) -> dict:
    meta, context = item.meta, context_of(item.meta)
    build = meta.get("build") or metadata.build(context, context.get("executable", ""))
    libraries = meta.get("libraries") or metadata.libraries(context)
    recorded = (meta.get("git") or {}).get("commit")
    if commit:
        commit_from = "--commit"
    elif recorded:
        commit, commit_from = recorded, "recorded in the result set"
    else:
        commit, commit_from = git("rev-parse", "HEAD"), "git HEAD of the current folder"
    branch_from = "--branch" if branch else "git's current branch"
    branch = branch or git("rev-parse", "--abbrev-ref", "HEAD")
    run_ids = sorted({r["run_id"] for r in item.rows if r.get("run_id")})
    return {"content_hash": item.content_hash, "source": str(item.path), "run_id": meta.get("run_id") or
            ", ".join(run_ids) or None, "commit_sha": commit, "commit_from": commit_from if commit else "unknown",
            "branch": branch, "branch_from": branch_from if branch else "unknown",
            "run_time": meta.get("started_utc") or context.get("date") or history_store.now_utc(),
            "machine": machine_of(meta, context), "compiler": build.get("compiler"),
            "cxx_flags": build.get("cxx_flags"), "build_type": build.get("build_type"),
            "libraries": json.dumps(libraries, sort_keys=True), "context": json.dumps(meta, sort_keys=True, default=str)}


def values_of(rows: list[dict]):
    """(benchmark, threads, suite, metric, repetition, process, value) of every ok row's every metric."""
    for r in rows:
        if r.get("status") != "ok":
            continue
        for key, value in r.items():
            if key not in NOT_METRICS and isinstance(value, (int, float)) and not isinstance(value, bool):
                yield (r["benchmark"], r.get("threads") or 1, r.get("suite") or "", key, r.get("repetition") or 0,
                       r.get("process") or 0, float(value))


def add(store, paths: list[pathlib.Path], commit: str | None, branch: str | None) -> list[str]:
    """Add every input (all read first: a bad one adds none); one line per input says what happened."""
    inputs = [read_input(p) for p in paths]
    lines = []
    for item in inputs:
        run = run_record(item, commit, branch)
        run_key = history_store.add_run(store, run, values_of(item.rows))
        if run_key is None:
            lines.append(f"{item.path}: already in the history (same content, {item.content_hash[:12]}): nothing added")
            continue
        lines.append(f"{item.path}: added as run {run_key}: {len(item.rows)} rows; commit "
                     f"{history_changes.short(run['commit_sha'])} ({run['commit_from']}), branch "
                     f"{run['branch'] or 'unknown'} ({run['branch_from']}); machine {run['machine']}")
    return lines


def synthetic_ingest(store, commits: int, benchmarks: int, repetitions: int) -> float:
    """Add `commits` runs of `benchmarks` x `repetitions` instruction counts through add_run, as `add` does;
    the seconds it took (the ingest benchmark of docs/history.md, not a test)."""
    started = time.perf_counter()
    for c in range(commits):
        rows = [{"benchmark": f"synthetic/task/lib{b % 10}/data{b // 10}", "threads": 1, "suite": "synthetic",
                 "repetition": r, "process": 0, "status": "ok", "instructions_per_op": 1000.0 + b + (c // 100)}
                for b in range(benchmarks) for r in range(repetitions)]
        run = {"content_hash": f"synthetic-{commits}-{benchmarks}-{repetitions}-{c}", "source": "synthetic",
               "run_id": f"synthetic-{c}", "commit_sha": hashlib.sha1(f"synthetic {c}".encode()).hexdigest(),
               "commit_from": "synthetic", "branch": "main",
               "branch_from": "synthetic", "run_time": history_store.now_utc(), "machine": ANY_MACHINE,
               "compiler": "12.2.0", "cxx_flags": "-O2", "build_type": "Release", "libraries": "{}", "context": "{}"}
        history_store.add_run(store, run, values_of(rows))
    return time.perf_counter() - started


# ---------------------------------------------------------------- command line

def add_arguments(p):
    sub = p.add_subparsers(dest="history_command", required=True, metavar="ACTION", parser_class=cli.ArgumentParser)

    def action(name, help_text):
        sp = sub.add_parser(name, help=help_text, description=help_text, formatter_class=cli.HelpFormatter)
        sp.add_argument("--db", default=history_store.DEFAULT_DB, metavar="PATH-or-URL",
                        help="the history: an SQLite file, or a postgresql:// URL")
        return sp

    a = action("add", "store result sets, tidy CSVs or Google Benchmark JSON files as runs of the history")
    a.add_argument("inputs", nargs="*", type=pathlib.Path, metavar="FILE",
                   help="a result set folder, a tidy CSV or a Google Benchmark JSON file")
    a.add_argument("--commit", metavar="SHA", help="the commit measured (default: the result set's, else git HEAD)")
    a.add_argument("--branch", metavar="NAME", help="its branch (default: git's current branch)")
    a.add_argument("--synthetic", metavar="C,B,R",
                   help="instead of files: time the ingest of C commits x B benchmarks x R repetitions of synthetic "
                        "instruction counts into an empty database (docs/history.md, 'Ingest speed')")

    c = action("changes", "the change points of every series, as text (or JSON), Markdown and JUnit XML")
    c.add_argument("--json", action="store_true", help="print JSON instead of text")
    cli.add_output(c, "also write the Markdown summary (.md) or JUnit XML (.xml) here; repeatable",
                   dest="markdown", formats={".md": "markdown", ".xml": "junit"})
    cli.add_deprecated(c, "--markdown", dest="markdown", instead="-o FILE.md")
    cli.add_deprecated(c, "--junit", dest="junit", instead="-o FILE.xml")
    c.add_argument("--metric", action="append", metavar="NAME", help="only this metric (repeatable; default: all)")
    c.add_argument("--fdr", type=float, default=history_changes.changepoints.FDR, metavar="Q",
                   help="the false discovery rate over every split tested in every series")

    r = action("report", "one self-contained HTML page: trends, change points, noise bands, geometric means")
    cli.add_output(r, "the HTML page to write", dest="output", metavar="FILE.html")
    r.add_argument("--figures", type=pathlib.Path, metavar="DIR",
                   help="also write each suite's trend as a standalone SVG file in DIR (history-<suite>-<metric>.svg)")
    r.add_argument("--metric", action="append", metavar="NAME", help="only this metric (repeatable; default: all)")
    r.add_argument("--fdr", type=float, default=history_changes.changepoints.FDR, metavar="Q",
                   help="the false discovery rate over every split tested in every series")

    t = action("triage", "set the state of a change point (an acknowledged one starts a new baseline)")
    t.add_argument("change_id", metavar="ID", help="the change point's id, as `history changes` prints it")
    t.add_argument("--state", required=True, choices=history_store.TRIAGE_STATES, help="its new state")
    t.add_argument("--note", default="", metavar="TEXT", help="why (kept with the state)")

    st = action("steps", "every step of the exact series (instruction counts) between consecutive runs, and "
                         "whether `changes` found it: the detector checked against a ground truth")
    st.add_argument("--metric", action="append", metavar="NAME",
                    help="this metric (repeatable; default: the instruction counts, "
                         f"{', '.join(history_steps.METRICS)}: a one-repetition timed run would pass for exact)")
    st.add_argument("--fdr", type=float, default=history_changes.changepoints.FDR, metavar="Q",
                    help="the false discovery rate of the change points checked, as `changes --fdr`")
    cli.add_output(st, "also write the report here (Markdown)", dest="output", metavar="FILE.md")

    b = action("backfill", "count each commit of a git range that changed --paths, as `gate --against` counts a "
                           "commit, and add it to the history, oldest first (resumable: commits already in it are skipped)")
    b.add_argument("revisions", metavar="RANGE", help="a git revision range (A..B: the first-parent commits after A "
                                                      "up to B) or one commit")
    b.add_argument("--paths", nargs="+", metavar="PATH", help="only commits that changed these paths (default: bench)")
    b.add_argument("--branch", metavar="NAME", help="the branch recorded for every commit (default: git's current branch)")
    b.add_argument("--work", type=pathlib.Path, default=pathlib.Path("build/backfill"), metavar="DIR",
                   help="each commit's build log (DIR/<commit>.log) and counted result set (DIR/<commit>/), kept: "
                        "counts found there are added without counting again")
    b.add_argument("--kept-only", action="store_true",
                   help="add only the counts kept in --work and count nothing: the others are gaps")


def main(args) -> int:
    store = history_store.open_store(args.db)
    try:
        return ACTIONS[args.history_command](store, args)
    finally:
        store.close()


def main_add(store, args) -> int:
    if args.synthetic:
        try:
            commits, benchmarks, repetitions = (int(x) for x in args.synthetic.split(","))
        except ValueError:
            raise HotbenchError(f"--synthetic {args.synthetic}: expected three whole numbers C,B,R") from None
        if args.inputs or history_store.runs(store):
            raise HotbenchError(f"--synthetic fills an empty database with made-up runs: {store.name} is not empty "
                                "(or files were named too)")
        seconds = synthetic_ingest(store, commits, benchmarks, repetitions)
        print(f"{commits} commits x {benchmarks} benchmarks x {repetitions} repetitions into {store.name}: "
              f"{seconds:.1f} s")
        return EXIT_OK
    if not args.inputs:
        raise HotbenchError("history add: name at least one result set, tidy CSV or Google Benchmark JSON file")
    for line in add(store, args.inputs, args.commit, args.branch):
        print(line)
    return EXIT_OK


def main_changes(store, args) -> int:
    found = history_changes.load(store, args.metric, args.fdr)
    if args.json:
        sys.stdout.write(history_changes.json_text(found, args.fdr))
    else:
        sys.stdout.write(history_changes.terminal_text(found, store.name, args.fdr))
    if args.markdown:
        compare.write_output(args.markdown, history_changes.markdown_text(found, store.name, args.fdr))
    if args.junit:
        compare.write_output(args.junit, history_changes.junit_text(found))
    return EXIT_OK


def main_report(store, args) -> int:
    if not args.output:
        raise HotbenchError("history report: -o FILE.html is required")
    found = history_changes.load(store, args.metric, args.fdr)
    history_report.write(args.output, found, store.name, args.figures)
    print(f"{args.output}: {len(found.series)} series, {len(found.changes)} change point(s)")
    return EXIT_OK


def main_triage(store, args) -> int:
    known = history_store.triage(store)
    if args.change_id in known:
        series_key, run_key = known[args.change_id]["series_key"], known[args.change_id]["run_key"]
    else:
        found = {c.change_id: c for c in history_changes.load(store).changes}
        if args.change_id not in found:
            raise BadInput(f"{store.name}: no change point {args.change_id!r} (`hotbench history changes` lists them)")
        series_key, run_key = found[args.change_id].series_key, found[args.change_id].run_key
    history_store.set_triage(store, args.change_id, series_key, run_key, args.state, args.note)
    print(f"{args.change_id}: {args.state}" + (f" ({args.note})" if args.note else ""))
    return EXIT_OK


def main_steps(store, args) -> int:
    found = history_changes.load(store, args.metric or history_steps.METRICS, args.fdr)
    commits = {r["commit_sha"] for r in found.runs.values() if r["commit_sha"]}
    text = history_steps.report(found, store.name, {c: commit_summary(c) for c in commits})
    sys.stdout.write(text)
    if args.output:
        compare.write_output(args.output, text)
    return EXIT_OK


def commit_summary(commit: str) -> str:
    """'subject [the folders it changed, two levels deep]', from git; '' for a commit git does not know."""
    subject = git("log", "-1", "--format=%s", commit) or ""
    # a merge's files are those it brought to its first parent (git show lists none for a merge by default)
    files = (git("show", "--diff-merges=first-parent", "--name-only", "--format=", commit) or "").splitlines()
    folders = sorted({"/".join(f.split("/")[:2]) if "/" in f else "." for f in files if f})
    return f"{subject} [{', '.join(folders)}]" if subject and folders else subject


def main_backfill(store, args) -> int:
    from . import history_backfill  # imports the gate, which no other action needs
    return history_backfill.main(store, args)


ACTIONS = {"add": main_add, "changes": main_changes, "report": main_report, "triage": main_triage,
           "steps": main_steps, "backfill": main_backfill}
