"""The change points of a results history, with their commits, context and triage, as text, JSON,
Markdown and JUnit XML.

Input: a history store (history_store.Store). Output: `ChangePoint` records, one per change found by
changepoints.detect in a series (benchmark x threads x metric x machine, its points in ingest order),
each with the last commit before and the first after, the relative change with its interval, p and
q values, what else changed in the runs' context at that point (compiler, flags, build type, library
versions: a library upgrade shows as an attributed change) and its triage state. An acknowledged
change starts a new baseline segment: it is not reported again, later changes are tested against the
points after it.
"""

import dataclasses
import hashlib
import json

from . import changepoints, check, compare, history_store

CONTEXT_FIELDS = ("compiler", "cxx_flags", "build_type")


@dataclasses.dataclass
class ChangePoint:
    change_id: str
    benchmark: str
    threads: int
    metric: str
    machine: str
    suite: str
    series_key: int
    run_key: int  # the first run after the change
    index: int  # its position in the series
    points: int  # of the series
    commit_before: str | None
    commit_after: str | None
    median_before: float
    median_after: float
    change: float
    low: float
    high: float
    p_value: float
    q_value: float
    context_changes: list[str]
    state: str
    note: str

    @property
    def title(self) -> str:
        threads = f" ({self.threads} threads)" if self.threads != 1 else ""
        return f"{self.benchmark}{threads} {self.metric}"


@dataclasses.dataclass
class History:
    """What `changes` and `report` read: runs by key, the series, each one's points, the change points."""
    runs: dict
    series: list[dict]
    points: dict  # series_key -> [(run_key, [values])] in ingest order
    changes: list[ChangePoint]
    starts: dict  # series_key -> indices where an acknowledged change starts a new baseline segment
    fdr: float


def change_id(series: dict, run: dict) -> str:
    """Stable across detector runs: the series and the content hash of the first run after the change."""
    text = "|".join(str(x) for x in (series["benchmark"], series["threads"], series["metric"], series["machine"],
                                      run["content_hash"]))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def context_changes(before: dict, after: dict) -> list[str]:
    """What differs between two runs' context, in words: 'compiler 12.2.0 -> 13.1.0', 'simdjson 3.0.1 -> 3.1.0'."""
    out = [f"{field} {before[field]} -> {after[field]}" for field in CONTEXT_FIELDS if before[field] != after[field]]
    old, new = before["libraries"] or {}, after["libraries"] or {}
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            out.append(f"{name} {old.get(name, '(none)')} -> {new.get(name, '(none)')}")
    return out


def load(store, metrics: list[str] | None = None, fdr: float = changepoints.FDR) -> History:
    runs = {r["run_key"]: r for r in history_store.runs(store)}
    all_series = history_store.series(store, metrics)
    values = history_store.measurements(store)
    triaged = history_store.triage(store)
    acknowledged = {}
    for entry in triaged.values():
        if entry["state"] == "acknowledged":
            acknowledged.setdefault(entry["series_key"], set()).add(entry["run_key"])
    points, starts = {}, {}
    for s in all_series:
        points[s["series_key"]] = sorted(values.get(s["series_key"], {}).items())
        run_keys = [k for k, _ in points[s["series_key"]]]
        starts[s["series_key"]] = [i for i, k in enumerate(run_keys) if k in acknowledged.get(s["series_key"], ())]
    detections = changepoints.detect({k: [v for _, v in p] for k, p in points.items()}, fdr=fdr, starts=starts)
    by_key = {s["series_key"]: s for s in all_series}
    changes = []
    for d in detections:
        s, series_points = by_key[d.series], points[d.series]
        before, after = runs[series_points[d.index - 1][0]], runs[series_points[d.index][0]]
        identity = change_id(s, after)
        entry = triaged.get(identity, {})
        changes.append(ChangePoint(
            identity, s["benchmark"], s["threads"], s["metric"], s["machine"], s["suite"], s["series_key"],
            after["run_key"], d.index, len(series_points), before["commit_sha"], after["commit_sha"], d.median_before,
            d.median_after, d.change, d.low, d.high, d.p_value, d.q_value, context_changes(before, after),
            entry.get("state", "new"), entry.get("note", "")))
    return History(runs, all_series, points, changes, starts, fdr)


# ---------------------------------------------------------------- output

def short(commit: str | None) -> str:
    return (commit or "unknown")[:12]


def change_text(c: ChangePoint) -> str:
    return (f"{c.change * 100:+.2f} % [{c.low * 100:+.2f}, {c.high * 100:+.2f}] "
            f"({c.median_before:.6g} -> {c.median_after:.6g})")


def commits_text(c: ChangePoint) -> str:
    return f"{short(c.commit_before)}..{short(c.commit_after)}"


def terminal_text(history: History, db_name: str, fdr: float) -> str:
    out = [f"hotbench history changes: {db_name}",
           f"  {len(history.runs)} runs, {len(history.series)} series; E-Divisive means, t-test per split, "
           f"Benjamini-Hochberg at FDR {fdr:g}"]
    if not history.changes:
        return "\n".join(out + ["", "no change point"]) + "\n"
    out.append("")
    for c in history.changes:
        out.append(f"{c.change_id}  {c.state:<14} {c.title}: {change_text(c)} at {commits_text(c)} "
                   f"(point {c.index} of {c.points}; p {c.p_value:.2g}, q {c.q_value:.2g})")
        out += [f"    also changed: {x}" for x in c.context_changes]
        out += [f"    note: {c.note}"] if c.note else []
    new = sum(c.state == "new" for c in history.changes)
    out += ["", f"{len(history.changes)} change point(s), {new} new (not triaged)"]
    return "\n".join(out) + "\n"


def json_text(history: History, fdr: float) -> str:
    changes = [dataclasses.asdict(c) for c in history.changes]
    return json.dumps({"fdr": fdr, "runs": len(history.runs), "series": len(history.series), "changes": changes},
                      indent=2, allow_nan=False, default=str) + "\n"


def markdown_text(history: History, db_name: str, fdr: float) -> str:
    md = compare.markdown_cell
    out = [f"### hotbench history: {len(history.changes)} change point(s)", "",
           f"{len(history.runs)} runs and {len(history.series)} series of `{md(db_name)}`; E-Divisive means, "
           f"t-test per split, Benjamini-Hochberg at FDR {fdr:g}.", ""]
    if history.changes:
        out += ["| id | state | benchmark | metric | change [95 % CI] | commits | also changed |",
                "| --- | --- | --- | --- | ---: | --- | --- |"]
        out += [f"| `{c.change_id}` | {'**new**' if c.state == 'new' else c.state} | `{md(c.benchmark)}` | "
                f"{md(c.metric)} | {md(change_text(c))} | `{commits_text(c)}` | {md('; '.join(c.context_changes))} |"
                for c in history.changes]
    return "\n".join(out) + "\n"


def junit_text(history: History) -> str:
    """One testcase per series: a <failure> per new change point, <skipped> for triaged ones only."""
    by_series = {}
    for c in history.changes:
        by_series.setdefault(c.series_key, []).append(c)
    cases = []
    for s in history.series:
        found = by_series.get(s["series_key"], [])
        new = [c for c in found if c.state == "new"]
        name = f"{s['benchmark']} {s['metric']} ({s['machine']})"
        if new:
            message = "; ".join(f"{c.change_id} {change_text(c)} at {commits_text(c)}" for c in new)
            cases.append((name, "failure", message, "change point"))
        elif found:
            cases.append((name, "skipped", "; ".join(f"{c.change_id} {c.state}" for c in found), "triaged"))
        else:
            cases.append((name, "pass", "", ""))
    return check.junit_document("hotbench history changes", "hotbench.history", cases,
                                {"changes": len(history.changes)})
