"""`overhead` (harness vs bare loop) and `gate` (instruction counts vs a baseline)."""

import json
import pathlib
import shutil
import subprocess

import pytest

from hotbench import cli, gate, tidy

ROOT = pathlib.Path(__file__).resolve().parents[2]
CALLGRIND_BINARY = ROOT / "build" / "release" / "counting" / "hotbench_json"


def row(task, library, dataset, rep, time, suite="json", params="", status="ok"):
    library, _, variant = library.partition(":")
    name = f"{suite}/{task}/{library}{':' + variant if variant else ''}/{dataset}{'/' + params if params else ''}"
    return {"schema_version": 1, "run_id": "r", "benchmark": name, "suite": suite, "task": task, "library": library,
            "variant": variant, "dataset": dataset, "params": params, "threads": 1, "repetition": rep, "process": 0,
            "status": status, "error_message": "", "label": "", "iterations": 10, "real_time_ns": time,
            "cpu_time_ns": time}


def test_overhead_reports_harness_over_bare(tmp_path, capsys):
    rows = [row("parse", "lib", "d", i, 110.0 + i) for i in range(5)]
    rows += [row("parse_bare", "lib", "d", i, 100.0 + i) for i in range(5)]
    tidy.write_csv(tmp_path / "r.csv", rows)
    assert cli.main(["overhead", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "lib" in out and "1.098" in out  # median 112 / median 102


def test_overhead_pairs_every_task_with_its_bare_twin_by_the_rest_of_the_name(tmp_path, capsys):
    """One rule for every suite: <suite>/<task>_bare/... pairs with <suite>/<task>/... of the same implementation,
    dataset and parameters; a bare row without a twin, a twin of another suite, task or codec, and error rows
    are not paired."""
    rows = []
    for rep in range(3):
        rows += [row("encode", "capnproto:packed", "orders", rep, 102.0, suite="serial"),
                 row("encode_bare", "capnproto:packed", "orders", rep, 100.0, suite="serial"),
                 row("decode", "capnproto:packed", "orders", rep, 106.0, suite="serial"),
                 row("decode_bare", "capnproto:packed", "orders", rep, 100.0, suite="serial"),
                 # the same format with a codec: paired with its own codec's row only
                 row("encode", "capnproto:packed", "orders", rep, 300.0, suite="serial", params="compression=zstd"),
                 row("encode_bare", "capnproto:packed", "orders", rep, 200.0, suite="serial",
                     params="compression=zstd"),
                 row("decode_bare", "capnproto:packed", "orders", rep, 1.0, suite="serial", params="compression=lz4"),
                 row("decode_bare", "capnproto:packed", "events", rep, 1.0, suite="serial"),
                 row("parse_bare", "capnproto:packed", "orders", rep, 1.0, suite="json"),
                 row("decode", "protobuf", "orders", rep, 100.0, suite="serial"),
                 row("decode_bare", "protobuf", "orders", rep, 1.0, suite="serial", status="error"),
                 row("parse", "lib", "d", rep, 110.0), row("parse_bare", "lib", "d", rep, 100.0)]
    tidy.write_csv(tmp_path / "r.csv", rows)
    assert cli.main(["overhead", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    lines = [line.split() for line in out.splitlines()]
    pairs = [line[:4] for line in lines[2:] if line and "/" in line[0]]
    assert pairs == [["json/parse", "lib", "d", "1.100"],
                     ["serial/decode", "capnproto:packed", "orders", "1.060"],
                     ["serial/encode", "capnproto:packed", "orders", "1.020"],
                     ["serial/encode", "capnproto:packed", "orders/compression=zstd", "1.500"]]
    summary = {(line[0], line[1]): line[2:5] for line in lines if line and line[0] in ("json", "serial")}
    # per suite and implementation: the geometric mean of its pairs, the worst, how many
    assert summary[("serial", "capnproto:packed")] == [f"{(1.02 * 1.06 * 1.5) ** (1 / 3):.3f}", "1.500", "3"]
    assert summary[("json", "lib")] == ["1.100", "1.100", "1"]


def test_overhead_without_bare_rows_is_bad_input(tmp_path, capsys):
    tidy.write_csv(tmp_path / "r.csv", [row("parse", "lib", "d", 0, 1.0)])
    assert cli.main(["overhead", str(tmp_path / "r.csv")]) == 3
    assert "run with --overhead" in capsys.readouterr().err
    tidy.write_csv(tmp_path / "r.csv", [row("parse_bare", "lib", "d", 0, 1.0)])  # a bare row alone: no pair
    assert cli.main(["overhead", str(tmp_path / "r.csv")]) == 3


needs_build = pytest.mark.skipif(not CALLGRIND_BINARY.exists() or not shutil.which("valgrind"),
                                 reason="needs build/release/counting/hotbench_json and valgrind (./hotbench test builds it)")


@pytest.fixture
def small_subset(monkeypatch):
    only = {"json": r"^json/parse/(simdjson:dom|nlohmann)/orders"}
    monkeypatch.setattr(gate, "subset", lambda build_dir=gate.BUILD: only)


@needs_build
def test_gate_passes_against_its_own_baseline_and_catches_a_regression(tmp_path, small_subset, capsys):
    baseline = tmp_path / "baseline"
    assert cli.main(["gate", "--baseline", str(baseline), "--update-baseline"]) == 0
    assert (baseline / "results.csv").exists()
    assert cli.main(["gate", "--baseline", str(baseline)]) == 0
    assert "2 pass" in capsys.readouterr().out

    # The baseline made 5 % cheaper: the current build now looks 5 % worse, beyond the 1 % threshold.
    rows = tidy.read_csv(baseline / "results.csv")
    for r in rows:
        if "nlohmann" in r["benchmark"]:
            r["instructions_per_op"] *= 0.95
    tidy.write_csv(baseline / "results.csv", rows)
    assert cli.main(["gate", "--baseline", str(baseline), "-o", str(tmp_path / "gate.xml")]) == 1
    assert "regression" in capsys.readouterr().out
    assert "<failure" in (tmp_path / "gate.xml").read_text()


@needs_build
def test_gate_not_comparable_rebuilds_the_baseline_commit(tmp_path, small_subset, capsys, monkeypatch):
    """A baseline from another compiler: the gate counts the baseline's commit (here: the current build
    stands in for that commit built in a worktree) and compares; a dirty baseline cannot be rebuilt (2)."""
    baseline = tmp_path / "baseline"
    assert cli.main(["gate", "--baseline", str(baseline), "--update-baseline"]) == 0
    meta = json.loads((baseline / "metadata.json").read_text())
    meta["build"]["compiler"] = "11.0.0"
    meta["git"] = {"commit": "HEAD", "dirty": False}
    (baseline / "metadata.json").write_text(json.dumps(meta))
    asked = []
    monkeypatch.setattr(gate, "count_at", lambda ref, results: asked.append(ref) or gate.count_current(results))
    capsys.readouterr()
    assert cli.main(["gate", "--baseline", str(baseline)]) == 0
    out = capsys.readouterr().out
    assert asked == ["HEAD"] and "made by a different build" in out and "compiler" in out
    assert "baseline rebuilt: commit" in out and "2 benchmarks checked: 2 pass" in out

    meta["git"]["dirty"] = True
    (baseline / "metadata.json").write_text(json.dumps(meta))
    assert cli.main(["gate", "--baseline", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert "uncommitted changes" in err and gate.REFRESH in err


@needs_build
def test_gate_against_a_commit_counts_it_here_and_compares(tmp_path, small_subset, capsys, monkeypatch):
    """--against REF: REF counted in a worktree (here the current build stands in for it), then the
    working tree, checked against it; --against with --update-baseline is a usage error."""
    asked = []
    monkeypatch.setattr(gate, "count_at", lambda ref, results: asked.append(ref) or gate.count_current(results))
    assert cli.main(["gate", "--against", "HEAD"]) == 0
    out = capsys.readouterr().out
    head = subprocess.run(["git", "-C", str(gate.ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    assert asked == [head]
    assert f"commit {head[:12]} (HEAD) counted here" in out and "2 benchmarks checked: 2 pass" in out
    assert cli.main(["gate", "--against", "HEAD", "--update-baseline"]) == 4
    assert "do not go together" in capsys.readouterr().err


def test_the_default_against_is_the_merge_base_with_main(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    git = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True, text=True).stdout
    repo.mkdir()
    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "base")
    base = git("rev-parse", "HEAD").strip()
    git("checkout", "-q", "-b", "feature")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "change")
    monkeypatch.setattr(gate, "ROOT", repo)
    assert gate.merge_base() == base
    git("branch", "-q", "-m", "main", "trunk")  # no main branch: say so
    with pytest.raises(gate.CannotTell, match="--against REF"):
        gate.merge_base()
