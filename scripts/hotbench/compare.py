"""`hotbench compare A B`: compare two results benchmark by benchmark.

A and B are each a result set directory, a tidy CSV or a Google Benchmark JSON file. Benchmarks are
matched on `benchmark` and `threads`. For every benchmark present in both: median of A, median of B,
the ratio B/A with a 95 % confidence interval, and a verdict.

B/A is the ratio of geometric means and its confidence interval Welch's t-interval on log values, with
processes as the units when a side ran in several (`--processes N`), so that drift between processes
widens the interval; see scripts/hotbench/stats.py and docs/statistics.md. Within one machine and day
it sees the noise of the runs it is given. When A and B come from different machines (host) or days
(started more than 24 hours apart), the header says so and every interval of a time or throughput metric
is widened by the benchmark's A/A noise floor (--noise-floor, default
results/gate-experiment/noise_floor.csv); a benchmark without one is unresolved.

Verdict rule, with threshold t (--threshold, default 0.05) as a factor either way: the no-change band
is [1/(1+t), 1+t] (0.952 to 1.05 for t = 0.05; a 5 % longer time or a 5 % higher throughput are the
same size of change, so time and throughput verdicts always agree):
- unresolved: fewer than --min-repetitions (3) ok repetitions on a side; for a deterministic metric
  (instructions_per_op, allocs_per_op, ...) whose repetitions are all identical on each side, one
  repetition is enough (the interval then has zero width and the ratio itself decides);
- the value went up: the whole interval lies above 1+t;  went down: the whole interval lies below 1/(1+t);
- no change: the whole interval lies inside the band;
- unresolved: otherwise (the interval crosses a band edge: too noisy to tell at this threshold).
A change up or down is printed as faster/slower for time and throughput metrics (for a time, down is
faster; for a throughput, up is faster), better/worse for other metrics with a better direction
(allocs_per_op, instructions_per_op, hit_ratio, ...), and higher/lower for metrics without one.

Benchmarks present on one side only, errored on a side, or without the metric are listed, never
dropped. The summary line is the geometric mean of B/A over the benchmarks compared, with the same
verdict rule applied to its interval (exp of the mean log ends of the benchmarks' intervals: as if
every benchmark's error went the same way, which is conservative).

Comparability: when both inputs carry metadata, their fingerprints (CPU model, compiler, flags, build
type, library versions, and the workload's own inputs: cache seed, key and request counts, settings,
an injected slowdown; docs/results-format.md) and the hashes of datasets they share must match, else
the differing fields are printed and the exit code is 3 (--force compares anyway). Google Benchmark JSON only has its
context: the fields found there are checked, the others are noted as not checked.
"""

import csv
import dataclasses
import datetime
import hashlib
import io
import math
import pathlib
import shutil
import sys
import textwrap
from dataclasses import dataclass, field

from . import SCHEMA_VERSION, atomic, cli, metadata, metrics, stats, tidy
from .errors import BadInput, HotbenchError, read_input_text

DEFAULT_METRIC = "real_time_ns"
DEFAULT_THRESHOLD = 0.05
MIN_REPETITIONS = 3
TABLE_WIDTH = 100  # the terminal table fits this many columns (wider if the terminal is)


# ---------------------------------------------------------------- loading and comparability

def load(path: pathlib.Path, allow_incomplete: bool = False) -> tuple[list[dict], dict]:
    """tidy.load_rows, plus the checks a comparison needs; anything unreadable becomes BadInput."""
    path = pathlib.Path(path)
    try:
        rows, meta = tidy.load_rows(path, allow_incomplete=allow_incomplete)
    except HotbenchError:
        raise
    except (ValueError, TypeError, KeyError, csv.Error) as e:  # unexpected shapes inside a parseable file
        raise BadInput(f"{path}: unexpected content: {e}") from None
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror or e}") from None
    shapes = {"machine": dict, "build": dict, "libraries": dict, "datasets": list, "benchmark_context": dict}
    if not isinstance(meta, dict) or any(k in meta and not isinstance(meta[k], t) for k, t in shapes.items()):
        raise BadInput(f"{path / 'metadata.json'}: not the metadata layout of docs/results-format.md")
    version = meta.get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        raise BadInput(f"{path / 'metadata.json'}: schema version {version!r}; this tool reads version "
                       f"{SCHEMA_VERSION}")
    return rows, meta


def fingerprint_of(meta: dict) -> dict[str, object]:
    """The fingerprint fields this input records, flattened (libraries.<name>); unrecorded ones left out."""
    if any(k in meta for k in ("machine", "build", "libraries")):
        fp = metadata.fingerprint(meta)
    elif meta.get("benchmark_context"):
        # Plain Google Benchmark JSON: our binaries put build and library facts in the context;
        # Google Benchmark 1.7.1 itself records no CPU model, but another tool's context might.
        ctx = meta["benchmark_context"]
        build = metadata.build(ctx, binary=pathlib.Path(""))
        fp = {"cpu_model": ctx.get("cpu_model"), "compiler": build["compiler"], "cxx_flags": build["cxx_flags"],
              "build_type": build["build_type"], "libraries": metadata.libraries(ctx) or None,
              "workload": metadata.workloads(meta) or None}
    else:
        return {}
    flat = {}
    for key, value in fp.items():
        if isinstance(value, dict):  # workload fields read as they are named: "cache seed", "json settings"
            flat.update({(k if key == "workload" else f"{key}.{k}"): v for k, v in value.items() if v is not None})
        elif value is not None:
            flat[key] = value
    return flat


def comparability(meta_a: dict, meta_b: dict, label_a: str = "A", label_b: str = "B") -> tuple[list[str], list[str]]:
    """(differences, notes): fingerprint fields that differ, and what could not be checked."""
    fa, fb = fingerprint_of(meta_a), fingerprint_of(meta_b)
    if not fa and not fb:
        return [], ["neither input records build metadata: comparability not checked"]
    if not fa or not fb:
        missing = label_a if not fa else label_b
        return [], [f"{missing} records no build metadata: comparability not checked"]
    differences, unchecked = [], []
    for key in sorted(set(fa) | set(fb)):
        if key in fa and key in fb:
            if fa[key] != fb[key]:
                differences.append(f"{key}: {fa[key]!r} ({label_a}) vs {fb[key]!r} ({label_b})")
        else:
            unchecked.append(f"{key} (only {label_a if key in fa else label_b} records it)")
    differences += dataset_differences(meta_a, meta_b, label_a, label_b)
    notes = [f"not checked: {', '.join(unchecked)}"] if unchecked else []
    counts_only = all(m.get("profile") == "instructions" for m in (meta_a, meta_b))  # CPU-independent
    if "cpu_model" not in fa and "cpu_model" not in fb and not counts_only:
        notes.append("neither input records the CPU model (Google Benchmark JSON has none): same machine assumed")
    return differences, notes


def dataset_differences(meta_a: dict, meta_b: dict, label_a: str, label_b: str) -> list[str]:
    """Datasets of the same name whose content differs: the benchmarks' names match but their work does not.

    Not part of metadata.fingerprint (docs/results-format.md), but a comparison across different
    inputs is as meaningless as one across different builds. Only result sets record hashes.
    """
    def hashes(meta):
        return {d.get("name"): d.get("sha256") for d in meta.get("datasets") or [] if isinstance(d, dict)}

    ha, hb = hashes(meta_a), hashes(meta_b)
    return [f"dataset {name}: sha256 {ha[name][:12]}... ({label_a}) vs {hb[name][:12]}... ({label_b})"
            for name in sorted(set(ha) & set(hb)) if ha[name] and hb[name] and ha[name] != hb[name]]


# ---------------------------------------------------------------- runs on different machines or days

NOISE_FLOOR = metadata.ROOT / "results" / "gate-experiment" / "noise_floor.csv"
SAME_SESSION = datetime.timedelta(hours=24)  # starts further apart than this: "different days"


def noise_floor(path: pathlib.Path) -> dict[str, float]:
    """benchmark -> p95_abs_ratio_change of `hotbench gate-experiment`'s noise_floor.csv (BadInput if malformed)."""
    text = read_input_text(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, [])
        if "benchmark" not in header or "p95_abs_ratio_change" not in header:
            raise BadInput(f"{path}: line 1: not a noise floor (needs columns benchmark and p95_abs_ratio_change)")
        name_at, value_at = header.index("benchmark"), header.index("p95_abs_ratio_change")
        floor = {}
        for fields in reader:
            if not fields:
                continue
            if len(fields) != len(header):
                raise BadInput(f"{path}: line {reader.line_num}: expected {len(header)} fields, found {len(fields)}")
            try:
                value = float(fields[value_at])
            except ValueError:
                value = math.nan
            if not 0 <= value < math.inf:
                raise BadInput(f"{path}: line {reader.line_num}: p95_abs_ratio_change {fields[value_at][:40]!r} "
                               "is not a non-negative number")
            floor[fields[name_at]] = value
    except csv.Error as e:
        raise BadInput(f"{path}: line {reader.line_num}: not CSV ({e})") from None
    return floor


def origin(meta: dict) -> tuple[str | None, datetime.datetime | None]:
    """(host hash, start time) of a result set or a Google Benchmark file; None where not recorded."""
    host, started = (meta.get("machine") or {}).get("hostname_hash"), meta.get("started_utc")
    ctx = meta.get("benchmark_context") or {}
    if host is None and isinstance(ctx.get("host_name"), str):
        host = hashlib.sha256(ctx["host_name"].encode("utf-8", "replace")).hexdigest()[:12]  # as metadata.machine
    if started is None:
        started = ctx.get("date")
    try:
        when = datetime.datetime.fromisoformat(started) if isinstance(started, str) else None
    except ValueError:
        when = None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return (host if isinstance(host, str) else None), when


@dataclass
class BetweenRuns:
    """Whether A and B come from different machines or days, and what that does to the intervals."""
    different: bool
    notes: list[str]
    floor: dict[str, float] = field(default_factory=dict)
    floor_path: pathlib.Path | None = None
    paired: bool = False  # the two sides of one `run --paired-with`: judged pair by pair

    def widen(self, name: str, estimate: stats.RatioEstimate) -> stats.RatioEstimate:
        if name not in self.floor:
            return dataclasses.replace(estimate, unresolved=estimate.unresolved or (
                "different machines or days, and no A/A noise floor is known for this benchmark"))
        return stats.widen(estimate, self.floor[name])


def between_runs(meta_a: dict, meta_b: dict, label_a: str = "A", label_b: str = "B",
                 floor_path: pathlib.Path | None = None) -> BetweenRuns:
    """Different machines (host hashes differ) or days (starts more than 24 h apart): every interval of a
    non-deterministic metric is then widened by its benchmark's A/A noise floor (stats.widen), and a
    benchmark without one is unresolved. The intervals only see the noise *within* each run; a machine
    or a day changes every figure of a run at once, which no number of repetitions averages away."""
    pa, pb = meta_a.get("pairing"), meta_b.get("pairing")
    if isinstance(pa, dict) and isinstance(pb, dict) and pa.get("id") and pa.get("id") == pb.get("id") \
            and pa.get("side") != pb.get("side"):
        return BetweenRuns(False, [f"{label_a} and {label_b} ran as pairs (run --paired-with, pairing {pa['id']}): "
                                   "each interval is the paired one, process k of one side against process k of "
                                   "the other, which ran back to back"], paired=True)
    (host_a, when_a), (host_b, when_b) = origin(meta_a), origin(meta_b)
    reasons = []
    if host_a and host_b and host_a != host_b:
        reasons.append(f"different machines (host {host_a} vs {host_b})")
    if when_a and when_b and abs(when_b - when_a) > SAME_SESSION:
        days = abs(when_b - when_a).total_seconds() / 86400
        reasons.append(f"started {days:.1f} days apart ({when_a:%Y-%m-%d %H:%M} vs {when_b:%Y-%m-%d %H:%M} UTC)")
    if not reasons:
        unknown = [label for label, host, when in ((label_a, host_a, when_a), (label_b, host_b, when_b))
                   if not (host and when)]
        if unknown:
            return BetweenRuns(False, [f"{' and '.join(unknown)} record{'s' if len(unknown) == 1 else ''} no host or "
                                       "start time: same machine and day assumed, intervals not widened"])
        return BetweenRuns(False, [])
    path = floor_path or NOISE_FLOOR
    if floor_path is None and not path.exists():
        floor, source = {}, f"no noise floor file ({path}): every such benchmark is unresolved"
    else:
        floor = noise_floor(path)
        source = f"A/A noise floor of {len(floor)} benchmarks from {path}; others unresolved"
    note = (f"{label_a} and {label_b} come from {' and '.join(reasons)}: time and throughput "
            f"intervals are widened by their benchmark's between-run noise ({source}); counts and ratios are not")
    return BetweenRuns(True, [note], floor, path)


# ---------------------------------------------------------------- matching

@dataclass
class Side:
    """One benchmark's repetitions on one side."""
    values: list[float] = field(default_factory=list)  # the metric in ok repetitions that have it
    processes: list = field(default_factory=list)  # the process of each value (the `process` column)
    ok: int = 0
    errors: int = 0
    error_message: str = ""


@dataclass
class Entry:
    """One benchmark of the comparison."""
    benchmark: str
    threads: int
    a: Side | None
    b: Side | None
    status: str  # "compared", "only in A", "only in B", "error", "no metric"
    note: str = ""
    estimate: stats.RatioEstimate | None = None
    metric_on_neither: bool = False  # status "no metric" because neither side has it
    outcome: str = ""  # set by the deciding step (compare: a verdict word; check: pass/regression/...)
    reason: str = ""  # why unresolved (or why the outcome is what it is)

    @property
    def name(self) -> str:
        return self.benchmark if self.threads in (1, None) else f"{self.benchmark}/threads:{self.threads}"


def numeric_columns(rows: list[dict]) -> set[str]:
    skip = set(tidy.IDENTITY) | set(tidy.STATUS)
    return {k for r in rows for k, v in r.items()
            if k not in skip and isinstance(v, (int, float)) and not isinstance(v, bool)}


def collect(rows: list[dict], metric: str) -> dict[tuple, Side]:
    sides: dict[tuple, Side] = {}
    for r in rows:
        side = sides.setdefault((r["benchmark"], r.get("threads")), Side())
        if r.get("status") == "ok":
            side.ok += 1
            value = r.get(metric)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value):
                side.values.append(float(value))
                side.processes.append(r.get("process") or 0)
        else:
            side.errors += 1
            side.error_message = side.error_message or (r.get("error_message") or "unknown error")
    return sides


def match(rows_a: list[dict], rows_b: list[dict], metric: "metrics.Metric | str", confidence: float = stats.CONFIDENCE,
          label_a: str = "A", label_b: str = "B", between_runs: "BetweenRuns | None" = None,
          paired_value: str = stats.PAIRED_DEFAULT) -> list[Entry]:
    """Every benchmark of either side, in A's order then B's; compared ones carry a ratio estimate.

    The estimate's units are processes when a side ran in several (stats.ratio_of_medians). With
    `between_runs` saying A and B come from different machines or days, every interval of a time or
    throughput metric is widened by the benchmark's A/A noise floor, or left unresolved without one.
    `metric` is a Metric, or a column's name (then treated as a metric nobody declares). The two sides of
    one pairing are judged pair by pair, each process valued by `paired_value` (stats.paired_ratio)."""
    # The noise floor is the between-run movement of times (and so of throughputs, their inverses).
    # Counts, sizes and fractions (instructions, allocations, hit ratios) do not move with the machine
    # or the day; an undeclared column might be a time, so it is widened.
    known = metric if isinstance(metric, metrics.Metric) else metrics.undeclared(metric)
    metric = known.name
    drifts = not known.declared or (not known.deterministic and known.kind in ("time", "throughput", "other"))
    sa, sb = collect(rows_a, metric), collect(rows_b, metric)
    entries = []
    for key in list(sa) + [k for k in sb if k not in sa]:
        a, b = sa.get(key), sb.get(key)
        e = Entry(key[0], key[1], a, b, "compared")
        if a is None or b is None:
            e.status = f"only in {label_a if b is None else label_b}"
        elif a.ok == 0 or b.ok == 0:
            e.status = "error"
            e.note = "; ".join(f"error in {label}: {s.error_message}" for label, s in ((label_a, a), (label_b, b))
                               if s.ok == 0)
        elif not a.values or not b.values:
            e.status = "no metric"
            e.metric_on_neither = not a.values and not b.values
            e.note = f"no {metric} " + ("on either side" if e.metric_on_neither else
                                        f"in {label_a if not a.values else label_b}")
        else:
            if between_runs is not None and between_runs.paired:
                e.estimate = stats.paired_ratio(a.values, b.values, a.processes, b.processes, confidence,
                                                paired_value, higher_is_better=known.better == metrics.HIGHER)
            else:
                e.estimate = stats.ratio_of_medians(a.values, b.values, confidence=confidence,
                                                    groups_a=a.processes, groups_b=b.processes)
            if between_runs is not None and between_runs.different and drifts:
                e.estimate = between_runs.widen(e.name, e.estimate)
            partial = [f"{s.errors} of {s.ok + s.errors} repetitions errored in {label}"
                       for label, s in ((label_a, a), (label_b, b)) if s.errors]
            e.note = "; ".join(partial)
        entries.append(e)
    return entries


# ---------------------------------------------------------------- the verdict rule

def band(threshold: float) -> tuple[float, float]:
    """The no-change band [1/(1+t), 1+t]."""
    return 1.0 / (1.0 + threshold), 1.0 + threshold


def required_repetitions(metric: metrics.Metric, estimate: stats.RatioEstimate, min_repetitions: int) -> int:
    """One repetition is enough for a deterministic metric that is indeed constant on both sides."""
    return 1 if metric.deterministic and estimate.exact else min_repetitions


def too_few(metric: metrics.Metric, estimate: stats.RatioEstimate, min_repetitions: int) -> str:
    """The reason a comparison cannot be decided whatever its interval says (too few repetitions, no
    interval, no noise floor for runs on different machines or days), or "" when it can be."""
    need = required_repetitions(metric, estimate, min_repetitions)
    if estimate.n_a < need or estimate.n_b < need:
        return f"too few repetitions ({estimate.n_a} and {estimate.n_b}; need {need} on each side)"
    return estimate.unresolved


def classify_interval(low: float, high: float, threshold: float) -> str:
    """Where an interval of B/A lies against the no-change band: "higher", "lower", "same" or "unresolved"."""
    lo, hi = band(threshold)
    if low > hi:
        return "higher"
    if high < lo:
        return "lower"
    if low >= lo and high <= hi:
        return "same"
    return "unresolved"


def decide_shift(estimate: stats.RatioEstimate, metric: metrics.Metric, threshold: float,
                 min_repetitions: int = MIN_REPETITIONS) -> tuple[str, str]:
    """("higher" | "lower" | "same" | "unresolved", reason): the documented rule, direction-neutral."""
    reason = too_few(metric, estimate, min_repetitions)
    if reason:
        return "unresolved", reason
    shift = classify_interval(estimate.low, estimate.high, threshold)
    if shift != "unresolved":
        return shift, ""
    lo, hi = band(threshold)
    return "unresolved", (f"the {pct(estimate.confidence)} CI [{fmt_ratio(estimate.low)}, {fmt_ratio(estimate.high)}] "
                          f"crosses the no-change band [{lo:.3f}, {hi:.3f}]")


def verdict(estimate, metric, threshold, min_repetitions=MIN_REPETITIONS) -> tuple[str, str]:
    shift, reason = decide_shift(estimate, metric, threshold, min_repetitions)
    return ("unresolved" if shift == "unresolved" else metric.shift_word(shift)), reason


# ---------------------------------------------------------------- formatting

def pct(fraction: float) -> str:
    return f"{fraction * 100:g} %"


def fmt_ratio(r: float | None) -> str:
    if r is None or (isinstance(r, float) and math.isnan(r)):
        return "-"
    return "inf" if r == math.inf else f"{r:.3f}"


def fmt_value(value: float | None, metric: metrics.Metric) -> str:
    """Compact: times in ns scale to us/ms/s; everything else to 4 significant digits with k/M/G."""
    if value is None:
        return "-"
    if metric.name.endswith("_ns"):
        for scale, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "us")):
            if abs(value) >= scale:
                return f"{value / scale:.3g}{unit}"
        return f"{value:.3g}ns"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.4g}{suffix}"
    return f"{value:.4g}"


def shows_interval(e: Entry, metric: metrics.Metric) -> bool:
    """An interval is shown only when one was built (a single repetition has no spread to build it from),
    or when it is exact by nature."""
    est = e.estimate
    return est is not None and ((not est.unresolved and min(est.n_a, est.n_b) >= 2)
                                or (est.exact and metric.deterministic))


def fmt_interval(e: Entry, metric: metrics.Metric) -> str:
    if not shows_interval(e, metric):
        return "-"
    return f"[{fmt_ratio(e.estimate.low)}, {fmt_ratio(e.estimate.high)}]"


def truncate_middle(text: str, width: int) -> str:
    """Keep both ends of a long benchmark name (suite/task and dataset are the informative parts)."""
    if len(text) <= width:
        return text
    keep = width - 2
    head = keep // 2
    return text[:head] + ".." + text[len(text) - (keep - head):]


def table(entries: list[Entry], metric: metrics.Metric, width: int = TABLE_WIDTH) -> list[str]:
    """The aligned table of compared benchmarks, at most `width` columns."""
    headers = ("median A", "median B", "B/A", f"{pct(stats.CONFIDENCE)} CI", "verdict")
    cells = [(fmt_value(e.estimate.median_a, metric), fmt_value(e.estimate.median_b, metric),
              fmt_ratio(e.estimate.ratio), fmt_interval(e, metric), e.outcome) for e in entries]
    widths = [max([len(headers[i])] + [len(c[i]) for c in cells]) for i in range(len(headers))]
    fixed = sum(widths) + 2 * len(widths)
    longest = max([len("benchmark")] + [len(e.name) for e in entries])
    name_width = max(20, min(longest, width - fixed))
    aligns = (">", ">", ">", "<", "<")

    def line(name, values):
        parts = [f"{name:<{name_width}}"] + [f"{v:{a}{w}}" for v, a, w in zip(values, aligns, widths)]
        return "  ".join(parts).rstrip()

    out = [line("benchmark", headers)]
    out += [line(truncate_middle(e.name, name_width), c) for e, c in zip(entries, cells)]
    return out


# ---------------------------------------------------------------- the comparison as a whole

@dataclass
class Comparison:
    metric: metrics.Metric
    threshold: float
    min_repetitions: int
    entries: list[Entry]
    geomean: stats.GeometricMean
    geomean_verdict: str
    notes: list[str]
    geomean_reason: str = ""  # why the geometric mean has no interval

    def with_status(self, status: str) -> list[Entry]:
        return [e for e in self.entries if e.status == status]

    @property
    def compared(self) -> list[Entry]:
        return self.with_status("compared")

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.compared:
            counts[e.outcome] = counts.get(e.outcome, 0) + 1
        return counts


def verdict_order(metric: metrics.Metric) -> list[str]:
    words = [metric.shift_word(s) for s in ("lower", "higher")]
    if metric.better == metrics.HIGHER:
        words.reverse()
    return [words[0], words[1], "no change", "unresolved"]  # improvements first


def summary_counts(c: Comparison) -> str:
    counts = c.counts()
    return ", ".join(f"{counts.get(w, 0)} {w}" for w in verdict_order(c.metric))


def geomean_text(c: Comparison) -> str:
    g = c.geomean
    if g.value is None:
        return "geometric mean of B/A: none (no benchmark with a finite, positive ratio)"
    ci = f" [{fmt_ratio(g.low)}, {fmt_ratio(g.high)}]" if g.low is not None else f" (no interval: {c.geomean_reason})"
    left_out = f"; {g.excluded} left out (ratio 0 or infinite)" if g.excluded else ""
    return f"geometric mean of B/A over {g.count} benchmarks: {fmt_ratio(g.value)}{ci} -> {c.geomean_verdict}{left_out}"


def run_comparison(rows_a, rows_b, metric: metrics.Metric, threshold: float, min_repetitions: int,
                   notes: list[str], runs: BetweenRuns | None = None) -> Comparison:
    entries = match(rows_a, rows_b, metric, between_runs=runs)
    for e in entries:
        if e.estimate is not None:
            e.outcome, e.reason = verdict(e.estimate, metric, threshold, min_repetitions)
    estimates = [e.estimate for e in entries if e.estimate is not None]
    g = stats.geometric_mean(estimates)
    reasons = [r for r in (too_few(metric, est, min_repetitions) for est in estimates) if r]
    g_reason = ""
    if g.value is None or g.low is None or reasons:
        g = stats.GeometricMean(g.value, None, None, g.count, g.excluded)
        g_verdict = "unresolved"
        g_reason = ("too few repetitions" if any(r.startswith("too few") for r in reasons) else
                    f"no A/A noise floor for {sum('no A/A noise floor' in r for r in reasons)} of the benchmarks "
                    "(different machines or days)" if any("no A/A noise floor" in r for r in reasons) else
                    "some benchmarks have no interval")
    else:
        shift = classify_interval(g.low, g.high, threshold)
        g_verdict = "unresolved" if shift == "unresolved" else metric.shift_word(shift)
    return Comparison(metric, threshold, min_repetitions, entries, g, g_verdict, notes, g_reason)


def lists(c: Comparison) -> list[tuple[str, list[tuple[str, str]], bool]]:
    """(title, [(benchmark, detail)], compact) for everything that is not a plain verdict.

    Empty sections are left out. `compact` sections are plain lists of names, printed as a paragraph:
    benchmarks that never report the metric (a parse benchmark has no output_mb_per_s) are expected.
    """
    # An interval crossing the band is visible in the table; only other reasons need a line of their own.
    sections = [
        ("Unresolved for too few repetitions", [(e.name, e.reason) for e in c.compared
                                                if e.outcome == "unresolved" and e.reason.startswith("too few")], False),
        ("Unresolved: different machines or days and no A/A noise floor for the benchmark",
         [(e.name, "") for e in c.compared if e.outcome == "unresolved" and "no A/A noise floor" in e.reason], True),
        ("Unresolved without an interval", [(e.name, e.reason) for e in c.compared if e.outcome == "unresolved"
                                            and e.estimate.unresolved and e.reason == e.estimate.unresolved
                                            and "no A/A noise floor" not in e.reason], False),
        ("Errored, not compared", [(e.name, e.note) for e in c.with_status("error")], False),
        ("Compared despite errors in some repetitions", [(e.name, e.note) for e in c.compared if e.note], False),
        ("Only in A", [(e.name, "") for e in c.with_status("only in A")], True),
        ("Only in B", [(e.name, "") for e in c.with_status("only in B")], True),
        (f"Skipped, no {c.metric.name} on one side",
         [(e.name, e.note) for e in c.with_status("no metric") if not e.metric_on_neither], False),
        (f"Skipped, no {c.metric.name} on either side",
         [(e.name, "") for e in c.with_status("no metric") if e.metric_on_neither], True),
    ]
    return [(f"{title} ({len(items)})", items, compact) for title, items, compact in sections if items]


def header_lines(c: Comparison, path_a, path_b) -> list[str]:
    m = c.metric
    unit = f"{m.unit}, " if m.unit else ""
    lo, hi = band(c.threshold)
    return [f"hotbench compare: {m.name} ({unit}{m.better_text})",
            f"B/A (ratio of geometric means) with its {pct(stats.CONFIDENCE)} CI (t on log values, by process "
            f"when a side ran several); no change when the CI lies inside "
            f"[{lo:.3f}, {hi:.3f}] (threshold {pct(c.threshold)})",
            f"  A: {path_a}", f"  B: {path_b}"] + [f"note: {n}" for n in c.notes]


def terminal_text(c: Comparison, path_a, path_b, width: int = TABLE_WIDTH) -> str:
    out = header_lines(c, path_a, path_b) + [""]
    if c.compared:
        out += table(c.compared, c.metric, width)
    for title, items, compact in lists(c):
        out += ["", f"{title}:"]
        if compact:
            out += textwrap.wrap(", ".join(name for name, _ in items), width, initial_indent="  ",
                                 subsequent_indent="  ", break_on_hyphens=False)
        else:
            out += [f"  {name}: {detail}" if detail else f"  {name}" for name, detail in items]
    lo, hi = band(c.threshold)
    out += ["", f"{len(c.compared)} compared: {summary_counts(c)}",
            f"(unresolved: the CI crosses {lo:.3f} or {hi:.3f}, or no interval: see the lists above)", geomean_text(c)]
    return "\n".join(out) + "\n"


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def markdown_text(c: Comparison, path_a, path_b) -> str:
    m = c.metric
    lo, hi = band(c.threshold)

    def rows(entries):
        lines = ["| benchmark | median A | median B | B/A | 95 % CI | change | verdict |",
                 "| --- | ---: | ---: | ---: | --- | ---: | --- |"]
        for e in entries:
            est = e.estimate
            change = "-" if not 0 < est.ratio < math.inf else f"{(est.ratio - 1) * 100:+.1f} %"
            verdict_cell = f"**{e.outcome}**" if e.outcome not in ("no change", "unresolved") else e.outcome
            lines.append(f"| `{markdown_cell(e.name)}` | {fmt_value(est.median_a, m)} | {fmt_value(est.median_b, m)} | "
                         f"{fmt_ratio(est.ratio)} | {markdown_cell(fmt_interval(e, m))} | {change} | {verdict_cell} |")
        return lines

    out = [f"### hotbench compare: `{m.name}` ({m.better_text})", "",
           f"{len(c.compared)} benchmarks compared: {summary_counts(c)}. "
           f"{markdown_cell(geomean_text(c))[:1].upper()}{markdown_cell(geomean_text(c))[1:]}.", "",
           f"A: `{path_a}`  ", f"B: `{path_b}`  ",
           f"No change when the whole {pct(stats.CONFIDENCE)} CI of B/A (t on log values) lies in [{lo:.3f}, {hi:.3f}] "
           f"(threshold {pct(c.threshold)}); fewer than {c.min_repetitions} repetitions on a side: unresolved.", ""]
    out += [f"> note: {markdown_cell(n)}" for n in c.notes]
    changed = [e for e in c.compared if e.outcome != "no change"]
    if changed:
        out += ["", "#### Changed or unresolved", ""] + rows(changed)
    for title, items, compact in lists(c):
        out += ["", f"#### {title}", ""]
        if compact:
            out.append(", ".join(f"`{markdown_cell(name)}`" for name, _ in items))
        else:
            out += [f"- `{markdown_cell(name)}`" + (f": {markdown_cell(detail)}" if detail else "") for name, detail in items]
    if c.compared:
        out += ["", f"<details><summary>All {len(c.compared)} compared benchmarks</summary>", ""] + rows(c.compared)
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


CSV_COLUMNS = ["benchmark", "threads", "metric", "unit", "better", "verdict", "ratio", "ci_low", "ci_high",
               "median_a", "median_b", "n_a", "n_b", "errors_a", "errors_b", "note", "units", "noise_floor"]


def csv_text(c: Comparison) -> str:
    """One line per benchmark of either side; `verdict` is the verdict word or the status."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for e in c.entries:
        est = e.estimate
        interval = shows_interval(e, c.metric)
        w.writerow({
            "benchmark": e.benchmark, "threads": e.threads, "metric": c.metric.name, "unit": c.metric.unit,
            "better": c.metric.better or "", "verdict": e.outcome if est else e.status,
            "ratio": _num(est.ratio if est else None),
            "ci_low": _num(est.low if est and interval else None), "ci_high": _num(est.high if est and interval else None),
            "median_a": _num(est.median_a if est else None), "median_b": _num(est.median_b if est else None),
            "n_a": len(e.a.values) if e.a else "", "n_b": len(e.b.values) if e.b else "",
            "errors_a": e.a.errors if e.a else "", "errors_b": e.b.errors if e.b else "",
            "note": "; ".join(x for x in (e.reason, e.note) if x),
            "units": "" if not est else "exact" if est.exact else f"{est.units_a} pairs" if est.paired else
                     f"{est.units_a}+{est.units_b} {'processes' if est.by_process else 'repetitions'}",
            "noise_floor": _num(est.widened_by if est else None)})
    return out.getvalue()


def _num(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return "inf" if v == math.inf else repr(float(v))


def write_output(path: pathlib.Path, text: str) -> None:
    try:
        atomic.write_text(path, text)
    except OSError as e:
        raise HotbenchError(f"{path}: cannot write: {e.strerror or e}") from None


# ---------------------------------------------------------------- command line

def add_arguments(p):
    p.add_argument("a", type=pathlib.Path, metavar="A",
                   help="the reference: a result set directory, a tidy CSV or Google Benchmark JSON")
    p.add_argument("b", type=pathlib.Path, metavar="B", help="the result compared with A (same kinds of input)")
    p.add_argument("--metric", default=DEFAULT_METRIC, metavar="NAME",
                   help="the metric column to compare: one the suites declare (`hotbench describe`), or any "
                        "numeric column (compared without a better direction)")
    p.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, metavar="T",
                   help="no-change band as a factor either way: no change when the whole CI of B/A lies in "
                        "[1/(1+T), 1+T]")
    p.add_argument("--min-repetitions", type=int, default=MIN_REPETITIONS, metavar="N",
                   help="fewer ok repetitions on a side: unresolved (deterministic metrics with identical "
                        "repetitions need 1)")
    cli.add_output(p, "also write (atomically) FILE.md: a Markdown report (a PR comment), FILE.csv: one CSV line "
                      "per benchmark; repeatable (-o pr.md -o diff.csv)", dest="markdown",
                   formats={".md": "markdown", ".markdown": "markdown", ".csv": "csv"})
    cli.add_deprecated(p, "--markdown", dest="markdown", instead="-o FILE.md")
    cli.add_deprecated(p, "--csv", dest="csv", instead="-o FILE.csv")
    p.add_argument("--force", action="store_true", help="compare even when the builds (fingerprints) or dataset hashes differ")
    p.add_argument("--allow-incomplete", action="store_true", help="read result sets marked INCOMPLETE")
    p.add_argument("--noise-floor", type=pathlib.Path, metavar="FILE",
                   help="per-benchmark A/A noise floor, used when A and B come from different machines or days "
                        "(default: results/gate-experiment/noise_floor.csv, written by `hotbench gate-experiment`)")


def validate_options(threshold: float, min_repetitions: int) -> None:
    if not (threshold >= 0 and math.isfinite(threshold)):
        raise HotbenchError(f"--threshold must be a non-negative fraction (0.05 = 5 %), got {threshold}")
    if min_repetitions < 1:
        raise HotbenchError(f"--min-repetitions must be at least 1, got {min_repetitions}")


def no_common_benchmark(entries: list[Entry]) -> bool:
    return all(e.status.startswith("only in ") for e in entries)


def terminal_width() -> int:
    """TABLE_WIDTH when the output is not a terminal (logs, pipes), else the terminal's width."""
    if not sys.stdout.isatty():
        return TABLE_WIDTH
    return max(60, shutil.get_terminal_size((TABLE_WIDTH, 24)).columns)


def main(args) -> int:
    validate_options(args.threshold, args.min_repetitions)
    rows_a, meta_a = load(args.a, args.allow_incomplete)
    rows_b, meta_b = load(args.b, args.allow_incomplete)
    registry = metrics.for_results(meta_a, meta_b)
    metric = registry.resolve(args.metric, numeric_columns(rows_a) | numeric_columns(rows_b))
    differences, notes = comparability(meta_a, meta_b)
    if differences:
        if not args.force:
            raise BadInput(f"{args.a} and {args.b} are not comparable: {'; '.join(differences)} "
                           "(pass --force to compare anyway)")
        notes.append(f"compared despite different builds (--force): {'; '.join(differences)}")
    if not metric.declared:
        notes.append(f"{metric.name}: direction unknown ({registry.consulted} declare no such metric): "
                     "verdicts say higher/lower")
    elif metric.better is None:
        notes.append(f"{metric.name} has no better direction: verdicts say higher/lower")
    runs = between_runs(meta_a, meta_b, floor_path=args.noise_floor)
    notes += runs.notes
    c = run_comparison(rows_a, rows_b, metric, args.threshold, args.min_repetitions, notes, runs)
    if no_common_benchmark(c.entries):
        raise BadInput(f"{args.b}: no benchmark in common with {args.a} "
                       f"({len({(r['benchmark'], r.get('threads')) for r in rows_a})} vs "
                       f"{len({(r['benchmark'], r.get('threads')) for r in rows_b})} benchmarks)")
    if all(e.status.startswith("only in ") or e.metric_on_neither for e in c.entries):
        raise BadInput(f"nothing to compare: no benchmark has {metric.name} in both {args.a} and {args.b}")
    sys.stdout.write(terminal_text(c, args.a, args.b, terminal_width()))
    if args.markdown:
        write_output(args.markdown, markdown_text(c, args.a, args.b))
    if args.csv:
        write_output(args.csv, csv_text(c))
    return 0
