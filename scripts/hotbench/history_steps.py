"""`hotbench history steps`: the change-point detector checked against the truth of exact series.

An instruction count is exact (every repetition of a run gives the same number), so in a series of
instruction counts every difference between two consecutive runs is a real change of the code counted
(or of its memory layout), not noise. That makes it a ground truth for `history changes`: each such
step is found (a change point at its run, or displaced by a run where the detector cannot place a
split), acknowledged (a triaged baseline start), or missed, and each miss is named by the stage of
the detector (changepoints.detect) that lost it:
- under MIN_CHANGE: the step itself is under 0.1 %;
- too close: fewer than MIN_POINTS runs between it and a neighbouring step (of at least MIN_CHANGE, or
  a change point) or the series' end, where no split can be placed;
- not proposed: binary segmentation never chose it (its segment's other, unfound steps hide it);
- pruned: proposed, then not significant against the runs between its neighbouring splits;
- under MIN_CHANGE between its neighbouring change points, or dropped by Benjamini-Hochberg.
Each change point at no step is listed as a false one.

Input: a history store (history_changes.load) and the metrics to read (default: the instruction counts,
the only exact ones; a one-repetition timed run would pass for exact). Output: `Step` records, and a
Markdown report: the counts by verdict, one row per commit with steps, one line per step not found,
the false change points and the commits at which no series moved.
"""

import dataclasses
import statistics

from . import changepoints, history_changes

METRICS = ["instructions_per_op", "estimated_cycles_per_op", "instructions"]  # hotbench's and `count`'s, any GB file's
FOUND = "found"
DISPLACED = "found, displaced by {k} run(s)"
ACKNOWLEDGED = "acknowledged (a triaged baseline start)"
UNDER_LIMIT = "missed: under the detector's smallest change (0.1 %)"
TOO_CLOSE = "missed: fewer than {n} runs between it and a neighbouring step or the series' end"
NOT_PROPOSED = "missed: never proposed by the binary segmentation (its segment's unfound steps hide it)"
PRUNED = "missed: pruned (not significant between its neighbouring splits)"
SMALL_BETWEEN = "missed: under 0.1 % between its neighbouring change points"
BH = "missed: dropped by Benjamini-Hochberg"


@dataclasses.dataclass
class Step:
    benchmark: str
    threads: int
    metric: str
    series_key: int
    index: int  # the first run after the step, in the series
    commit_before: str | None
    commit_after: str | None
    runs_spanned: int  # history runs from the one before to the one after: 1 unless the series skipped some
    value_before: float
    value_after: float
    verdict: str = ""

    @property
    def missed(self) -> bool:
        return self.verdict.startswith("missed")

    @property
    def change(self) -> float:
        return self.value_after / self.value_before - 1 if self.value_before else float("nan")


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
    run_order = {k: i for i, k in enumerate(sorted(found.runs))}
    changes = {}
    for c in found.changes:
        changes.setdefault(c.series_key, {})[c.index] = c
    exact = {}
    for s in found.series:
        values = exact_points(found.points[s["series_key"]])
        if values is not None and len(values) >= 2:
            exact[s["series_key"]] = values
    relaxed = {(d.series, d.index) for d in changepoints.detect(
        {k: [[v] for v in values] for k, values in exact.items()}, fdr=found.fdr, starts=found.starts, min_change=0)}
    out, false_changes = [], []
    for s in found.series:
        key = s["series_key"]
        if key not in exact:
            continue
        values, run_keys = exact[key], [k for k, _ in found.points[key]]
        moves = [i for i in range(1, len(values)) if values[i] != values[i - 1]]
        series_steps = [Step(s["benchmark"], s["threads"], s["metric"], key, i,
                             found.runs[run_keys[i - 1]]["commit_sha"], found.runs[run_keys[i]]["commit_sha"],
                             run_order[run_keys[i]] - run_order[run_keys[i - 1]], values[i - 1], values[i])
                        for i in moves]
        unmatched = judge(series_steps, values, changes.get(key, {}), set(found.starts.get(key, ())),
                          {i for k, i in relaxed if k == key}, found.fdr)
        out += series_steps
        false_changes += [changes[key][i] for i in sorted(unmatched)]
    return out, false_changes, len(exact)


def judge(series_steps: list[Step], values: list[float], changes: dict, starts: set[int], relaxed: set[int],
          fdr: float) -> set[int]:
    """Sets each step's verdict from the detector's stages, rerun on this series (`relaxed`: the indices
    detect finds without its smallest change); returns the indices of the change points matched to no step."""
    y, _ = changepoints.points_of([[v] for v in values])
    boundaries = sorted({0, len(values), *(i for i in starts if 0 < i < len(values))})
    candidates, _ = changepoints._candidates(y, boundaries, changepoints.MIN_POINTS)
    survivors = {tau for tau, _ in changepoints._pruned(y, boundaries, candidates, changepoints.MIN_POINTS, fdr)}
    unmatched = set(changes)
    # a neighbour that bounds where a split can go: a step the detector could see, or a change point
    walls = sorted({0, len(values), *changes, *(st.index for st in series_steps if not small(st))})
    for st in series_steps:
        i = st.index
        before = max(w for w in walls if w < i) if any(w < i for w in walls) else 0
        after = min(w for w in walls if w > i) if any(w > i for w in walls) else len(values)
        if i in changes:
            st.verdict = FOUND
            unmatched.discard(i)
        elif i in starts:
            st.verdict = ACKNOWLEDGED
        elif small(st):
            st.verdict = UNDER_LIMIT
        elif min(i - before, after - i) < changepoints.MIN_POINTS:
            near = [j for j in unmatched if 0 < abs(j - i) < changepoints.MIN_POINTS and j not in
                    {other.index for other in series_steps}]
            if near:
                j = min(near, key=lambda j: abs(j - i))
                st.verdict = DISPLACED.format(k=abs(j - i))
                unmatched.discard(j)
            else:
                st.verdict = TOO_CLOSE.format(n=changepoints.MIN_POINTS)
        elif i not in candidates:
            st.verdict = NOT_PROPOSED
        elif i not in survivors:
            st.verdict = PRUNED
        elif i in relaxed:
            st.verdict = SMALL_BETWEEN
        else:
            st.verdict = BH
    return unmatched


def small(st: Step) -> bool:
    return bool(st.value_before) and abs(st.change) < changepoints.MIN_CHANGE


def short(commit: str | None) -> str:
    return (commit or "unknown")[:10]


def percent(x: float) -> str:
    return f"{x * 100:+.3g} %"


def report(found: history_changes.History, db_name: str, subjects: dict | None = None) -> str:
    """Markdown: the counts by verdict, then each commit with steps (`subjects`: commit -> what it was), each
    step not found, each false change point, and the commits at which no exact series moved."""
    all_steps, false_changes, exact_series = steps(found)
    subjects = subjects or {}
    by_verdict = {}
    for st in all_steps:
        by_verdict.setdefault(st.verdict, []).append(st)
    first_run = {}
    for key in sorted(found.runs):
        first_run.setdefault(found.runs[key]["commit_sha"], key)
    commits = sorted({st.commit_after for st in all_steps}, key=first_run.get)
    lines = [f"# Steps of the exact series in {db_name}", "",
             f"{exact_series} exact series ({', '.join(sorted({s['metric'] for s in found.series}))}), "
             f"{len(all_steps)} steps between consecutive runs, at {len(commits)} commits; "
             f"{len(false_changes)} change point(s) at no step.", ""]
    for verdict, group in sorted(by_verdict.items()):
        sizes = [abs(st.change) * 100 for st in group if st.value_before]
        spread = f" (|change| {min(sizes):.3g}-{max(sizes):.3g} %, median {statistics.median(sizes):.3g} %)" if sizes else ""
        lines.append(f"- {verdict}: {len(group)}{spread}")
    lines += ["", "| commit | what it was | steps | found | not found | largest step |",
              "| --- | --- | --- | --- | --- | --- |"]
    for commit in commits:
        group = [st for st in all_steps if st.commit_after == commit]
        missed = [st for st in group if st.missed]
        largest = max(group, key=lambda st: abs(st.change) if st.value_before else 0)
        spans = max(st.runs_spanned for st in group)
        where = short(commit) + (f" (span of {spans} runs)" if spans > 1 else "")
        lines.append(f"| {where} | {subjects.get(commit, '').replace('|', '/')} | {len(group)} | "
                     f"{len(group) - len(missed)} | {len(missed)} | {percent(largest.change)} {largest.benchmark} |")
    missed = [st for st in all_steps if st.missed]
    if missed:
        lines += ["", "Steps not found:", ""]
        lines += [f"- {short(st.commit_before)}..{short(st.commit_after)} {st.benchmark} {st.metric} "
                  f"{percent(st.change)}: {st.verdict}" for st in missed]
    if false_changes:
        lines += ["", "Change points at no step:", ""]
        lines += [f"- {c.title} at {history_changes.commits_text(c)}: {history_changes.change_text(c)}"
                  for c in false_changes]
    runs_in_order = sorted(found.runs.values(), key=lambda r: r["run_key"])[1:]
    still = [r["commit_sha"] for r in runs_in_order if r["commit_sha"] not in set(commits)]
    if still:
        lines += ["", f"Commits at which no exact series moved ({len(still)}):", ""]
        lines += [f"- {short(c)} {subjects.get(c, '')}" for c in still]
    return "\n".join(lines) + "\n"
