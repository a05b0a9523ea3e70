"""`gate --against REF` and the results history: counts of REF already stored are reused, and what the
gate counts is stored for the next run (docs/history.md, "The gate and the history").

Which history: `gate --db PATH-or-URL`; without it the history's default file (results/history.sqlite)
when that file exists, else none (a gate never creates a database nobody asked for).

Reuse: the working tree is counted first, since its counts are what says which toolchain this is. A run
of the history is REF's counts when it is REF's commit, made from a clean tree, counted as the gate
counts (instructions profile, the same counting arguments: filter, iterations, repetitions), with the
history's own fingerprint (history.run_record: machine, compiler, flags, build type, library versions)
equal to the working tree's, comparable with it (compare.comparability: workload and datasets too), and
holding an instruction count for every benchmark the working tree's count has. Anything less (a
benchmark missing, another toolchain) and REF is counted in full: the two are never mixed.

Recording: REF's counts when they were counted, and the working tree's when it is a clean commit, are
added as runs (re-adding the same content is a no-op). The history never decides the gate: an error
reading or writing it is one warning line naming the database and the reason, and the gate goes on
as without a history.
"""

import json
import pathlib
import sys

from . import history, history_store, tidy
from .compare import comparability
from .errors import HotbenchError

METRIC = "instructions_per_op"
FINGERPRINT = ("machine", "compiler", "cxx_flags", "build_type", "libraries")  # history's: run_record's columns


def add_arguments(p):
    p.add_argument("--db", metavar="PATH-or-URL",
                   help="the results history (SQLite file or postgresql:// URL) whose counts of REF --against "
                        "reuses and to which it adds what it counted (default: results/history.sqlite if it exists)")


class History:
    """The gate's view of one history database (or of none: `db` None); no method raises for the history."""

    def __init__(self, db):
        self.db, self.store, self.failed = db, None, False

    @classmethod
    def chosen(cls, db):
        """The history of `--db`, else the default file when it exists, else none."""
        if db is None and history_store.DEFAULT_DB.is_file():
            db = history_store.DEFAULT_DB
        return cls(db)

    @property
    def name(self) -> str:
        return history_store.shown(self.db)

    @property
    def unless(self) -> str:
        return f" unless the history {self.name} has its counts" if self.db is not None else ""

    def warn(self, doing: str, error: Exception) -> None:
        """One warning line for the first failure; the history is then left alone for this gate."""
        self.failed = True
        reason = " ".join(str(error).split()).removeprefix(f"{self.name}: ")
        print(f"hotbench: warning: history {self.name}: {doing}: {reason}; the gate goes on without it",
              file=sys.stderr, flush=True)

    def _open(self):
        if self.store is None:
            self.store = history_store.open_store(self.db)
        return self.store

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def counts_of_ref(self, commit: str, ref: str, is_merge_base: bool, current: pathlib.Path, tmp: pathlib.Path,
                      count_at) -> tuple[pathlib.Path, str]:
        """(REF's result set, how the report names it): reused from the history, else `count_at(commit, DIR)`
        and then added to it; the working tree's counts added too when it is a clean commit."""
        if self.db is None:
            return count_at(commit, tmp / "against"), f"commit {commit[:12]} ({ref}) counted here"
        try:
            reused = self.reuse(commit, current, tmp / "reused")
            if reused:
                base, added = reused
                print(f"hotbench: gate: {ref} {commit[:12]}: counts reused from {self.name}, added {added} "
                      "(same commit and fingerprint: not built, not counted)", flush=True)
                label = f"commit {commit[:12]} ({ref}), its counts from the history {self.name}"
            else:
                base = count_at(commit, tmp / "against")
                label = f"commit {commit[:12]} ({ref}) counted here"
                self.record(base, commit, branch_of(ref, is_merge_base), f"gate --against {ref} (commit {commit[:12]})")
            if clean_commit(current):
                self.record(current, None, None, "gate --against (the working tree, a clean commit)")
            return base, label
        finally:
            self.close()

    # ------------------------------------------------------------ reuse

    def reuse(self, commit: str, current: pathlib.Path, dest: pathlib.Path):
        """(result set of REF rebuilt from the history under `dest`, when it was added) or None."""
        try:
            return self._reuse(commit, current, dest)
        except (HotbenchError, OSError, ValueError, KeyError, TypeError) as e:
            self.warn(f"cannot read the counts of commit {commit[:12]}", e)
            return None

    def _reuse(self, commit, current, dest):
        rows_c, meta_c = tidy.load_rows(current)
        wanted = {(r["benchmark"], r.get("threads") or 1) for r in rows_c}
        fingerprint = fingerprint_of(current)
        store = self._open()
        candidates = store.execute(
            f"SELECT run_key, ingested_utc, context, {', '.join(FINGERPRINT)} FROM runs WHERE commit_sha = ? "
            "ORDER BY run_key DESC", (commit,))
        for run_key, ingested, context, *stored in candidates:
            meta = json.loads(context)
            if not (tuple(stored) == fingerprint and usable(meta, meta_c)):
                continue
            rows = rows_of(store, run_key)
            if not wanted <= {(r["benchmark"], r["threads"]) for r in rows if r.get(METRIC) is not None}:
                continue  # a partial count: never completed with fresh counts
            dest.mkdir(parents=True)
            tidy.write_csv(dest / "results.csv", rows)
            (dest / "metadata.json").write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")
            return dest, ingested
        return None

    # ------------------------------------------------------------ recording

    def record(self, result_set: pathlib.Path, commit: str | None, branch: str | None, source: str) -> None:
        """Adds a result set the gate counted as a run (commit and branch given, else the result set's and
        git's); a warning line when it cannot."""
        if self.failed:
            return
        try:
            item = history.read_input(result_set)
            run = history.run_record(item, commit, branch)
            if branch:
                run["branch_from"] = source
            if commit:
                run["commit_from"] = source
            run["source"] = source
            key = history_store.add_run(self._open(), run, history.values_of(item.rows))
        except (HotbenchError, OSError, ValueError, KeyError, TypeError) as e:
            self.warn(f"cannot add the counts of {source}", e)
            return
        done = "already there" if key is None else f"added as run {key}"
        print(f"hotbench: gate: the counts of {source} ({history_store.shown(self.db)}): {done}", flush=True)


def clean_commit(result_set: pathlib.Path) -> bool:
    try:
        _, meta = tidy.load_rows(result_set)
    except HotbenchError:
        return False
    git = meta.get("git") if isinstance(meta.get("git"), dict) else {}
    return bool(git.get("commit")) and git.get("dirty") is False


def fingerprint_of(result_set: pathlib.Path) -> tuple:
    """The history's fingerprint of a result set, as `history add` would store it."""
    run = history.run_record(history.read_input(result_set), "-", "-")
    return tuple(run[c] for c in FINGERPRINT)


def usable(stored: dict, current: dict) -> bool:
    """Whether a stored run's metadata says it is what counting its commit here would give now."""
    git = stored.get("git") if isinstance(stored.get("git"), dict) else {}
    if stored.get("profile") != "instructions" or git.get("dirty") is not False:
        return False
    if stored.get("benchmark_args") != current.get("benchmark_args"):
        return False  # another subset, iteration count or repetitions than the gate's counting run
    differences, _ = comparability(stored, current, "stored", "current")
    return not differences


def rows_of(store, run_key: int) -> list[dict]:
    """One tidy row per benchmark x threads x repetition x process of a stored run, every stored metric."""
    rows = {}
    for benchmark, threads, suite, metric, repetition, process, value in store.execute(
            "SELECT s.benchmark, s.threads, s.suite, s.metric, m.repetition, m.process, m.value "
            "FROM measurements m JOIN series s ON s.series_key = m.series_key WHERE m.run_key = ? "
            "ORDER BY s.benchmark, s.threads, m.process, m.repetition", (run_key,)):
        row = rows.setdefault((benchmark, threads, repetition, process), {
            "schema_version": 1, "run_id": f"history-run-{run_key}", "benchmark": benchmark, "suite": suite,
            "threads": threads, "repetition": repetition, "process": process, "status": "ok"})
        row[metric] = value
    return list(rows.values())


def branch_of(ref: str, merge_base: bool) -> str:
    """The branch recorded with REF's counts: the main branch for the merge-base, the name of a branch
    given as REF, else `detached` (never the branch checked out here, which is not REF's)."""
    if merge_base:
        return "main"
    name = history.git("-C", str(history_store.ROOT), "rev-parse", "--symbolic-full-name", ref) or ""
    for prefix in ("refs/heads/", "refs/remotes/origin/"):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return "detached"
