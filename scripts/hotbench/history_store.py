"""The results history's store: every run ingested, every repetition and counter, its context.

Input: a database named by `--db`: a file path (SQLite, Python's own sqlite3; the default is
results/history.sqlite) or a `postgresql://` URL (PostgreSQL 15 through psycopg2, Debian package
python3-psycopg2). Output: a `Store`, whose tables are the same on both (docs/history.md, "Store"):

- `schema_version`: one row per migration applied (MIGRATIONS; a database of a newer hotbench is refused);
- `runs`: one per ingested result (content hash, commit and branch and where each came from, time,
  machine, compiler, flags, build type, library versions as JSON, the whole context as JSON);
- `series`: benchmark x threads x metric x machine, the unit the change-point detector reads;
- `measurements`: one value per run x series x repetition x process (every repetition, every counter);
- `triage`: the state of a change point (new, acknowledged, fixed, false_positive), with a note.

The same SQL runs on both: statements are written with `?` placeholders (SQLite's), turned into `%s` for
psycopg2, and keys are allocated by hotbench (MAX + 1 inside the write transaction), not by an
auto-increment that each database spells its own way. Writers are serialized: SQLite in WAL mode with
`BEGIN IMMEDIATE` and a busy timeout, PostgreSQL with a transaction-scoped advisory lock; so two
`history add` at once both land, one after the other. A file that is not an SQLite database, or one
truncated (shorter than its header says), is BadInput naming it, before any row is read.
"""

import contextlib
import datetime
import json
import pathlib
import re
import sqlite3
import urllib.parse

from .errors import EXIT_INTERNAL, BadInput, HotbenchError

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "results" / "history.sqlite"
TRIAGE_STATES = ("new", "acknowledged", "fixed", "false_positive")
BUSY_TIMEOUT_S = 120  # how long a writer waits for another one before giving up
_PG_WRITE_LOCK = 0x686f7462  # "hotb": the advisory lock every PostgreSQL writer holds

# Version i + 1 is MIGRATIONS[i]; a database records each version it has applied. Never edit a released
# entry: append one that alters what is there.
MIGRATIONS = [
    [
        "CREATE TABLE runs (run_key INTEGER PRIMARY KEY, content_hash TEXT NOT NULL UNIQUE, source TEXT NOT NULL,"
        " run_id TEXT, commit_sha TEXT, commit_from TEXT NOT NULL, branch TEXT, branch_from TEXT NOT NULL,"
        " run_time TEXT NOT NULL, ingested_utc TEXT NOT NULL, machine TEXT NOT NULL, compiler TEXT,"
        " cxx_flags TEXT, build_type TEXT, libraries TEXT NOT NULL, context TEXT NOT NULL)",
        "CREATE TABLE series (series_key INTEGER PRIMARY KEY, benchmark TEXT NOT NULL, threads INTEGER NOT NULL,"
        " metric TEXT NOT NULL, machine TEXT NOT NULL, suite TEXT NOT NULL,"
        " UNIQUE (benchmark, threads, metric, machine))",
        "CREATE TABLE measurements (run_key INTEGER NOT NULL, series_key INTEGER NOT NULL,"
        " repetition INTEGER NOT NULL, process INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL)",
        # Appended run by run, read whole (ORDER BY run_key): an index in insertion order costs nothing, one by
        # series would take a random B-tree insertion per value (the ingest of 1,000 commits took minutes).
        "CREATE INDEX measurements_by_run ON measurements (run_key)",
        "CREATE TABLE triage (change_id TEXT PRIMARY KEY, series_key INTEGER NOT NULL, run_key INTEGER NOT NULL,"
        " state TEXT NOT NULL, note TEXT NOT NULL, triaged_utc TEXT NOT NULL)",
    ],
]
RUN_COLUMNS = ["run_key", "content_hash", "source", "run_id", "commit_sha", "commit_from", "branch", "branch_from",
               "run_time", "ingested_utc", "machine", "compiler", "cxx_flags", "build_type", "libraries", "context"]
_SQLITE_MAGIC = b"SQLite format 3\x00"


def now_utc() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def is_url(db) -> bool:
    return isinstance(db, str) and re.match(r"postgres(ql)?://", db) is not None


def shown(db) -> str:
    """The database as messages name it: a URL without its password."""
    if not is_url(db):
        return str(db)
    parts = urllib.parse.urlsplit(db)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urllib.parse.urlunsplit(parts)


class Store:
    """One connection; `execute`/`executemany` take SQLite's `?` placeholders on both databases."""

    def __init__(self, connection, dialect: str, name: str):
        self.connection = connection
        self.dialect = dialect
        self.name = name
        self._errors = _database_errors(dialect)

    def sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    def execute(self, statement: str, params=()) -> list:
        with self._translated():
            cursor = self.connection.cursor()
            cursor.execute(self.sql(statement), params)
            rows = cursor.fetchall() if cursor.description else []
            cursor.close()
            return rows

    def executemany(self, statement: str, rows) -> None:
        with self._translated():
            cursor = self.connection.cursor()
            if self.dialect == "sqlite":
                cursor.executemany(statement, rows)
            else:
                from psycopg2 import extras  # one round trip per page of rows, not per row
                head, _, values = self.sql(statement).partition(" VALUES ")
                extras.execute_values(cursor, f"{head} VALUES %s", rows, template=values, page_size=5000)
            cursor.close()

    @contextlib.contextmanager
    def writing(self):
        """One write transaction, writers one after the other (the module docstring says how)."""
        with self._translated():
            if self.dialect == "sqlite":
                self.connection.execute("BEGIN IMMEDIATE")
            else:
                self.connection.cursor().execute("BEGIN")
                self.connection.cursor().execute("SELECT pg_advisory_xact_lock(%s)", (_PG_WRITE_LOCK,))
        try:
            yield self
        except BaseException:
            with contextlib.suppress(Exception):
                self.connection.cursor().execute("ROLLBACK")
            raise
        with self._translated():
            self.connection.cursor().execute("COMMIT")

    def next_key(self, table: str, column: str) -> int:
        return (self.execute(f"SELECT MAX({column}) FROM {table}")[0][0] or 0) + 1

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.close()

    @contextlib.contextmanager
    def _translated(self):
        try:
            yield
        except self._errors as e:
            message = " ".join(str(e).split())
            if self.dialect == "sqlite" and "locked" in message:
                raise HotbenchError(f"{self.name}: the database stayed locked by another writer for "
                                    f"{BUSY_TIMEOUT_S} s: {message}", EXIT_INTERNAL) from None
            raise BadInput(f"{self.name}: not a usable hotbench history database: {message}") from None


def _database_errors(dialect: str) -> tuple:
    if dialect == "sqlite":
        return (sqlite3.DatabaseError,)
    import psycopg2
    return (psycopg2.DatabaseError,)


def open_store(db=None) -> Store:
    """The store at `db` (a path or a postgresql:// URL; None: DEFAULT_DB), created and migrated as needed."""
    db = DEFAULT_DB if db is None else db
    store = _connect_postgresql(db) if is_url(db) else _connect_sqlite(pathlib.Path(db))
    try:
        migrate(store)
    except BaseException:
        store.close()
        raise
    return store


def _connect_sqlite(path: pathlib.Path) -> Store:
    check_sqlite_file(path)
    if not path.parent.is_dir():
        raise HotbenchError(f"{path}: cannot create the history database: no folder {path.parent}")
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise BadInput(f"{path}: cannot open the history database: {e}") from None
    store = Store(connection, "sqlite", str(path))
    # WAL: readers never block the writer; NORMAL sync is durable at every checkpoint and safe in WAL mode.
    store.execute("PRAGMA journal_mode=WAL")
    store.execute("PRAGMA synchronous=NORMAL")
    return store


def check_sqlite_file(path: pathlib.Path) -> None:
    """A file that exists must be an SQLite database at least as long as its header says (a truncated copy
    would otherwise read as fewer rows). An empty file is a database not yet written."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
            size = f.seek(0, 2)
    except FileNotFoundError:
        return
    except OSError as e:
        raise BadInput(f"{path}: cannot read the history database: {e.strerror or e}") from None
    if not header:
        return
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise BadInput(f"{path}: not an SQLite database (corrupt, or some other file)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = pages and header[24:28] == header[92:96]  # the header's page count is current (SQLite's own rule)
    if valid and size < pages * page_size:
        raise BadInput(f"{path}: truncated SQLite database: {size} bytes, its header says "
                       f"{pages} pages of {page_size} bytes")


def _connect_postgresql(url: str) -> Store:
    try:
        import psycopg2
    except ModuleNotFoundError:
        raise HotbenchError(f"{shown(url)}: a PostgreSQL history needs the Debian package python3-psycopg2, "
                            "not installed (sudo apt-get install -y python3-psycopg2)", EXIT_INTERNAL) from None
    try:
        connection = psycopg2.connect(url, connect_timeout=10)
    except psycopg2.Error as e:
        raise HotbenchError(f"{shown(url)}: cannot connect: {' '.join(str(e).split())}", EXIT_INTERNAL) from None
    connection.autocommit = True  # transactions are explicit (Store.writing)
    return Store(connection, "postgresql", shown(url))


def migrate(store: Store) -> None:
    with store.writing():
        store.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                      "applied_utc TEXT NOT NULL)")
        current = store.execute("SELECT MAX(version) FROM schema_version")[0][0] or 0
        if current > len(MIGRATIONS):
            raise BadInput(f"{store.name}: schema version {current}, made by a newer hotbench (this one knows "
                           f"up to {len(MIGRATIONS)})")
        for version in range(current + 1, len(MIGRATIONS) + 1):
            for statement in MIGRATIONS[version - 1]:
                store.execute(statement)
            store.execute("INSERT INTO schema_version (version, applied_utc) VALUES (?, ?)", (version, now_utc()))


def schema_version(store: Store) -> int:
    return store.execute("SELECT MAX(version) FROM schema_version")[0][0]


# ---------------------------------------------------------------- writing a run

def add_run(store: Store, run: dict, values) -> int | None:
    """Store one run (`run`: RUN_COLUMNS but run_key and ingested_utc) and its `values`, tuples
    (benchmark, threads, suite, metric, repetition, process, value). None when a run of the same content
    hash is already stored (nothing is written), else the new run's key."""
    with store.writing():
        if store.execute("SELECT run_key FROM runs WHERE content_hash = ?", (run["content_hash"],)):
            return None
        run_key = store.next_key("runs", "run_key")
        record = dict(run, run_key=run_key, ingested_utc=now_utc())
        store.execute(f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})",
                      tuple(record[c] for c in RUN_COLUMNS))
        keys = {(b, t, m): k for k, b, t, m in store.execute(
            "SELECT series_key, benchmark, threads, metric FROM series WHERE machine = ?", (run["machine"],))}
        next_series = store.next_key("series", "series_key")
        new_series, measurements = [], []
        for benchmark, threads, suite, metric, repetition, process, value in values:
            key = keys.get((benchmark, threads, metric))
            if key is None:
                key = keys[(benchmark, threads, metric)] = next_series
                next_series += 1
                new_series.append((key, benchmark, threads, metric, run["machine"], suite))
            measurements.append((run_key, key, repetition, process, value))
        if new_series:
            store.executemany("INSERT INTO series (series_key, benchmark, threads, metric, machine, suite) "
                              "VALUES (?, ?, ?, ?, ?, ?)", new_series)
        store.executemany("INSERT INTO measurements (run_key, series_key, repetition, process, value) "
                          "VALUES (?, ?, ?, ?, ?)", measurements)
        return run_key


# ---------------------------------------------------------------- reading

def runs(store: Store) -> list[dict]:
    """Every run in ingest order, its libraries and context parsed."""
    out = []
    for row in store.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs ORDER BY run_key"):
        run = dict(zip(RUN_COLUMNS, row))
        run["libraries"] = json.loads(run["libraries"])
        run["context"] = json.loads(run["context"])
        out.append(run)
    return out


def series(store: Store, metrics: list[str] | None = None) -> list[dict]:
    rows = store.execute("SELECT series_key, benchmark, threads, metric, machine, suite FROM series "
                         "ORDER BY benchmark, threads, metric, machine")
    out = [dict(zip(("series_key", "benchmark", "threads", "metric", "machine", "suite"), r)) for r in rows]
    return [s for s in out if not metrics or s["metric"] in metrics]


def measurements(store: Store) -> dict:
    """series_key -> {run_key: [values of every repetition and process]}, runs in ingest order."""
    out = {}
    for series_key, run_key, value in store.execute(
            "SELECT series_key, run_key, value FROM measurements ORDER BY run_key, process, repetition"):
        out.setdefault(series_key, {}).setdefault(run_key, []).append(value)
    return out


def triage(store: Store) -> dict:
    """change_id -> {state, note, triaged_utc, series_key, run_key}."""
    rows = store.execute("SELECT change_id, series_key, run_key, state, note, triaged_utc FROM triage")
    return {r[0]: dict(zip(("series_key", "run_key", "state", "note", "triaged_utc"), r[1:])) for r in rows}


def set_triage(store: Store, change_id: str, series_key: int, run_key: int, state: str, note: str) -> None:
    with store.writing():
        store.execute("INSERT INTO triage (change_id, series_key, run_key, state, note, triaged_utc) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (change_id) DO UPDATE SET state = excluded.state, "
                      "note = excluded.note, triaged_utc = excluded.triaged_utc",
                      (change_id, series_key, run_key, state, note, now_utc()))
