"""`hotbench run` with a stand-in benchmark binary: the result set's layout, atomicity,
metadata, and every usage error (one line, exit 4, nothing half-written)."""

import json
import pathlib
import shutil
import stat
import sys
import textwrap

import pytest

from hotbench import cli, tidy

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def stand_in_description(suite: str = "json", suffixes: tuple[str, ...] = (".json", ".jsonl"),
                         default_data: tuple[str, ...] = (), gate_filter: str = "") -> dict:
    """What a stand-in suite binary says to --hotbench_describe: only what the runner reads."""
    return {"describe_version": 1, "suite": suite, "title": f"stand-in {suite}", "profile": "default",
            "tasks": [], "benchmarks": 0, "metrics": [], "settings": [],
            "data": {"suffixes": list(suffixes), "default": list(default_data)}, "libraries": {},
            "gate": {"filter": gate_filter}}


def fake_binary(folder: pathlib.Path, fail: bool = False, suite: str = "json",
                suffixes: tuple[str, ...] = (".json", ".jsonl"), default_data: tuple[str, ...] = (),
                gate_filter: str = "") -> pathlib.Path:
    """A script that answers like a suite binary: describes itself, lists tests, writes --benchmark_out, or dies.
    A suite with `default_data` reads files by default (json: the corpus); one without generates its workloads."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"hotbench_{suite}"
    description = stand_in_description(suite, suffixes, default_data, gate_filter)
    path.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import json, shutil, sys
        args = sys.argv[1:]
        if "--hotbench_describe" in args:
            print(json.dumps({description!r})); sys.exit(0)
        src = json.load(open({str(FIXTURES / "gbench-1.7.1-repetitions.json")!r}))
        names = sorted({{b["run_name"] for b in src["benchmarks"]}})
        if "--benchmark_list_tests=true" in args:
            print("\\n".join(names)); sys.exit(0)
        out = next(a.split("=", 1)[1] for a in args if a.startswith("--benchmark_out="))
        for n in names:
            print(n + "    123 ns", flush=True)
        if {fail!r}:
            sys.stderr.write("killed halfway\\n"); sys.exit(1)
        json.dump(src, open(out, "w"))
        """))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "catalog.json").write_text("{}")
    (folder / "social.json").write_text("[]")
    return folder


def run(tmp_path, data, *extra, fail=False):
    """A run with two stand-in suites built: json (reads .json) and cache (reads .csv: not the data here)."""
    build = tmp_path / "build"
    fake_binary(build, fail=fail, default_data=(str(tmp_path / "corpus"),))
    fake_binary(build, suite="cache", suffixes=(".csv",))
    return cli.main(["run", "--build-dir", str(build), "--data", str(data), "--output", str(tmp_path / "results"),
                     *extra])


def test_run_writes_a_complete_result_set(tmp_path, data, capsys):
    assert run(tmp_path, data, "--quick") == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    assert sorted(p.name for p in run_dir.iterdir()) == ["metadata.json", "raw", "results.csv"]
    assert (run_dir / "raw" / "json.json").exists()
    rows = tidy.read_csv(run_dir / "results.csv")
    assert len(rows) == 12 and all(r["run_id"] == run_dir.name for r in rows)
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert meta["complete"] is True and meta["profile"] == "quick"
    assert {d["name"] for d in meta["datasets"]} == {"catalog", "social"}
    assert all(len(d["sha256"]) == 64 for d in meta["datasets"])
    assert meta["machine"]["cpu_model"] and "commit" in meta["git"]
    assert meta["build"]["compiler"] and meta["libraries"]["simdjson"] == "3.0.1"
    assert "--benchmark_repetitions=1" in meta["benchmark_args"]


def test_an_interrupted_run_stays_marked_incomplete_and_spares_earlier_results(tmp_path, data, capsys):
    assert run(tmp_path, data) == 0
    (earlier,) = (tmp_path / "results").iterdir()
    before = {p.name: p.read_bytes() for p in earlier.rglob("*") if p.is_file()}
    assert run(tmp_path, data, fail=True) == 1
    assert "killed halfway" in capsys.readouterr().err
    (failed,) = [p for p in (tmp_path / "results").iterdir() if p != earlier]
    assert (failed / "INCOMPLETE").exists() and not (failed / "results.csv").exists()
    assert json.loads((failed / "metadata.json").read_text())["complete"] is False
    assert {p.name: p.read_bytes() for p in earlier.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("args, message", [
    (["--suite", "nosuch"], "unknown suite(s) nosuch; available: json, cache"),
    (["--dataset", "nosuch"], "unknown dataset(s) nosuch; available: catalog, social"),
    (["--repetitions", "0"], "--repetitions must be at least 1"),
    (["--min-time", "-1"], "--min-time must be positive"),
    (["--filter", "("], "not a valid regular expression"),
    (["--set", "workloads=zipf0.6"], "--set 'workloads=zipf0.6': expected SUITE.KEY=VALUE"),
    (["--set", "nosuch.a=b"], "unknown suite 'nosuch'; available: json, cache"),
    (["--set", "cache.workloads=uniform"], "the cache suite is not part of this run (suites: json)"),
])
def test_usage_errors_are_one_line_exit_2_and_write_nothing(tmp_path, data, capsys, args, message):
    assert run(tmp_path, data, *args) == 4
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "results").exists()


def test_quick_and_full_exclude_each_other(tmp_path, data, capsys):
    with pytest.raises(SystemExit) as e:
        run(tmp_path, data, "--quick", "--full")
    assert e.value.code == 4 and "--full: not allowed with argument --quick" in capsys.readouterr().err


@pytest.mark.parametrize("flags, profile, repetitions", [([], "default", 3), (["--quick"], "quick", 1),
                                                         (["--full"], "full", 5)])
def test_the_profile_reaches_every_binary_and_the_metadata(tmp_path, data, capsys, flags, profile, repetitions):
    assert run(tmp_path, data, *flags) == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert meta["profile"] == profile
    assert f"--hotbench_profile={profile}" in meta["suites"]["json"]["command"]
    assert f"--benchmark_repetitions={repetitions}" in meta["benchmark_args"]


def test_suites_are_found_in_the_build_folder_and_described_in_the_metadata(tmp_path, data, capsys):
    """No list of suites: a third stand-in binary is a third suite, run after json and cache (suites.ORDER,
    then alphabetical); --data picks the suites by the suffixes they describe."""
    traces = tmp_path / "traces"
    traces.mkdir()
    (traces / "t.csv").write_text("key\na\n")
    fake_binary(tmp_path / "build", suite="abc", suffixes=())
    assert run(tmp_path, data, "--data", str(traces), "--quick") == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert list(meta["suites"]) == ["json", "cache"]  # abc reads no files: not part of a run on data files
    assert meta["suites"]["cache"]["description"]["data"]["suffixes"] == [".csv"]
    assert any(a.endswith("t.csv") for a in meta["suites"]["cache"]["command"])
    assert not any(a.endswith(".json") for a in meta["suites"]["cache"]["command"])
    shutil.rmtree(tmp_path / "results")
    assert cli.main(["run", "--build-dir", str(tmp_path / "build"), "--suite", "abc", "--suite", "cache",
                     "--output", str(tmp_path / "results"), "--quick"]) == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    assert list(json.loads((run_dir / "metadata.json").read_text())["suites"]) == ["cache", "abc"]


def test_missing_or_empty_data_folder(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert run(tmp_path, tmp_path / "empty") == 4
    assert "empty: no dataset files in this folder (dataset suffixes: json: .json .jsonl" in capsys.readouterr().err
    assert run(tmp_path, tmp_path / "missing") == 4
    assert "no such file or folder" in capsys.readouterr().err


def test_unwritable_results_folder(tmp_path, data, capsys):
    blocker = tmp_path / "results"
    blocker.write_text("a file where the results folder should be")
    assert run(tmp_path, data) == 4
    assert "cannot create a result set in" in capsys.readouterr().err


def test_missing_binary_says_how_to_build(tmp_path, data, capsys):
    assert cli.main(["run", "--build-dir", str(tmp_path / "nobuild"), "--data", str(data)]) == 4
    assert "no suite binary (hotbench_<suite>) built there (./hotbench run builds them" in capsys.readouterr().err


def test_repetitions_in_separate_processes(tmp_path, data, capsys):
    assert run(tmp_path, data, "--processes", "2", "--repetitions", "3") == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    assert sorted(p.name for p in (run_dir / "raw").iterdir()) == ["json-p1.json", "json.json"]
    rows = tidy.read_csv(run_dir / "results.csv")
    assert {r["process"] for r in rows} == {0, 1} and len(rows) == 24
    meta = json.loads((run_dir / "metadata.json").read_text())
    assert "--benchmark_enable_random_interleaving=true" in meta["benchmark_args"]


def test_suite_settings_reach_that_suites_binary_only(tmp_path, data, capsys):
    assert run(tmp_path, data, "--quick", "--set", "json.colour=blue") == 0
    (run_dir,) = (tmp_path / "results").iterdir()
    command = json.loads((run_dir / "metadata.json").read_text())["suites"]["json"]["command"]
    assert "--hotbench_set=colour=blue" in command


def _suite_with(tmp_path: pathlib.Path, name: str, datasets: list[str]):
    from hotbench import runner
    folder = tmp_path / f"{name}-data"
    folder.mkdir()
    for d in datasets:
        (folder / f"{d}.jsonl").write_text("{}\n")
    suite = runner.Suite(name, tmp_path / f"hotbench_{name}", stand_in_description(
        name, (".jsonl",), (str(folder),)))
    return suite, suite.binary, runner.discover([folder], suite.suffixes), []


def test_dataset_names_pick_the_suites_that_have_them(tmp_path, capsys):
    """`--dataset orders` without --suite runs the suites that have `orders` (a user should not have to know
    which suite holds which file); a suite that --suite names must have one; a name nobody has is refused."""
    import argparse

    from hotbench import runner
    from hotbench.errors import HotbenchError

    plan = [_suite_with(tmp_path, "json", ["orders", "social"]), _suite_with(tmp_path, "cache", ["requests"]),
            _suite_with(tmp_path, "serial", ["orders", "events"])]
    args = argparse.Namespace(dataset=["orders"], suite=[])
    narrowed = runner.narrow_to_datasets(args, plan, 1.0)
    assert [(s.name, [f.stem for f in files]) for s, _, files, _ in narrowed] == [("json", ["orders"]),
                                                                                  ("serial", ["orders"])]
    assert "cache: none of the named datasets, not run" in capsys.readouterr().err
    with pytest.raises(HotbenchError, match="the cache suite has none of the dataset"):
        runner.narrow_to_datasets(argparse.Namespace(dataset=["orders"], suite=["cache"]), plan, 1.0)
    with pytest.raises(HotbenchError, match=r"unknown dataset\(s\) nosuch; available: events, orders, requests, "
                                            r"social$"):
        runner.narrow_to_datasets(argparse.Namespace(dataset=["orders", "nosuch"], suite=[]), plan, 1.0)


def test_a_filter_without_suite_runs_the_suites_it_matches(tmp_path, capsys, monkeypatch):
    """`--filter 'json/parse'` without --suite runs the suites with a matching benchmark and says which it left
    out (it used to run json, then stop at the cache suite); a filter that matches nothing is a usage error;
    with --suite the suite's own error stays."""
    import argparse

    from hotbench import runner
    from hotbench.errors import EXIT_USAGE, HotbenchError

    plan = [_suite_with(tmp_path, "json", ["orders"]), _suite_with(tmp_path, "cache", ["requests"])]
    matches = {"json": ["json/parse/x/orders"], "cache": []}
    monkeypatch.setattr(runner, "list_benchmarks", lambda binary, args, timeout_s=None: matches[binary.name[9:]])
    narrowed = runner.narrow_to_filter(argparse.Namespace(filter="json/parse", suite=[]), plan, 1.0)
    assert [s.name for s, *_ in narrowed] == ["json"]
    assert "cache: no benchmark matches --filter, not run" in capsys.readouterr().err
    assert runner.narrow_to_filter(argparse.Namespace(filter="x", suite=["cache"]), plan, 1.0) == plan
    matches["json"] = []
    with pytest.raises(HotbenchError, match="matches no benchmark of json, cache") as e:
        runner.narrow_to_filter(argparse.Namespace(filter="nosuch", suite=[]), plan, 1.0)
    assert e.value.exit_code == EXIT_USAGE
