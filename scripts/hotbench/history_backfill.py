"""`hotbench history backfill RANGE`: a history of instruction counts for commits already made.

Input: a git revision range of this repository (`645637d..HEAD`, or one commit) and the paths whose
changes matter (default `bench`). Every first-parent commit of the range that changed those paths is,
oldest first, counted as `gate --against` counts a commit (gate.count_at: a temporary worktree, that
commit's own `./hotbench gate --update-baseline`, this machine's toolchain) and added to the history as
one run of that commit. Output: the runs in the history, one line per commit on stdout (counted,
already in the history, or why it was not); in `--work DIR`, each commit's build log
(`<first 12 digits>.log`) and its counted result set (`<first 12 digits>/`), kept.

A series is read in ingest order (history_changes), so commits must arrive oldest first: a history with
a run of a commit outside the range, or out of the range's order, is refused, and so is one another
writer adds to during the backfill. It is resumable: a commit already in the history is skipped, and
an interrupted backfill goes on where it stopped. A commit that cannot be counted (it predates `gate
--update-baseline --baseline`, selects nothing, or its build fails here) is a gap, named with its log's
last line, and the backfill goes on; a gap older than the newest commit in the history stays a gap on a
second run (a new --db fills it). Counts kept in the work folder are added without counting again, so
two backfills of two halves of a range into two scratch histories, then one of the whole range into a
new one, count each commit once and add all in order; `--kept-only` adds the kept counts and counts
nothing (a history of what is counted so far, its gaps named). The exit code is 2 (unresolved) when a gap is left.
"""

import pathlib
import shutil
import subprocess
import tempfile
import time

from . import gate, history, history_store
from .errors import EXIT_OK, EXIT_UNRESOLVED, BadInput, HotbenchError


def commits_of(revisions: str, paths: list[str]) -> list[str]:
    """The first-parent commits of `revisions` that changed `paths`, oldest first (one commit: itself)."""
    if ".." not in revisions:
        return [gate.resolve_commit(revisions)]
    listed = gate._git("rev-list", "--first-parent", "--reverse", revisions, "--", *paths)
    if listed.returncode != 0:
        raise HotbenchError(f"history backfill: {revisions}: not a revision range git knows "
                            f"({' '.join(listed.stderr.split())[:200]})")
    return listed.stdout.split()


def counted_commits(store, commits: list[str]) -> tuple[set[str], int]:
    """(the commits of the range already in the history, the position in `commits` of the newest). Refuses a
    history whose runs are not commits of the range in their order: those would break the ingest order."""
    seen, newest = set(), -1
    position = {c: i for i, c in enumerate(commits)}
    for run in history_store.runs(store):
        at = position.get(run["commit_sha"])
        if at is None or at < newest:
            what = "outside the range" if at is None else f"added after the newer {commits[newest][:12]}"
            raise BadInput(f"{store.name}: holds a run of commit {str(run['commit_sha'])[:12]}, {what}: the backfill "
                           "adds commits oldest first, so give it a history of its own (--db)")
        seen.add(run["commit_sha"])
        newest = at
    return seen, newest


def newest_commit(store) -> str | None:
    rows = store.execute("SELECT commit_sha FROM runs ORDER BY run_key DESC LIMIT 1")
    return rows[0][0] if rows else None


def last_line(log: pathlib.Path) -> str:
    """The log's last line, which says why a commit's own gate stopped: ', ending "..."', or nothing."""
    try:
        lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f', ending "{lines[-1][:200]}"' if lines else ""


def backfill(store, commits: list[str], branch: str, work: pathlib.Path, count_at=None, count: bool = True) -> int:
    """Counts and adds each commit not yet in the history; the number that could not be counted or added. A
    commit's counts already kept in `work` (by an earlier or a parallel backfill) are added without counting
    again; without `count`, only those are added. A commit older than the newest one in the history stays a gap:
    adding it would break the order."""
    count_at = count_at or gate.count_at
    done, newest = counted_commits(store, commits)
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HotbenchError(f"{work}: cannot use it as the work folder: {e.strerror or e}") from None
    gate._git("worktree", "prune")  # the worktrees of a backfill that was killed (SIGKILL leaves them registered)
    gaps = 0
    for n, commit in enumerate(commits, 1):
        head = f"{n}/{len(commits)} {commit[:12]}"
        if commit in done:
            print(f"{head}: already in the history", flush=True)
            continue
        if n - 1 < newest:
            gaps += 1
            print(f"{head}: not added: the newer commit {commits[newest][:12]} is already in {store.name}, and a "
                  "series is read in ingest order (a new --db fills this gap from the counts kept in the work "
                  "folder)", flush=True)
            continue
        log, kept = work / f"{commit[:12]}.log", work / commit[:12]
        started = time.monotonic()
        if (kept / "results.csv").is_file():
            how = f"counts kept in {kept}"
        elif kept.exists():
            raise HotbenchError(f"{kept}: in the work folder but not a finished count (no results.csv): "
                                "remove it, or give another --work")
        elif not count:
            gaps += 1
            print(f"{head}: not added: no counts kept in {work} (--kept-only)", flush=True)
            continue
        else:
            try:
                count_into(count_at, commit, work, log, kept)
            except gate.CannotTell as e:
                gaps += 1
                print(f"{head}: not counted: {e}{last_line(log)}", flush=True)
                continue
            how = f"counted in {time.monotonic() - started:.0f} s"
        last = newest_commit(store)
        if last is not None and last not in done:
            raise BadInput(f"{store.name}: commit {last[:12]} was added by someone else during the backfill: the "
                           "ingest order is broken, give the backfill a history of its own (--db)")
        lines = history.add(store, [kept], commit, branch)
        done.add(commit)
        print(f"{head}: {how}; {'; '.join(lines)}", flush=True)
    return gaps


def count_into(count_at, commit: str, work: pathlib.Path, log: pathlib.Path, kept: pathlib.Path) -> None:
    """count_at with the commit's output in `log`, in a scratch folder of `work`, its result set then renamed
    to `kept` (the same file system: a kept folder is always a finished count); the scratch folder removed."""
    try:
        out = open(log, "w", encoding="utf-8")
    except OSError as e:
        raise HotbenchError(f"{log}: cannot write the commit's log: {e.strerror or e}") from None
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="hotbench-backfill-", dir=work))
    try:
        with out:
            def logged(command, **kwargs):
                kwargs.update(stdout=out, stderr=subprocess.STDOUT)
                return subprocess.run(command, **kwargs)
            counts = count_at(commit, scratch, run=logged, output_at=f"in {log}")
        try:
            counts.rename(kept)
        except OSError as e:
            if not (kept / "results.csv").is_file():  # else a parallel backfill kept the same commit's counts first
                raise HotbenchError(f"{kept}: cannot keep the counts there: {e.strerror or e}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(store, args) -> int:
    commits = commits_of(args.revisions, args.paths or ["bench"])
    if not commits:
        raise HotbenchError(f"history backfill: no first-parent commit of {args.revisions} changed "
                            f"{' '.join(args.paths or ['bench'])}")
    branch = args.branch or history.git("rev-parse", "--abbrev-ref", "HEAD") or "unknown"
    gaps = backfill(store, commits, branch, args.work, count=not args.kept_only)
    print(f"{len(commits) - gaps} of {len(commits)} commits in {store.name}"
          + (f"; {gaps} could not be counted or added (above)" if gaps else ""))
    return EXIT_UNRESOLVED if gaps else EXIT_OK
