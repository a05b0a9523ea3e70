"""`history steps` (the detector against the truth of exact series) and `history backfill` (counting
commits already made, oldest first, resumable)."""

import csv
import pathlib
import shutil

import pytest

from hotbench import cli, gate, history_backfill, history_changes, history_steps, history_store
from hotbench.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE

from test_history import add, gbench_json

BASELINE = pathlib.Path(__file__).resolve().parents[2] / "results" / "baseline-instructions"
COMMITS = [f"{c:04d}" + "d" * 36 for c in range(40)]


def parse_count(c: int) -> float:
    """+5 % at commit 10; -0.05 % at 20 (under the detector's limit); +3 % for commit 30 only (back at 31)."""
    value = 1000.0 * (1.05 if c >= 10 else 1.0)
    value *= 0.9995 if c >= 20 else 1.0
    return value * (1.03 if c == 30 else 1.0)


def test_each_step_of_an_exact_series_is_found_or_missed_for_a_stated_reason(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    for c, commit in enumerate(COMMITS):
        source = gbench_json(tmp_path / f"run{c}.json", {
            "BM_Parse": [{"instructions": parse_count(c)}] * 3,
            "BM_Flat": [{"instructions": 77.0}] * 3,
            # a timed series: its repetitions differ, so it has no ground truth and is left out
            "BM_Timed": [{"instructions": 100.0 + c % 3 + r} for r in range(3)]})
        assert add(db, source, "--commit", commit) == EXIT_OK
    store = history_store.open_store(db)
    try:
        steps, false_changes, exact = history_steps.steps(history_changes.load(store, ["instructions"]))
    finally:
        store.close()
    assert exact == 2 and false_changes == []
    verdicts = [(COMMITS.index(st.commit_after), st.verdict) for st in steps]
    assert verdicts == [(10, history_steps.FOUND), (20, history_steps.UNDER_LIMIT),
                        (30, history_steps.TOO_CLOSE.format(n=2)), (31, history_steps.TOO_CLOSE.format(n=2))]
    assert steps[0].change == pytest.approx(0.05)
    output = tmp_path / "steps.md"
    capsys.readouterr()
    assert cli.main(["history", "steps", "--db", str(db), "--metric", "instructions", "-o", str(output)]) == EXIT_OK
    text = output.read_text()
    assert text == capsys.readouterr().out
    assert "2 exact series, 4 steps between consecutive runs, at 4 commits; 0 change point(s) at no step" in text
    assert f"| {COMMITS[10][:10]} |  | 1 | 1 | 0 | +5 % BM_Parse |" in text
    assert "Commits at which no exact series moved (35):" in text  # 39 after the first, 4 with steps


def fake_counts(tmp_path: pathlib.Path, uncountable: set[str], counted: list[str]):
    """count_at's stand-in: a Google Benchmark file of the commit's counts; CannotTell for `uncountable`."""
    def count_at(commit, results, run, output_at):
        counted.append(commit)
        if commit in uncountable:
            raise gate.CannotTell("its build failed here")
        return counted_result_set(results / f"counts-{commit[:12]}", parse_count(COMMITS.index(commit)) / 1000,
                                  f"run-of-{commit[:12]}")
    return count_at


def counted_result_set(dest: pathlib.Path, factor: float, run_id: str) -> pathlib.Path:
    """The committed gate baseline with every instruction count multiplied by `factor` and its own run id: what
    a commit's gate --update-baseline writes."""
    shutil.copytree(BASELINE, dest)
    with open(BASELINE / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["run_id"] = run_id
        if r["instructions_per_op"]:
            r["instructions_per_op"] = repr(float(r["instructions_per_op"]) * factor)
    with open(dest / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return dest


def test_backfill_adds_commits_oldest_first_names_each_gap_and_resumes(tmp_path, capsys):
    store = history_store.open_store(tmp_path / "h.sqlite")
    try:
        counted = []
        commits = COMMITS[:12]
        gaps = history_backfill.backfill(store, commits, "main", tmp_path / "logs",
                                         count_at=fake_counts(tmp_path, {COMMITS[3]}, counted))
        assert gaps == 1 and counted == commits
        out = capsys.readouterr().out
        assert f"4/12 {COMMITS[3][:12]}: not counted: its build failed here" in out
        assert [r["commit_sha"] for r in history_store.runs(store)] == [c for c in commits if c != COMMITS[3]]
        assert sorted(p.name for p in (tmp_path / "logs").iterdir() if p.is_dir()) == \
            sorted(c[:12] for c in commits if c != COMMITS[3])  # each count kept, no scratch folder left
        # run again: only the gap is counted again
        counted.clear()
        assert history_backfill.backfill(store, commits, "main", tmp_path / "logs",
                                         count_at=fake_counts(tmp_path, set(), counted)) == 0
        assert counted == [COMMITS[3]]
        assert f"1/12 {COMMITS[0][:12]}: already in the history" in capsys.readouterr().out
        # a new history of the same range: every count kept is added, none counted again
        other = history_store.open_store(tmp_path / "h2.sqlite")
        try:
            assert history_backfill.backfill(other, commits, "main", tmp_path / "logs",
                                             count_at=fake_counts(tmp_path, set(), counted)) == 0
            assert counted == [COMMITS[3]]
            assert f"2/12 {COMMITS[1][:12]}: counts kept in " in capsys.readouterr().out
            assert [r["commit_sha"] for r in history_store.runs(other)] == commits
        finally:
            other.close()
        # a history holding another commit's run would put it before the backfilled ones: refused
        with pytest.raises(history_backfill.BadInput, match="outside the range"):
            history_backfill.backfill(store, COMMITS[20:22], "main", tmp_path / "logs",
                                      count_at=fake_counts(tmp_path, set(), counted))
    finally:
        store.close()


def test_backfill_of_a_range_git_does_not_know_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["history", "backfill", "no-such-ref..neither", "--db", str(tmp_path / "h.sqlite")]) == EXIT_USAGE
    assert "not a revision range git knows" in capsys.readouterr().err


def test_backfill_of_a_history_with_other_commits_is_bad_input(tmp_path, capsys):
    db = tmp_path / "h.sqlite"
    assert add(db, gbench_json(tmp_path / "a.json", {"BM_X": [{"instructions": 1.0}]}), "--commit", "e" * 40) == 0
    assert cli.main(["history", "backfill", "HEAD", "--db", str(db)]) == EXIT_BAD_INPUT
    assert "outside the range" in capsys.readouterr().err
