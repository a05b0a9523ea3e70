"""The fixture suite (bench/fixture), added the documented way only (docs/adding.md: its folder, one line in
CMakeLists.txt, no Python), through every step a suite goes through: run, report (CSV and HTML), plot,
compare, the instruction-count gate (a baseline made, then checked) and smoke. Nothing here names the
fixture's libraries or metrics: they come from its binary's description, as for any suite."""

import argparse
import json
import pathlib

from hotbench import check, cli, describe, gate, runner, tidy

from conftest import require_built

ROOT = pathlib.Path(__file__).resolve().parents[2]
RELEASE = ROOT / "build" / "release"
COUNTING = RELEASE / "counting"
SUITE = "fixture"


def binary_in(build: pathlib.Path) -> pathlib.Path:
    return require_built(build / f"{describe.BINARY_PREFIX}{SUITE}")


def run_fixture(results: pathlib.Path) -> pathlib.Path:
    assert cli.main(["run", "--suite", SUITE, "--quick", "--build-dir", str(RELEASE), "-o", str(results)]) == 0
    (run_dir,) = [p for p in results.iterdir() if p.is_dir()]
    return run_dir


def test_the_fixture_suite_goes_through_run_report_plot_compare_and_smoke(tmp_path):
    description = describe.of_binary(binary_in(RELEASE), "quick")
    assert description["default_run"] is False  # only with --suite: the default run stays the real suites
    implementations = description["tasks"][0]["implementations"]
    assert len(implementations) >= 3

    a, b = run_fixture(tmp_path / "a"), run_fixture(tmp_path / "b")
    rows = tidy.read_csv(a / "results.csv")
    assert {r["library"] for r in rows} == set(implementations)
    assert all(r["status"] == "ok" and r["input_mb_per_s"] > 0 for r in rows)
    declared = {m["name"] for m in description["metrics"] if m["from"] == "suite"}
    assert declared and all(all(r.get(m) is not None for m in declared) for r in rows)
    recorded = json.loads((a / "metadata.json").read_text())["suites"][SUITE]["description"]
    assert recorded["suite"] == SUITE

    assert cli.main(["report", str(a), "-o", str(tmp_path / "report.html")]) == 0
    html = (tmp_path / "report.html").read_text()
    assert all(i in html for i in implementations)
    assert cli.main(["report", str(a), "--aggregate", "-o", str(tmp_path / "aggregate.csv")]) == 0

    assert cli.main(["plot", str(a), "-o", str(tmp_path / "plots")]) == 0
    figures = sorted(p.name for p in (tmp_path / "plots").glob(f"{SUITE}_*.png"))
    assert figures, sorted(p.name for p in (tmp_path / "plots").iterdir())

    # Two quick runs of the same build: compared benchmark by benchmark (a verdict per row, no refusal).
    assert cli.main(["compare", str(a), str(b), "-o", str(tmp_path / "compare.csv")]) in (0, 1, 2)
    compared = (tmp_path / "compare.csv").read_text()
    assert all(f"{SUITE}/sum/{i}/" in compared for i in implementations)

    assert cli.main(["smoke", "--suite", SUITE, "--binary", str(binary_in(RELEASE))]) == 0


def test_a_rows_only_smoke_run_checks_the_rows_and_starts_no_refusal(monkeypatch, capsys):
    """The sanitizer presets' smoke runs (CMakeLists.txt passes --rows-only): every row is checked as in
    the release preset's run, and the usage refusals are counted, not run (the release run runs them)."""
    from hotbench import smoke

    listed_args = []
    real_refusal = smoke.refusal
    monkeypatch.setattr(smoke, "refusal", lambda binary, *args: listed_args.append(args) or real_refusal(binary, *args))
    assert cli.main(["smoke", "--suite", SUITE, "--binary", str(binary_in(RELEASE)), "--rows-only"]) == 0
    said = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(listed_args) == 1 and not any("no_such" in a for a in listed_args[0])  # only the listing itself
    left = int(said.split("(")[1].split()[0])
    assert said.startswith(f"smoke {SUITE}: ") and " 0 failed" in said and left >= 8, said
    capsys.readouterr()
    listed_args.clear()
    assert cli.main(["smoke", "--suite", SUITE, "--binary", str(binary_in(RELEASE))]) == 0
    assert len(listed_args) == left + 1  # without --rows-only: each refusal a process of its own


def test_the_gate_counts_the_fixture_suite_and_passes_an_unchanged_build(tmp_path):
    binary_in(COUNTING)
    filters = {SUITE: gate.subset(COUNTING)[SUITE]}  # its own subset, from its description

    def count_fixture(results: pathlib.Path) -> pathlib.Path:
        data = runner.ensure_corpus("tiny")[0].parent
        runner.main(gate.runner_arguments(results, data, filters, COUNTING))
        (run_dir,) = [p for p in results.iterdir() if p.is_dir()]
        return run_dir

    def never(commit, dest):
        raise AssertionError("an unchanged build must be comparable with its own baseline")

    baseline = tmp_path / "baseline"
    args = argparse.Namespace(baseline=baseline, update_baseline=True, junit=None, markdown=None,
                              policy=check.DEFAULT_POLICY, against=None, db=None)
    assert gate.run_gate(args, count_current=count_fixture, count_at=never) == 0
    counted = tidy.read_csv(baseline / "results.csv")
    assert counted and all(r["suite"] == SUITE and r["instructions_per_op"] > 0 for r in counted)
    args.update_baseline, args.junit = False, tmp_path / "gate.xml"
    assert gate.run_gate(args, count_current=count_fixture, count_at=never) == 0
    assert (tmp_path / "gate.xml").read_text().count("<testcase") == len(counted)
