"""`hotbench history backfill RANGE`: a history of instruction counts for commits already made.

Input: a git revision range of this repository (`645637d..HEAD`, or one commit) and the paths whose
changes matter (default `bench`). Every first-parent commit of the range that changed those paths is,
oldest first, counted as `gate --against` counts a commit (gate.count_at: a temporary worktree, that
commit's own `./hotbench gate --update-baseline`, this machine's toolchain) and added to the history as
one run of that commit. Output: the runs in the history, one line per commit on stdout (counted,
already in the history, or why it could not be counted); in `--work DIR`, each commit's build log
(`<commit>.log`) and its counted result set (`<commit>/`), kept.

A series is read in ingest order (history_changes), so commits must arrive oldest first: a database
holding runs of commits outside the range is refused, and a commit already in it is skipped (the
backfill is resumable: interrupt it, run it again, and it goes on where it stopped). Counts kept in the
work folder are added without counting again, so two backfills of two halves of a range into two
scratch histories, then one of the whole range, count each commit once and add all in order. A commit that
cannot be counted (it predates `gate --update-baseline --baseline`, or its build fails here) is a gap,
named, and the backfill goes on; the exit code is then 2 (unresolved).
"""

import pathlib
import subprocess
import tempfile
import time

from . import gate, history, history_store
from .errors import EXIT_OK, EXIT_UNRESOLVED, BadInput, HotbenchError

SOURCE = "history backfill"


def commits_of(revisions: str, paths: list[str]) -> list[str]:
    """The first-parent commits of `revisions` that changed `paths`, oldest first (one commit: itself)."""
    if ".." not in revisions:
        return [gate.resolve_commit(revisions)]
    listed = gate._git("rev-list", "--first-parent", "--reverse", revisions, "--", *paths)
    if listed.returncode != 0:
        raise HotbenchError(f"history backfill: {revisions}: not a revision range git knows "
                       f"({' '.join(listed.stderr.split())[:200]})")
    return listed.stdout.split()


def counted_commits(store, commits: list[str]) -> set[str]:
    """The commits of the range already in the history; refuses a history with other commits' runs,
    which would come before the backfilled ones in ingest order."""
    wanted, seen = set(commits), set()
    for run in history_store.runs(store):
        if run["commit_sha"] not in wanted:
            raise BadInput(f"{store.name}: holds runs of commit {str(run['commit_sha'])[:12]}, outside the range: "
                           "the backfill adds commits oldest first, so give it a history of its own (--db)")
        seen.add(run["commit_sha"])
    return seen


def last_line(log: pathlib.Path) -> str:
    """The log's last line, which says why a commit's own gate stopped: ', ending "..."', or nothing."""
    try:
        lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f', ending "{lines[-1][:200]}"' if lines else ""


def backfill(store, commits: list[str], branch: str, work: pathlib.Path, count_at=gate.count_at) -> int:
    """Counts and adds each commit not yet in the history; the number that could not be counted. A commit's
    counts already kept in `work` (by an earlier or a parallel backfill) are added without counting again."""
    done = counted_commits(store, commits)
    work.mkdir(parents=True, exist_ok=True)
    gaps = 0
    for n, commit in enumerate(commits, 1):
        head = f"{n}/{len(commits)} {commit[:12]}"
        if commit in done:
            print(f"{head}: already in the history", flush=True)
            continue
        log, kept = work / f"{commit[:12]}.log", work / commit[:12]
        started = time.monotonic()
        if (kept / "results.csv").is_file():
            how = f"counts kept in {kept}"
        else:
            with open(log, "w", encoding="utf-8") as out, \
                    tempfile.TemporaryDirectory(prefix="hotbench-backfill-", dir=work) as tmp:
                def logged(command, **kwargs):
                    kwargs.update(stdout=out, stderr=subprocess.STDOUT)
                    return subprocess.run(command, **kwargs)
                try:
                    counts = count_at(commit, pathlib.Path(tmp), run=logged, output_at=f"in {log}")
                except gate.CannotTell as e:
                    gaps += 1
                    out.flush()
                    print(f"{head}: not counted: {e}{last_line(log)}", flush=True)
                    continue
                counts.rename(kept)  # whole or not at all: a kept folder is always a finished count
            how = f"counted in {time.monotonic() - started:.0f} s"
        lines = history.add(store, [kept], commit, branch)
        print(f"{head}: {how}; {'; '.join(lines)}", flush=True)
    return gaps


def main(store, args) -> int:
    commits = commits_of(args.revisions, args.paths or ["bench"])
    if not commits:
        raise HotbenchError(f"history backfill: no first-parent commit of {args.revisions} changed "
                            f"{' '.join(args.paths or ['bench'])}")
    branch = args.branch or history.git("rev-parse", "--abbrev-ref", "HEAD") or "unknown"
    gaps = backfill(store, commits, branch, args.work)
    print(f"{len(commits) - gaps} of {len(commits)} commits in {store.name}"
          + (f"; {gaps} could not be counted (above)" if gaps else ""))
    return EXIT_UNRESOLVED if gaps else EXIT_OK
