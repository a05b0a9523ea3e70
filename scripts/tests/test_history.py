"""`hotbench history` (issue 13): the store (SQLite and PostgreSQL), ingesting, the change points with their
commits and context, triage, and the Markdown, JUnit and HTML outputs."""

import json
import os
import pathlib
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import pytest

from hotbench import changepoints, cli, history, history_changes, history_store, tidy
from hotbench.errors import EXIT_BAD_INPUT, EXIT_OK

from conftest import missing

ROOT = pathlib.Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "results" / "reference"
BASELINE_INSTRUCTIONS = ROOT / "results" / "baseline-instructions"


def gbench_json(path: pathlib.Path, benchmarks: dict, context: dict | None = None) -> pathlib.Path:
    """A Google Benchmark JSON file as any project's binary writes it: name -> list of repetitions, each a dict
    of counters (real_time in ns), plus the mean aggregate Google Benchmark appends (which must be skipped)."""
    entries = []
    for name, repetitions in benchmarks.items():
        for index, counters in enumerate(repetitions):
            entries.append({"name": name, "run_name": name, "run_type": "iteration", "repetitions": len(repetitions),
                            "repetition_index": index, "threads": 1, "iterations": 1000, "real_time": 1.0,
                            "cpu_time": 1.0, "time_unit": "ns", **counters})
        entries.append({"name": f"{name}_mean", "run_name": name, "run_type": "aggregate", "aggregate_name": "mean",
                        "repetitions": len(repetitions), "threads": 1, "iterations": 3, "real_time": 99.0,
                        "cpu_time": 99.0, "time_unit": "ns"})
    path.write_text(json.dumps({"context": context or {"host_name": "ci-7", "num_cpus": 2}, "benchmarks": entries}))
    return path


def add(db, *argv) -> int:
    return cli.main(["history", "add", "--db", str(db), *map(str, argv)])


def count(db: pathlib.Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def numeric_cells(rows) -> int:
    return sum(1 for r in rows if r["status"] == "ok" for k, v in r.items()
               if k not in history.NOT_METRICS and isinstance(v, (int, float)))


# ---------------------------------------------------------------- the store

def test_a_result_set_is_stored_with_every_repetition_and_counter_once(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert add(db, REFERENCE) == EXIT_OK
    out = capsys.readouterr().out
    assert "added as run 1" in out and "0daf6754f8f6 (recorded in the result set)" in out
    rows, _ = tidy.load_rows(REFERENCE)
    assert count(db, "measurements") == numeric_cells(rows)
    with sqlite3.connect(db) as connection:
        repetitions = connection.execute(
            "SELECT COUNT(*) FROM measurements JOIN series USING (series_key) WHERE benchmark = "
            "'json/limit/memcpy/catalog' AND metric = 'real_time_ns'").fetchone()[0]
        libraries, compiler = connection.execute("SELECT libraries, compiler FROM runs").fetchone()
    assert repetitions == 3 and json.loads(libraries)["simdjson"] == "3.0.1" and compiler == "12.2.0"
    assert add(db, REFERENCE) == EXIT_OK
    assert "already in the history" in capsys.readouterr().out
    assert count(db, "runs") == 1 and count(db, "measurements") == numeric_cells(rows)


def test_google_benchmark_json_of_any_project_keeps_repetitions_and_user_counters(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    source = gbench_json(tmp_path / "foreign.json", {
        "BM_Sort/1024": [{"items_per_second": 1e6 + i, "cache_misses": 7.0 + i} for i in range(4)],
        "BM_Hash": [{"bytes_per_second": 2e9}]})
    assert add(db, source, "--commit", "abc123", "--branch", "feature") == EXIT_OK
    out = capsys.readouterr().out
    assert "commit abc123 (--commit), branch feature (--branch); machine ci-7 x2" in out
    with sqlite3.connect(db) as connection:
        stored = dict(connection.execute(
            "SELECT metric, COUNT(*) FROM measurements JOIN series USING (series_key) WHERE benchmark = "
            "'BM_Sort/1024' GROUP BY metric").fetchall())
        aggregate_values = connection.execute("SELECT COUNT(*) FROM measurements WHERE value = 99.0").fetchone()[0]
    assert stored == {"items_per_second": 4, "cache_misses": 4, "iterations": 4, "real_time_ns": 4, "cpu_time_ns": 4}
    assert aggregate_values == 0


def test_commit_and_branch_default_to_git_and_say_so(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "project"
    repo.mkdir()
    for command in (["init", "-q", "-b", "trunk"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q",
                                                    "--allow-empty", "-m", "x"]):
        subprocess.run(["git", "-C", str(repo), *command], check=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    monkeypatch.chdir(repo)
    assert add(tmp_path / "h.sqlite", gbench_json(tmp_path / "g.json", {"BM_A": [{}]})) == EXIT_OK
    out = capsys.readouterr().out
    assert f"commit {head[:12]} (git HEAD of the current folder), branch trunk (git's current branch)" in out


def test_a_malformed_input_is_one_line_and_adds_nothing(tmp_path, capsys):
    """All inputs are read before anything is written: fix the file, run the same command again."""
    db = tmp_path / "h.sqlite"
    good = gbench_json(tmp_path / "good.json", {"BM_A": [{}]})
    bad = tmp_path / "bad.json"
    bad.write_text('{"benchmarks": [{"name": "BM_B", "run_type": "iteration", "real_time": "fast"}]}')
    assert add(db, good, bad) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "benchmarks[0]" in err and "real_time" in err
    assert count(db, "runs") == 0


def test_a_corrupt_or_truncated_database_is_one_line_naming_it(tmp_path, capsys):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is no database" * 100)
    assert add(garbage, REFERENCE) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(garbage) in err and "not an SQLite database" in err

    db = tmp_path / "h.sqlite"
    assert add(db, REFERENCE) == EXIT_OK
    with sqlite3.connect(db) as connection:  # everything into the main file, as a copy of it would be
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    capsys.readouterr()
    assert cli.main(["history", "changes", "--db", str(truncated)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(truncated) in err and "truncated" in err


def test_a_database_of_a_newer_hotbench_is_refused(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    history_store.open_store(db).close()
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO schema_version VALUES (99, 'later')")
    assert cli.main(["history", "changes", "--db", str(db)]) == EXIT_BAD_INPUT
    assert "schema version 99" in capsys.readouterr().err


WRITER = """
import sys
import tempfile
import time
from hotbench import cli
sys.exit(cli.main(["history", "add", "--db", sys.argv[1], "--commit", sys.argv[2], *sys.argv[3:]]))
"""


def test_two_writers_at_once_lose_nothing(tmp_path):
    db = tmp_path / "h.sqlite"
    history_store.open_store(db).close()
    batches = []
    for writer in "ab":
        files = [gbench_json(tmp_path / f"{writer}{i}.json", {f"BM_{writer}{b}": [{"n": float(i)}] * 3
                                                             for b in range(200)}) for i in range(6)]
        batches.append([sys.executable, "-c", WRITER, str(db), f"commit-{writer}", *map(str, files)])
    env = {"PYTHONPATH": str(ROOT / "scripts"), "PATH": "/usr/bin:/bin"}
    processes = [subprocess.Popen(b, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for b in batches]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in processes]
    assert all(code == 0 for _, _, code in results), results
    assert count(db, "runs") == 12 and count(db, "series") == 2 * 200 * 4
    assert count(db, "measurements") == 12 * 200 * 3 * 4
    with sqlite3.connect(db) as connection:
        keys = [k for (k,) in connection.execute("SELECT series_key FROM series")]
    assert len(set(keys)) == len(keys)


# ---------------------------------------------------------------- change points

def instruction_counts() -> list[float]:
    """The project's own instruction counts per operation (the gate's baseline), one per benchmark."""
    rows, _ = tidy.load_rows(BASELINE_INSTRUCTIONS)
    return sorted({r["instructions_per_op"] for r in rows if r.get("instructions_per_op")})


STEPS = (0.01, 0.02, 0.05, 0.10)


def stepped(base: float, at: list[int], steps, points: int, jitter: float = 0.0, seed: int = 0) -> list[list[float]]:
    rng = changepoints.np.random.default_rng(seed)
    level, out = base, []
    for i in range(points):
        if i in at:
            level *= 1 + steps[at.index(i)]
        out.append([level * (1 + jitter * x) for x in rng.standard_normal(3)])
    return out


@pytest.mark.parametrize("jitter", [0.0, 1e-4])
def test_every_planted_step_in_instruction_counts_is_found_at_its_commit_and_nothing_else(jitter):
    bases = instruction_counts()
    assert len(bases) >= 20
    series, truth = {}, {}
    for i, base in enumerate(bases[:60]):
        at = sorted({5 + (i * 7) % 10, 20 + (i * 3) % 10, 35 + i % 10, 52 + (i * 5) % 5})
        steps = [STEPS[(i + k) % 4] * (-1 if (i + k) % 3 == 0 else 1) for k in range(4)]
        series[i], truth[i] = stepped(base, at, steps, 60, jitter, seed=i), at
    for i, base in enumerate(bases[60:120], start=60):
        series[i], truth[i] = stepped(base, [], [], 60, jitter, seed=i), []
    found = {}
    for d in changepoints.detect(series):
        found.setdefault(d.series, []).append(d.index)
    assert {k: sorted(v) for k, v in found.items()} == {k: v for k, v in truth.items() if v}


def test_a_regression_fixed_two_commits_later_is_found_and_hides_nothing_else():
    """The series of json/parse/rapidjson/geometry in this repository's own history: a -0.32 % step, then a
    +6 % excursion of two commits. No single split of it was significant, which hid both."""
    values = [179533.0] * 10 + [178966.0] * 9 + [189855.0] * 2 + [178967.0] * 26
    found = [(d.index, round(d.change, 4)) for d in changepoints.detect({"s": [[v] * 3 for v in values]})]
    assert found == [(10, -0.0032), (19, 0.0608), (21, -0.0573)]
    # with timing-like noise too: a 10 % excursion of four runs
    rng = changepoints.np.random.default_rng(5)
    noisy = rng.lognormal(0.0, 0.01, size=(60, 5))
    noisy[30:34] *= 1.10
    assert [d.index for d in changepoints.detect({"s": list(noisy)})] == [30, 34]


def test_pure_noise_gives_no_change_point_across_200_series():
    rng = changepoints.np.random.default_rng(7)
    series = {i: list(rng.lognormal(0.0, 0.03, size=(80, 5))) for i in range(200)}
    assert changepoints.detect(series) == []


def test_the_magnitude_interval_holds_the_planted_step_on_noisy_points():
    rng = changepoints.np.random.default_rng(3)
    values = rng.lognormal(0.0, 0.02, size=(60, 5))
    values[30:] *= 1.10
    (d,) = changepoints.detect({"s": list(values)})
    assert d.index == 30 and d.low < 0.10 < d.high and 0.08 < d.change < 0.12 and d.p_value < 1e-6


def test_p_values_and_benjamini_hochberg_match_known_values():
    assert changepoints.t_two_sided_p(2.228, 10) == pytest.approx(0.05, abs=1e-4)
    assert changepoints.t_two_sided_p(40.0, 100) == pytest.approx(2.4e-63, rel=0.1)  # no 1 - x rounding to 0
    assert changepoints.benjamini_hochberg([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.0533333, 0.0533333, 0.5])


# ---------------------------------------------------------------- the history end to end

def history_with_a_library_upgrade(tmp_path, db) -> None:
    """30 commits of a foreign project: BM_Parse's counts step up 5 % at commit 12, where simdjson went from
    3.0.1 to 3.1.0; BM_Write steps down 10 % at commit 20 with nothing else changed; BM_Flat never moves."""
    for c in range(30):
        version = "3.0.1" if c < 12 else "3.1.0"
        parse = 1000.0 * (1.05 if c >= 12 else 1.0)
        write = 500.0 * (0.9 if c >= 20 else 1.0)
        source = gbench_json(tmp_path / f"run{c}.json", {
            "BM_Parse": [{"instructions": parse}] * 3, "BM_Write": [{"instructions": write}] * 3,
            "BM_Flat": [{"instructions": 77.0}] * 3},
            {"host_name": "ci", "num_cpus": 2, "simdjson_version": version, "hotbench_compiler": "12.2.0",
             "run": c})
        assert add(db, source, "--commit", f"{c:04d}" + "c" * 36) == EXIT_OK


def instruction_changes(db, capsys, *extra) -> list[dict]:
    capsys.readouterr()
    assert cli.main(["history", "changes", "--db", str(db), "--json", "--metric", "instructions", *extra]) == 0
    return json.loads(capsys.readouterr().out)["changes"]


def test_changes_name_the_commits_and_attribute_a_library_upgrade(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    history_with_a_library_upgrade(tmp_path, db)
    parse, write = instruction_changes(db, capsys)
    assert (parse["benchmark"], parse["index"], parse["commit_before"][:4], parse["commit_after"][:4]) == \
        ("BM_Parse", 12, "0011", "0012")
    assert parse["change"] == pytest.approx(0.05) and parse["state"] == "new"
    assert parse["context_changes"] == ["simdjson 3.0.1 -> 3.1.0"]
    assert (write["benchmark"], write["index"], write["change"]) == ("BM_Write", 20, pytest.approx(-0.10))
    assert write["context_changes"] == []
    assert cli.main(["history", "changes", "--db", str(db), "--metric", "instructions"]) == 0
    text = capsys.readouterr().out
    assert f"{parse['change_id']}  new" in text and "also changed: simdjson 3.0.1 -> 3.1.0" in text
    assert "2 change point(s), 2 new" in text


def test_markdown_and_junit_list_every_new_change(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    history_with_a_library_upgrade(tmp_path, db)
    changes = instruction_changes(db, capsys, "-o", str(tmp_path / "pr.md"), "-o", str(tmp_path / "changes.xml"))
    markdown = (tmp_path / "pr.md").read_text()
    assert markdown.startswith("### hotbench history: 2 change point(s)")
    assert all(f"`{c['change_id']}` | **new** | `{c['benchmark']}`" in markdown for c in changes)
    suite = ET.parse(tmp_path / "changes.xml").getroot().find("testsuite")
    failed = {case.get("name").split()[0] for case in suite.iter("testcase") if case.find("failure") is not None}
    assert failed == {"BM_Parse", "BM_Write"} and suite.get("tests") == "3" and suite.get("failures") == "2"


def test_an_acknowledged_change_starts_a_new_baseline(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    history_with_a_library_upgrade(tmp_path, db)
    parse, write = instruction_changes(db, capsys)
    assert cli.main(["history", "triage", parse["change_id"], "--db", str(db), "--state", "acknowledged",
                     "--note", "new simdjson"]) == EXIT_OK
    assert cli.main(["history", "triage", write["change_id"], "--db", str(db), "--state", "false_positive"]) == 0
    after = instruction_changes(db, capsys)
    assert [(c["benchmark"], c["state"]) for c in after] == [("BM_Write", "false_positive")]
    # A later step of BM_Parse is tested against the segment after the acknowledged one.
    for c in range(30, 40):
        source = gbench_json(tmp_path / f"more{c}.json", {"BM_Parse": [{"instructions": 1050.0 * 1.02}] * 3},
                             {"host_name": "ci", "num_cpus": 2, "simdjson_version": "3.1.0", "run": c})
        assert add(db, source, "--commit", f"{c:04d}" + "c" * 36) == EXIT_OK
    later = [c for c in instruction_changes(db, capsys) if c["benchmark"] == "BM_Parse"]
    assert [(c["index"], c["commit_after"][:4], round(c["change"], 6)) for c in later] == [(30, "0030", 0.02)]


def test_triage_of_an_unknown_id_is_bad_input(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert cli.main(["history", "triage", "nope", "--db", str(db), "--state", "fixed"]) == EXIT_BAD_INPUT
    assert "no change point 'nope'" in capsys.readouterr().err


# ---------------------------------------------------------------- PostgreSQL 15, started here

POSTGRES_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")




@pytest.fixture(scope="module")
def postgresql_url():
    """A PostgreSQL 15 server of its own: initdb into a private folder, a Unix socket there and no TCP at all,
    stopped and removed whatever the tests do. initdb and postgres refuse to run as root: as root they run as
    Debian's `postgres` user, as the cache suite's query rows start theirs (bench/cache/query/postgresql.cpp)."""
    try:
        import psycopg2
    except ModuleNotFoundError:
        missing("psycopg2 is not installed (apt-get install python3-psycopg2; ./hotbench test installs it)")
    if not all((POSTGRES_BIN / name).exists() for name in ("initdb", "postgres")):
        missing(f"PostgreSQL 15 is not installed ({POSTGRES_BIN}: apt-get install postgresql)")
    # Not pytest's tmp_path: its parents are private to root, and the server's user must reach its folder.
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hotbench-pg-"))
    user = "postgres" if os.geteuid() == 0 else None
    server = None
    try:
        if user:
            shutil.chown(folder, user, user)
        subprocess.run([str(POSTGRES_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "hotbench",
                        "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], user=user, check=True,
                       capture_output=True, timeout=120)
        server = subprocess.Popen([str(POSTGRES_BIN / "postgres"), "-D", str(folder / "data"), "-k", str(folder),
                                   "-c", "listen_addresses=", "-c", "fsync=off", "-p", "5432"], user=user,
                                  stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "w"))
        url = f"postgresql://hotbench@/postgres?host={folder}&port=5432"
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg2.connect(url).close()
                break
            except psycopg2.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"PostgreSQL did not start: {(folder / 'server.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)  # fast shutdown
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)


def test_postgresql_gives_the_same_history_as_sqlite(postgresql_url, tmp_path, capsys):
    sqlite_db = tmp_path / "h.sqlite"
    history_with_a_library_upgrade(tmp_path, sqlite_db)
    history_with_a_library_upgrade(tmp_path, postgresql_url)
    assert "already in the history" not in capsys.readouterr().out
    assert add(postgresql_url, tmp_path / "run0.json") == EXIT_OK
    assert "already in the history" in capsys.readouterr().out
    on_postgresql, on_sqlite = instruction_changes(postgresql_url, capsys), instruction_changes(sqlite_db, capsys)
    assert len(on_sqlite) == 2 and on_postgresql == on_sqlite
    assert cli.main(["history", "triage", on_sqlite[0]["change_id"], "--db", postgresql_url, "--state", "fixed",
                     "--note", "reverted"]) == EXIT_OK
    assert [(c["state"], c["note"]) for c in instruction_changes(postgresql_url, capsys)] == \
        [("fixed", "reverted"), ("new", "")]
    store = history_store.open_store(postgresql_url)
    try:
        assert history_store.schema_version(store) == len(history_store.MIGRATIONS)
    finally:
        store.close()


# ---------------------------------------------------------------- the HTML report

CHROMIUM = pathlib.Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("history-report")
    db = folder / "h.sqlite"
    history_with_a_library_upgrade(folder, db)
    assert cli.main(["history", "report", "--db", str(db), "-o", str(folder / "history.html")]) == EXIT_OK
    changes = history_changes.load(history_store.open_store(db))
    return folder / "history.html", changes


def test_the_report_shows_every_series_and_change_point_and_loads_nothing(report_page):
    path, history = report_page
    page = path.read_text()
    assert page.count('<section class="series"') == len(history.series) == 12  # 3 benchmarks x 4 metrics
    for s in history.series:
        assert f"data-name=\"{s['benchmark']} {s['metric']} " in page
    for c in history.changes:
        assert page.count(f"<code>{c.change_id}</code>") == 1 and f"<title>{c.change_id}: " in page
    # each change point marked in its series' chart and, at its run, in its suite's trend
    assert "simdjson 3.0.1 -&gt; 3.1.0" in page and page.count('class="change"') == 2 * len(history.changes) == 4
    assert "<title>1 change point(s) before 0012cccccccc: BM_Parse +5.00 %</title>" in page
    assert "<h3>(no suite) &middot; instructions</h3>" in page  # the suite's geometric mean
    assert not re.search(r"(src|href)=\"(https?:)?//|@import|url\(\s*['\"]?(https?:)?//", page, re.I)


def test_figures_are_each_suite_trend_as_a_standalone_svg_file(tmp_path):
    db = tmp_path / "h.sqlite"
    history_with_a_library_upgrade(tmp_path, db)
    figures = tmp_path / "figures"
    figures.mkdir()
    assert cli.main(["history", "report", "--db", str(db), "-o", str(tmp_path / "h.html"), "--figures", str(figures),
                     "--metric", "instructions"]) == EXIT_OK
    [figure] = figures.iterdir()
    assert figure.name == "history-_no_suite_-instructions.svg"
    svg = ET.parse(figure).getroot()
    namespace = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{namespace}svg" and svg.find(f"{namespace}style") is not None
    assert len(svg.findall(f".//{namespace}line[@class='change']")) == 2  # in the chart, below the heading


def chromium(*arguments, tmp_path) -> subprocess.CompletedProcess:
    if not CHROMIUM.exists():
        missing("/usr/bin/chromium is not installed (apt-get install chromium); ./hotbench test installs it")
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def rendered(report_page, tmp_path_factory):
    """The page filtered to BM_Parse's instructions, as chromium draws it and as its DOM then is: one
    chromium for both (a start costs about 4 CPU-s)."""
    path, _ = report_page
    folder = tmp_path_factory.mktemp("chromium")
    screenshot = folder / "page.png"
    dom = chromium(f"--screenshot={screenshot}", "--window-size=1280,1000", "--dump-dom",
                   path.resolve().as_uri() + "#filter=bm_parse%20instructions", tmp_path=folder).stdout
    return screenshot, dom


def test_chromium_draws_the_trends_and_change_points(rendered):
    import matplotlib.image

    screenshot, _ = rendered
    pixels = matplotlib.image.imread(screenshot)[:, :, :3]
    assert pixels.shape[:2] == (1000, 1280)
    red, green, blue = pixels[:, :, 0], pixels[:, :, 1], pixels[:, :, 2]
    trend_line = ((blue > 0.4) & (red < 0.2) & (green < 0.45)).sum()  # #0b4f8a, antialiased: pixels
    change_line = ((red > 0.55) & (green < 0.35) & (blue < 0.35)).sum()  # #b3261e
    noise_band = ((abs(red - 0xb7 / 255) < 0.04) & (abs(blue - 0xee / 255) < 0.04)).sum()
    assert trend_line > 60 and change_line > 20, (trend_line, change_line)
    assert noise_band == 0  # BM_Parse's counts are exact: no band to draw


def test_the_filter_box_hides_what_does_not_match(rendered):
    _, dom = rendered
    shown = re.findall(r'<section class="series" data-name="([^"]*)"', dom)
    assert shown == ["BM_Parse instructions ci x2 "]
    assert dom.count('<section class="series hidden"') == 11 and '<span id="shown">1</span>' in dom


def test_the_ingest_benchmark_fills_only_an_empty_database(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert add(db, "--synthetic", "3,20,5") == EXIT_OK
    assert "3 commits x 20 benchmarks x 5 repetitions into" in capsys.readouterr().out
    assert count(db, "runs") == 3 and count(db, "measurements") == 3 * 20 * 5
    assert add(db, "--synthetic", "3,20,5") == 4
    assert "is not empty" in capsys.readouterr().err and count(db, "runs") == 3
