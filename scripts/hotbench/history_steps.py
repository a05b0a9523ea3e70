"""`hotbench history steps`: the change-point detector checked against the truth of exact series.

An instruction count is exact (every repetition of a run gives the same number), so in an exact series
every difference between two consecutive runs is a real change of the code counted (or of its memory
layout), not noise. That makes it a ground truth for `history changes`: each such step is either
found (a change point at its commit), or missed for a reason the detector's rules give (changepoints:
under MIN_CHANGE; fewer than MIN_POINTS runs on one side, as a step back at the next commit or a step at
either end of the series), and each change point that is not at a step is a false one.

Input: a history store (history_changes.load). Output: `Step` records, and a text or Markdown report:
the counts, then one line per step (its series, commits, size and verdict) and per false change point.
Series with a run whose repetitions differ (timed series) have no such truth and are left out.
"""

import dataclasses
import statistics

from . import changepoints, history_changes

FOUND = "found"
UNDER_LIMIT = "missed: under the detector's smallest change"
TOO_CLOSE = "missed: fewer than {n} runs on one side before the next step or the end"
NOT_FOUND = "missed"


@dataclasses.dataclass
class Step:
    benchmark: str
    threads: int
    metric: str
    commit_before: str
    commit_after: str
    value_before: float
    value_after: float
    verdict: str

    @property
    def change(self) -> float:
        return self.value_after / self.value_before - 1 if self.value_before else float("inf")


def exact_points(points) -> list[float] | None:
    """The value of each run of a series when every run's values are equal, else None."""
    out = []
    for _, values in points:
        if not values or max(values) != min(values):
            return None
        out.append(values[0])
    return out


def steps(found: history_changes.History) -> tuple[list[Step], list[history_changes.ChangePoint], int]:
    """(every step of every exact series with its verdict, the change points at no step, exact series read)."""
    changes_at = {(c.series_key, c.run_key) for c in found.changes}
    out, exact_series, at_steps = [], 0, set()
    for s in found.series:
        run_points = found.points[s["series_key"]]
        values = exact_points(run_points)
        if values is None or len(values) < 2:
            continue
        exact_series += 1
        moves = [i for i in range(1, len(values)) if values[i] != values[i - 1]]
        for n, i in enumerate(moves):
            key = (s["series_key"], run_points[i][0])
            previous = moves[n - 1] if n else 0
            following = moves[n + 1] if n + 1 < len(moves) else len(values)
            if key in changes_at:
                verdict = FOUND
                at_steps.add(key)
            elif values[i - 1] and abs(values[i] / values[i - 1] - 1) < changepoints.MIN_CHANGE:
                verdict = UNDER_LIMIT
            elif min(i - previous, following - i) < changepoints.MIN_POINTS:
                verdict = TOO_CLOSE.format(n=changepoints.MIN_POINTS)
            else:
                verdict = NOT_FOUND
            out.append(Step(s["benchmark"], s["threads"], s["metric"], found.runs[run_points[i - 1][0]]["commit_sha"],
                            found.runs[run_points[i][0]]["commit_sha"], values[i - 1], values[i], verdict))
    false_changes = [c for c in found.changes if (c.series_key, c.run_key) not in at_steps
                     and exact_points(found.points[c.series_key]) is not None]
    return out, false_changes, exact_series


def report(found: history_changes.History, db_name: str, subjects: dict | None = None) -> str:
    """Markdown: the counts by verdict, then each commit with steps (`subjects`: commit -> what it was), each
    false change point, and the commits at which no exact series moved."""
    all_steps, false_changes, exact_series = steps(found)
    subjects = subjects or {}
    by_verdict = {}
    for st in all_steps:
        by_verdict.setdefault(st.verdict, []).append(st)
    commits = sorted({st.commit_after for st in all_steps}, key=lambda c: found_order(found, c))
    lines = [f"# Steps of the exact series in {db_name}", "",
             f"{exact_series} exact series, {len(all_steps)} steps between consecutive runs, at {len(commits)} "
             f"commits; {len(false_changes)} change point(s) at no step.", ""]
    for verdict, group in sorted(by_verdict.items()):
        sizes = [abs(st.change) * 100 for st in group]
        lines.append(f"- {verdict}: {len(group)} (|change| {min(sizes):.3g}-{max(sizes):.3g} %, "
                     f"median {statistics.median(sizes):.3g} %)")
    lines += ["", "| commit | subject | steps | found | missed (why) | largest change |", "| --- | --- | --- | --- | --- | --- |"]
    for commit in commits:
        group = [st for st in all_steps if st.commit_after == commit]
        missed = [st for st in group if st.verdict != FOUND]
        why = "; ".join(f"{sum(1 for st in missed if st.verdict == v)} {v.removeprefix('missed: ')}"
                        for v in sorted({st.verdict for st in missed}))
        largest = max(group, key=lambda st: abs(st.change))
        lines.append(f"| {commit[:10]} | {subjects.get(commit, '').replace('|', '/')} | {len(group)} | "
                     f"{len(group) - len(missed)} | {len(missed)}{f' ({why})' if why else ''} | "
                     f"{largest.change * 100:+.3g} % {largest.benchmark} |")
    if false_changes:
        lines += ["", "Change points at no step:", ""]
        lines += [f"- {c.title} at {history_changes.commits_text(c)}: {history_changes.change_text(c)}"
                  for c in false_changes]
    runs_in_order = sorted(found.runs.values(), key=lambda r: r["run_key"])[1:]
    still = [r["commit_sha"] for r in runs_in_order if r["commit_sha"] not in set(commits)]
    if still:
        lines += ["", f"Commits at which no exact series moved ({len(still)}):", ""]
        lines += [f"- {(c or 'unknown')[:10]} {subjects.get(c, '')}" for c in still]
    return "\n".join(lines) + "\n"


def found_order(found: history_changes.History, commit: str) -> int:
    """The ingest position of a commit's first run."""
    return min(k for k, r in found.runs.items() if r["commit_sha"] == commit)
