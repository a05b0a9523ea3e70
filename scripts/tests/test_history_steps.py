"""`history steps` (the detector against the truth of exact series) and `history backfill` (counting
commits already made, oldest first, resumable)."""

import csv
import json
import pathlib
import shutil

import pytest

from hotbench import cli, gate, history_backfill, history_changes, history_steps, history_store
from hotbench.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_UNRESOLVED, EXIT_USAGE

from test_history import add, gbench_json

BASELINE = pathlib.Path(__file__).resolve().parents[2] / "results" / "baseline-instructions"
COMMITS = [f"{c:04d}" + "d" * 36 for c in range(40)]


def parse_count(c: int) -> float:
    """+5 % at commit 10; -0.05 % at 20 (under the detector's limit); +3 % for commit 30 only (back at 31)."""
    value = 1000.0 * (1.05 if c >= 10 else 1.0)
    value *= 0.9995 if c >= 20 else 1.0
    return value * (1.03 if c == 30 else 1.0)


def stepped_history(tmp_path) -> pathlib.Path:
    db = tmp_path / "h.sqlite"
    for c, commit in enumerate(COMMITS):
        benchmarks = {
            "BM_Parse": [{"instructions": parse_count(c)}] * 3,
            "BM_Flat": [{"instructions": 77.0}] * 3,
            "BM_Acknowledged": [{"instructions": 500.0 * (1.05 if c >= 15 else 1.0)}] * 3,
            "BM_First": [{"instructions": 300.0 if c == 0 else 330.0}] * 3,  # a step after the first run only
            # a timed series: its repetitions differ, so it has no ground truth and is left out
            "BM_Timed": [{"instructions": 100.0 + c % 3 + r} for r in range(3)]}
        if not 5 <= c < 10:  # missing from five runs, with a step across them
            benchmarks["BM_Gap"] = [{"instructions": 700.0 if c < 5 else 707.0}] * 3
        assert add(db, gbench_json(tmp_path / f"run{c}.json", benchmarks), "--commit", commit) == EXIT_OK
    return db


def test_each_step_of_an_exact_series_is_found_or_missed_for_a_stated_reason(tmp_path, capsys):
    db = stepped_history(tmp_path)
    capsys.readouterr()
    assert cli.main(["history", "changes", "--db", str(db), "--json"]) == EXIT_OK
    acknowledged = [c["change_id"] for c in json.loads(capsys.readouterr().out)["changes"]
                    if c["benchmark"] == "BM_Acknowledged"]
    assert len(acknowledged) == 1
    assert cli.main(["history", "triage", acknowledged[0], "--db", str(db), "--state", "acknowledged"]) == EXIT_OK
    store = history_store.open_store(db)
    try:
        steps, false_changes, exact = history_steps.steps(history_changes.load(store, history_steps.METRICS))
    finally:
        store.close()
    assert exact == 5 and false_changes == []
    verdicts = {(st.benchmark, COMMITS.index(st.commit_after)): st.verdict for st in steps}
    too_close = history_steps.TOO_CLOSE.format(n=2)
    assert verdicts == {("BM_Parse", 10): history_steps.FOUND, ("BM_Parse", 20): history_steps.UNDER_LIMIT,
                        ("BM_Parse", 30): too_close, ("BM_Parse", 31): too_close,
                        ("BM_Acknowledged", 15): history_steps.ACKNOWLEDGED,
                        # the detector's split cannot go after one run: it places this change one run late
                        ("BM_First", 1): history_steps.DISPLACED.format(k=1),
                        ("BM_Gap", 10): history_steps.FOUND}
    gap = next(st for st in steps if st.benchmark == "BM_Gap")
    assert (COMMITS.index(gap.commit_before), gap.runs_spanned) == (4, 6)
    assert next(st for st in steps if st.benchmark == "BM_Parse").change == pytest.approx(0.05)

    output = tmp_path / "steps.md"
    capsys.readouterr()
    assert cli.main(["history", "steps", "--db", str(db), "-o", str(output)]) == EXIT_OK
    text = output.read_text()
    assert text == capsys.readouterr().out
    assert "5 exact series (instructions), 7 steps between consecutive runs, at 6 commits; 0 change point(s)" in text
    assert f"| {COMMITS[10][:10]} (span of 6 runs) |  | 2 | 2 | 0 | +5 % BM_Parse |" in text
    assert f"- {COMMITS[29][:10]}..{COMMITS[30][:10]} BM_Parse instructions +3 %: {too_close}" in text
    assert "Commits at which no exact series moved (33):" in text  # 39 after the first, 6 with steps


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
    commits, work = COMMITS[:12], tmp_path / "work"
    runs = lambda store: [r["commit_sha"] for r in history_store.runs(store)]  # noqa: E731
    store = history_store.open_store(tmp_path / "h.sqlite")
    try:
        counted = []
        gaps = history_backfill.backfill(store, commits, "main", work,
                                         count_at=fake_counts(tmp_path, {COMMITS[3], COMMITS[11]}, counted))
        assert gaps == 2 and counted == commits
        out = capsys.readouterr().out
        assert f"4/12 {COMMITS[3][:12]}: not counted: its build failed here" in out
        assert runs(store) == [c for c in commits if c not in (COMMITS[3], COMMITS[11])]
        assert sorted(p.name for p in work.iterdir() if p.is_dir()) == \
            sorted(c[:12] for c in commits if c not in (COMMITS[3], COMMITS[11]))  # counts kept, no scratch left
        # run again: the last commit is counted; commit 3, older than commits in the history, stays a gap
        counted.clear()
        assert history_backfill.backfill(store, commits, "main", work,
                                         count_at=fake_counts(tmp_path, set(), counted)) == 1
        out = capsys.readouterr().out
        assert counted == [COMMITS[11]] and f"1/12 {COMMITS[0][:12]}: already in the history" in out
        assert f"4/12 {COMMITS[3][:12]}: not added: the newer commit {COMMITS[10][:12]} is already in" in out
        assert runs(store) == [c for c in commits if c != COMMITS[3]]
        # --kept-only: the kept counts are added, nothing is counted, commit 3 is a gap
        counted.clear()
        partial = history_store.open_store(tmp_path / "h3.sqlite")
        try:
            assert history_backfill.backfill(partial, commits, "main", work, count=False,
                                             count_at=fake_counts(tmp_path, set(), counted)) == 1
            assert counted == [] and runs(partial) == [c for c in commits if c != COMMITS[3]]
            assert f"4/12 {COMMITS[3][:12]}: not added: no counts kept in {work} (--kept-only)" in \
                capsys.readouterr().out
        finally:
            partial.close()
        # a new history of the same range: every count kept is added, only the gap is counted, all in order
        other = history_store.open_store(tmp_path / "h2.sqlite")
        try:
            assert history_backfill.backfill(other, commits, "main", work,
                                             count_at=fake_counts(tmp_path, set(), counted)) == 0
            assert counted == [COMMITS[3]]
            assert f"2/12 {COMMITS[1][:12]}: counts kept in " in capsys.readouterr().out
            assert runs(other) == commits
        finally:
            other.close()
        # a history holding another commit's run would put it before the backfilled ones: refused
        with pytest.raises(history_backfill.BadInput, match="outside the range"):
            history_backfill.backfill(store, COMMITS[20:22], "main", work, count_at=fake_counts(tmp_path, set(), counted))
        # and so is one whose runs are not in the range's order
        with pytest.raises(history_backfill.BadInput, match=f"{COMMITS[11][:12]}, added after the newer {COMMITS[10][:12]}"):
            history_backfill.backfill(store, [COMMITS[11], *COMMITS[:11]], "main", work,
                                      count_at=fake_counts(tmp_path, set(), counted))
    finally:
        store.close()


def test_a_commit_that_cannot_be_counted_leaves_the_backfill_unresolved(tmp_path, capsys, monkeypatch):
    def cannot(commit, results, run, output_at):
        raise gate.CannotTell(f"counting commit {commit[:12]} failed (its output is {output_at})")
    monkeypatch.setattr(gate, "count_at", cannot)
    work = tmp_path / "work"
    assert cli.main(["history", "backfill", "HEAD", "--db", str(tmp_path / "h.sqlite"), "--work", str(work)]) == \
        EXIT_UNRESOLVED
    out = capsys.readouterr().out
    assert "1/1 " in out and f"not counted: counting commit" in out and f"(its output is in {work}/" in out
    assert "0 of 1 commits in " in out and "1 could not be counted or added" in out


def test_backfill_of_a_range_git_does_not_know_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["history", "backfill", "no-such-ref..neither", "--db", str(tmp_path / "h.sqlite")]) == EXIT_USAGE
    assert "not a revision range git knows" in capsys.readouterr().err


def test_backfill_of_a_history_with_other_commits_is_bad_input(tmp_path, capsys, monkeypatch):
    db = tmp_path / "h.sqlite"
    assert add(db, gbench_json(tmp_path / "a.json", {"BM_X": [{"instructions": 1.0}]}), "--commit", "e" * 40) == 0
    monkeypatch.setattr(gate, "count_at", None)  # refused before anything is counted
    assert cli.main(["history", "backfill", "HEAD", "--db", str(db)]) == EXIT_BAD_INPUT
    assert "outside the range" in capsys.readouterr().err
