"""`hotbench check --baseline B --current C`: the CI regression gate.

Exit codes (one meaning each, README 'Exit codes'): 0 pass; 1 at least one regression, or a baseline
benchmark missing from the current result; 2 no failure, but at least one benchmark could not be decided
(unresolved); 3 unreadable or invalid input: a result or policy file, nothing comparable, or baseline and
current built differently (refresh the baseline, see README, 'CI gate'; `hotbench gate` instead rebuilds
the baseline's commit); 4 usage error (bad flags).

The rule, per benchmark present in both, with the policy's threshold t for the metric (results/gate.toml):
the ratio current/baseline of medians and its 95 % bootstrap confidence interval are computed as in
`hotbench compare`; orient it so that above 1 means worse (for a higher-is-better metric, use
baseline/current). Then
- unresolved: fewer than min_repetitions ok repetitions on a side (a deterministic metric such as
  instructions_per_op whose repetitions are identical needs only one: its interval has zero width,
  so the ratio itself is compared with the limit);
- regression: the whole interval lies above 1+t (the change is larger than the threshold AND resolved);
- pass: the whole interval lies at or below 1+t (improvements and changes within t pass);
- unresolved: otherwise (the interval crosses 1+t: too noisy to decide at this threshold).
A benchmark that errored on either side, or has the metric on one side only, is unresolved.
A benchmark of the baseline that the current result lacks is MISSING, a failure like a regression, unless
the policy's [[removed]] names it with a reason. Benchmarks new in the current result, without the metric
on both sides, or ignored by the policy are listed and do not change the exit code. Nothing compared and
nothing missing is exit 3, never a pass.

-o/--output FILE writes JUnit XML (one testcase per benchmark: a <failure> for a regression or a missing
benchmark, <skipped> for everything else not decided as pass), atomically; FILE.md the Markdown summary
instead (the verdict, the counts, a table of every benchmark that did not pass, the notes: for a
pull-request comment or a CI run's page). Repeatable: `-o gate.md -o gate.xml` writes both. `gate` too.
"""

import math
import pathlib
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from . import cli, compare, metadata, metrics, stats
from .errors import BadInput, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_UNRESOLVED

EXIT_ERROR = EXIT_BAD_INPUT
DEFAULT_POLICY = metadata.ROOT / "results" / "gate.toml"
REFRESH_HINT = "refresh the baseline (see README, 'CI gate')"

# Built-in values for keys a policy file leaves out.
DEFAULTS = {"default_metric": "real_time_ns", "default_threshold": 0.10, "min_repetitions": 3, "confidence": 0.95,
            "paired_value": stats.PAIRED_DEFAULT}


# ---------------------------------------------------------------- the policy file

@dataclass(frozen=True)
class Override:
    pattern: re.Pattern
    thresholds: dict
    min_repetitions: int | None
    ignore: bool
    reason: str


@dataclass(frozen=True)
class Removed:
    """A baseline benchmark that is gone on purpose: its absence from the current result is not a failure."""
    pattern: re.Pattern
    reason: str


@dataclass(frozen=True)
class Rule:
    """What applies to one benchmark."""
    threshold: float
    min_repetitions: int
    ignore: bool = False
    reason: str = ""
    pattern: str = ""  # the override that matched, if any


@dataclass
class Policy:
    path: pathlib.Path
    default_metric: str = DEFAULTS["default_metric"]
    default_threshold: float = DEFAULTS["default_threshold"]
    min_repetitions: int = DEFAULTS["min_repetitions"]
    confidence: float = DEFAULTS["confidence"]
    paired_value: str = DEFAULTS["paired_value"]
    thresholds: dict = field(default_factory=dict)
    overrides: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    def rule_for(self, name: str, metric: str) -> Rule:
        """The first override whose pattern matches the benchmark's name wins; unset keys fall back."""
        threshold = self.thresholds.get(metric, self.default_threshold)
        for o in self.overrides:
            if o.pattern.search(name):
                return Rule(o.thresholds.get(metric, threshold),
                            o.min_repetitions if o.min_repetitions is not None else self.min_repetitions,
                            o.ignore, o.reason, o.pattern.pattern)
        return Rule(threshold, self.min_repetitions)

    def removal_of(self, name: str) -> Removed | None:
        """The first [[removed]] entry whose pattern matches the benchmark's name, if any."""
        return next((r for r in self.removed if r.pattern.search(name)), None)


_TOP_KEYS = {"default_metric", "default_threshold", "min_repetitions", "confidence", "paired_value", "thresholds",
             "overrides", "removed"}
_OVERRIDE_KEYS = {"pattern", "thresholds", "min_repetitions", "ignore", "reason"}
_REMOVED_KEYS = {"pattern", "reason"}


def _short(shown: str, limit: int = 60) -> str:
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."


def _value(value) -> str:
    """A value from the file inside a one-line message: repr escapes newlines and control characters."""
    try:
        return _short(repr(value))
    except ValueError:  # an integer of more than 4300 digits has no repr
        return "(a number too long to show)"


def _show(key: str) -> str:
    """A key from the file: a bare word as it is, anything else as a value."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", key) else _value(key)


def _keys(path, where, table: dict, known: set) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise BadInput(f"{path}: {where}unknown key(s) {', '.join(_show(k) for k in unknown)}; "
                       f"known: {', '.join(sorted(known))}")


def _threshold(path, where, value) -> float:
    try:
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and 0 <= float(value) < math.inf
    except OverflowError:  # an integer too large for a float
        ok = False
    if not ok:
        raise BadInput(f"{path}: {where}: a threshold is a non-negative fraction (0.10 = 10 %), got "
                       f"{_value(value)}")
    return float(value)


def _repetitions(path, where, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadInput(f"{path}: {where}: must be a whole number >= 1, got {_value(value)}")
    return value


def _thresholds(path, where, table) -> dict:
    if not isinstance(table, dict):
        raise BadInput(f"{path}: {where}: must be a table of metric = threshold")
    out = {}
    for name, value in table.items():
        _known_metric(path, f"{where}", name)
        out[name] = _threshold(path, f"{where}.{name}", value)
    return out


def _pattern(path, where, table) -> re.Pattern:
    if not isinstance(table.get("pattern"), str):
        raise BadInput(f"{path}: {where}: needs a pattern (a regular expression searched in the benchmark name)")
    try:
        return re.compile(table["pattern"])
    except (re.error, OverflowError, RecursionError) as e:  # "a{9999999999}" overflows, "((((..." recurses
        raise BadInput(f"{path}: {where}.pattern: {_value(table['pattern'])} is not a valid regular expression: "
                       f"{_short(str(e), 120)}") from None


def _array_of_tables(path, doc, key) -> list[tuple[str, dict]]:
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise BadInput(f"{path}: {key} must be an array of tables ([[{key}]])")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadInput(f"{path}: {key}[{i}]: must be a table")
    return [(f"{key}[{i}]", item) for i, item in enumerate(items)]


def load_policy(path: pathlib.Path) -> Policy:
    """The policy file at `path`; any problem is one BadInput line naming the file and the place."""
    path = pathlib.Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such policy file") from None
    except OSError as e:
        raise BadInput(f"{path}: cannot read: {e.strerror or e}") from None
    return parse_policy(data, path)


def parse_policy(data: bytes, path: pathlib.Path) -> Policy:
    """Any byte string becomes a Policy or a one-line BadInput (tests/test_policy_fuzz.py feeds random ones)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise BadInput(f"{path}: line {line} (byte {e.start}): not UTF-8 text ({e.reason})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise BadInput(f"{path}: invalid TOML: {' '.join(str(e).split())}") from None
    except ValueError as e:  # tomllib's int() refuses integers of more than 4300 digits
        raise BadInput(f"{path}: invalid TOML: {_short(' '.join(str(e).split()), 120)}") from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise BadInput(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    _keys(path, "", doc, _TOP_KEYS)
    p = Policy(path)
    if "default_metric" in doc:
        if not isinstance(doc["default_metric"], str):
            raise BadInput(f"{path}: default_metric must be a metric name")
        p.default_metric = doc["default_metric"]
    if "default_threshold" in doc:
        p.default_threshold = _threshold(path, "default_threshold", doc["default_threshold"])
    if "min_repetitions" in doc:
        p.min_repetitions = _repetitions(path, "min_repetitions", doc["min_repetitions"])
    if "confidence" in doc:
        c = doc["confidence"]
        if isinstance(c, bool) or not isinstance(c, float) or not 0.5 <= c < 1:
            raise BadInput(f"{path}: confidence must be a fraction in [0.5, 1), e.g. 0.95; got {_value(c)}")
        p.confidence = c
    if "paired_value" in doc:
        # isinstance first: a TOML array or table is unhashable, and `in` a dict would raise TypeError
        if not isinstance(doc["paired_value"], str) or doc["paired_value"] not in stats.PAIRED_VALUES:
            raise BadInput(f"{path}: paired_value must be one of {', '.join(map(repr, stats.PAIRED_VALUES))}; got "
                           f"{_value(doc['paired_value'])}")
        p.paired_value = doc["paired_value"]
    p.thresholds = _thresholds(path, "thresholds", doc.get("thresholds", {}))
    for where, o in _array_of_tables(path, doc, "overrides"):
        _keys(path, f"{where}: ", o, _OVERRIDE_KEYS)
        pattern = _pattern(path, where, o)
        if not isinstance(o.get("ignore", False), bool) or not isinstance(o.get("reason", ""), str):
            raise BadInput(f"{path}: {where}: ignore must be true or false and reason a string")
        reps = _repetitions(path, f"{where}.min_repetitions", o["min_repetitions"]) if "min_repetitions" in o else None
        p.overrides.append(Override(pattern, _thresholds(path, f"{where}.thresholds", o.get("thresholds", {})),
                                    reps, o.get("ignore", False), o.get("reason", "")))
    for where, r in _array_of_tables(path, doc, "removed"):
        _keys(path, f"{where}: ", r, _REMOVED_KEYS)
        pattern = _pattern(path, where, r)
        reason = r.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise BadInput(f"{path}: {where}: needs a reason (why the benchmark is gone: renamed to what, "
                           f"or why it was dropped)")
        p.removed.append(Removed(pattern, reason.strip()))
    _known_metric(path, "default_metric", p.default_metric)
    return p


def _known_metric(path, where: str, name) -> None:
    """A metric name of the policy must be one the suites declare (the built binaries' descriptions). With no
    description to read, names are taken as written: run_check refuses to gate on an undeclared one."""
    registry = metrics.default()
    if registry.empty or (isinstance(name, str) and registry.lookup(name) is not None):
        return
    raise BadInput(f"{path}: {where}: unknown metric {_value(name)}; known metrics: {', '.join(registry.known_names())}")


# ---------------------------------------------------------------- the gate rule

def _invert(x: float) -> float:
    return math.inf if x == 0 else (0.0 if x == math.inf else 1.0 / x)


def worse_interval(estimate: stats.RatioEstimate, metric: metrics.Metric) -> tuple[float, float]:
    """The interval oriented so that above 1 is worse: B/A for lower-is-better, A/B for higher-is-better."""
    if metric.better == metrics.LOWER:
        return estimate.low, estimate.high
    return _invert(estimate.high), _invert(estimate.low)


def gate(estimate: stats.RatioEstimate, metric: metrics.Metric, rule: Rule) -> tuple[str, str]:
    """("pass" | "regression" | "unresolved", explanation)."""
    reason = compare.too_few(metric, estimate, rule.min_repetitions)
    if reason:
        return "unresolved", reason
    low, high = worse_interval(estimate, metric)
    limit = 1.0 + rule.threshold
    # The limit in B/A terms, as printed: above 1+t for lower-is-better, below 1/(1+t) for higher-is-better.
    side, limit_ba = ("above", limit) if metric.better == metrics.LOWER else ("below", 1.0 / limit)
    ci = f"{compare.pct(estimate.confidence)} CI [{compare.fmt_ratio(estimate.low)}, {compare.fmt_ratio(estimate.high)}]"
    if low > limit:
        return "regression", f"{metric.words[1]}: B/A {compare.fmt_ratio(estimate.ratio)}, {ci} entirely {side} {limit_ba:.3f}"
    if high <= limit:
        return "pass", ""
    return "unresolved", f"B/A {compare.fmt_ratio(estimate.ratio)}, {ci} crosses the limit {limit_ba:.3f}"


# ---------------------------------------------------------------- the check as a whole

@dataclass
class Result:
    """One benchmark's outcome: pass, regression, unresolved, missing (a failure), or a skip."""
    entry: compare.Entry
    outcome: str
    detail: str
    rule: Rule | None = None


SKIPS = ("ignored", "removed", "new", "no metric")
DECIDED = ("pass", "regression", "unresolved")
FAILURES = ("regression", "missing")


def evaluate(entries: list[compare.Entry], metric: metrics.Metric, policy: Policy) -> list[Result]:
    """Per benchmark, in this order of precedence:
    - only in the baseline: "removed" if a [[removed]] entry names it, else "missing" (a failure: a benchmark
      that was renamed or stopped registering would otherwise never be gated again). An `ignore` override
      does not excuse it: ignoring says "too noisy to gate", not "gone";
    - only in the current result: "new" (listed);
    - ignored by an override: "ignored", whatever its rows (errors included);
    - an error on either side: "unresolved" (the benchmark ran but could not be measured, so nothing can be
      said about it; a failing benchmark is the job of `run`'s exit 1 and the tests, not of a regression gate);
    - the metric on one side only: "unresolved"; on neither: "no metric" (listed, not gated);
    - otherwise the rule of `gate()`: pass, regression or unresolved."""
    results = []
    for e in entries:
        rule = policy.rule_for(e.name, metric.name)
        if e.status == "only in baseline":
            removal = policy.removal_of(e.name)
            if removal:
                results.append(Result(e, "removed", f"removed by the policy ({removal.pattern.pattern!r}: "
                                                    f"{removal.reason})"))
            else:
                results.append(Result(e, "missing", "in the baseline, not in the current result (name it in the "
                                                    "policy's [[removed]] with a reason if it is gone on purpose)"))
        elif e.status == "only in current":
            results.append(Result(e, "new", "in the current result, not in the baseline"))
        elif rule.ignore:
            results.append(Result(e, "ignored", f"ignored by the policy ({rule.pattern!r}"
                                                f"{': ' + rule.reason if rule.reason else ''})", rule))
        elif e.status == "error":
            results.append(Result(e, "unresolved", e.note, rule))
        elif e.status == "no metric":
            results.append(Result(e, "no metric" if e.metric_on_neither else "unresolved", e.note, rule))
        else:
            outcome, detail = gate(e.estimate, metric, rule)
            est = e.estimate
            medians = f"median {compare.fmt_value(est.median_a, metric)} -> {compare.fmt_value(est.median_b, metric)}"
            detail = f"{detail} ({medians})" if detail else f"B/A {compare.fmt_ratio(est.ratio)} ({medians})"
            if e.note:
                detail += f"; {e.note}"
            results.append(Result(e, outcome, detail, rule))
    return results


def policy_notes(results: list[Result], policy: Policy) -> list[str]:
    """[[removed]] entries that name a benchmark still present (gated as usual) or nothing in the baseline."""
    notes = []
    for r in policy.removed:
        present = [x.entry.name for x in results if x.entry.a is not None and x.entry.b is not None
                   and r.pattern.search(x.entry.name)]
        if present:
            notes.append(f"[[removed]] {r.pattern.pattern!r} matches {len(present)} benchmark(s) still present "
                         f"(gated as usual), e.g. {present[0]}")
        elif not any(x.entry.a is not None and r.pattern.search(x.entry.name) for x in results):
            notes.append(f"[[removed]] {r.pattern.pattern!r} matches no baseline benchmark (stale once the "
                         f"baseline is refreshed: delete it)")
    return notes


def exit_code(results: list[Result]) -> int:
    outcomes = {r.outcome for r in results}
    if outcomes & set(FAILURES):
        return EXIT_FAILED
    if "unresolved" in outcomes:
        return EXIT_UNRESOLVED
    return EXIT_OK


LABELS = {"regression": "REGRESSION", "missing": "MISSING", "unresolved": "UNRESOLVED", "removed": "REMOVED",
          "new": "NEW", "ignored": "IGNORED"}


def summary_text(results, metric, policy, labels: tuple[str, str], notes) -> str:
    counts = _counts(results)
    limit = 1 + policy.thresholds.get(metric.name, policy.default_threshold)
    shown_limit = f"above {limit:.3f}" if metric.better == metrics.LOWER else f"below {1 / limit:.3f}"
    out = [f"hotbench check: {metric.name} ({metric.better_text})", f"  baseline: {labels[0]}",
           f"  current:  {labels[1]}",
           f"  policy:   {policy.path}" + (f" ({len(policy.overrides)} override(s))" if policy.overrides else "")
           + (f" ({len(policy.removed)} removed)" if policy.removed else ""),
           f"  rule:     regression when the whole {compare.pct(policy.confidence)} CI of current/baseline lies "
           f"{shown_limit}; min {policy.min_repetitions} repetitions"
           + (" (1 if identical in every repetition)" if metric.deterministic else "")
           + "; a baseline benchmark missing from current fails"]
    out += [f"note: {n}" for n in notes]
    decided = sum(counts[k] for k in DECIDED)
    out.append(f"{decided} benchmarks checked: {counts['pass']} pass, {counts['regression']} regression(s), "
               f"{counts['unresolved']} unresolved")
    out.append(f"{counts['missing']} missing from current (a failure), {counts['removed']} removed by the policy, "
               f"{counts['new']} new; not gated: {counts['ignored']} ignored, "
               f"{counts['no metric']} without {metric.name}")
    listed = [r for k in LABELS for r in results if r.outcome == k]
    if listed:
        out.append("")
        out += [f"{LABELS[r.outcome]:<10}  {r.entry.name}: {r.detail}" for r in listed]
    out += ["", f"result: {verdict_text(results)}"]
    return "\n".join(out) + "\n"


def _counts(results) -> dict:
    return {k: sum(r.outcome == k for r in results) for k in DECIDED + ("missing",) + SKIPS}


def verdict_text(results) -> str:
    counts, code = _counts(results), exit_code(results)
    failures = [f"{counts['regression']} regression(s)"] if counts["regression"] else []
    failures += [f"{counts['missing']} benchmark(s) missing"] if counts["missing"] else []
    verdict = {EXIT_OK: "PASS", EXIT_FAILED: f"FAIL: {', '.join(failures)}",
               EXIT_UNRESOLVED: f"UNRESOLVED: {counts['unresolved']} benchmark(s) could not be decided"}[code]
    return f"{verdict} (exit {code})"


def markdown_text(results, metric, labels: tuple[str, str], notes) -> str:
    """The summary for a pull-request comment or a CI run's page: the verdict, the counts, every benchmark that
    did not pass (as the terminal text lists them) and the notes."""
    md, counts = compare.markdown_cell, _counts(results)
    decided = sum(counts[k] for k in DECIDED)
    out = [f"### hotbench check: {verdict_text(results)}", "",
           f"`{metric.name}` ({metric.better_text}); baseline: {md(labels[0])}; current: {md(labels[1])}", "",
           f"{decided} benchmarks checked: {counts['pass']} pass, {counts['regression']} regression(s), "
           f"{counts['unresolved']} unresolved; {counts['missing']} missing from current, {counts['removed']} "
           f"removed by the policy, {counts['new']} new, {counts['ignored']} ignored, {counts['no metric']} "
           f"without {metric.name}.", ""]
    listed = [r for k in LABELS for r in results if r.outcome == k]
    if listed:
        out += ["| outcome | benchmark | detail |", "| --- | --- | --- |"]
        out += [f"| {LABELS[r.outcome]} | `{md(r.entry.name)}` | {md(r.detail)} |" for r in listed]
        out.append("")
    out += [f"- note: {n}" for n in notes]
    return "\n".join(out).rstrip("\n") + "\n"


def junit_text(results: list[Result], metric: metrics.Metric, labels: tuple[str, str]) -> str:
    """One testcase per benchmark: <failure> for a regression or a missing benchmark, <skipped> for the rest
    that did not pass (unresolved, removed, new, ignored, no metric)."""
    cases = [(r.entry.name, "failure" if r.outcome in FAILURES else "pass" if r.outcome == "pass" else "skipped",
              r.detail if r.outcome in FAILURES else f"{r.outcome}: {r.detail}", r.outcome) for r in results]
    return junit_document(f"hotbench check {metric.name}", f"hotbench.{metric.name}", cases,
                          {"metric": metric.name, "baseline": labels[0], "current": labels[1]}, "hotbench check")


def junit_document(suite_name: str, classname: str, cases: list[tuple], properties: dict,
                   name: str | None = None) -> str:
    """JUnit XML of one test suite: `cases` are (name, "pass" | "failure" | "skipped", message, type)."""
    failures = sum(outcome == "failure" for _, outcome, *_ in cases)
    skipped = sum(outcome == "skipped" for _, outcome, *_ in cases)
    suite = ET.Element("testsuite", name=suite_name, tests=str(len(cases)), failures=str(failures), errors="0",
                       skipped=str(skipped), time="0")
    props = ET.SubElement(suite, "properties")
    for key, value in properties.items():
        ET.SubElement(props, "property", name=key, value=str(value))
    for case_name, outcome, message, kind in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=case_name, time="0")
        if outcome == "failure":
            ET.SubElement(case, "failure", message=message, type=kind).text = message
        elif outcome == "skipped":
            ET.SubElement(case, "skipped", message=message)
    root = ET.Element("testsuites", name=name or suite_name, tests=suite.get("tests"), failures=suite.get("failures"),
                      errors="0", skipped=suite.get("skipped"))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- command line

def add_arguments(p):
    p.add_argument("--baseline", type=pathlib.Path, required=True, metavar="B",
                   help="the reference result: a result set directory, a tidy CSV or Google Benchmark JSON")
    p.add_argument("--current", type=pathlib.Path, required=True, metavar="C", help="the result to check (same kinds)")
    p.add_argument("--policy", type=pathlib.Path, default=DEFAULT_POLICY, metavar="FILE",
                   help="the gate's policy (TOML, every key documented there)")
    p.add_argument("--metric", metavar="NAME", help="the metric to gate on (default: the policy's default_metric)")
    add_outputs(p)
    p.add_argument("--allow-incomplete", action="store_true", help="read result sets marked INCOMPLETE")
    p.add_argument("--force", action="store_true",
                   help="compare even when the builds or workload inputs differ (each difference becomes a note)")


def add_outputs(p):
    """check's and gate's -o: JUnit XML, or with a .md suffix the Markdown summary; repeatable."""
    cli.add_output(p, "also write JUnit XML (.xml, or any other suffix) or the Markdown summary (.md) here, "
                      "atomically; repeatable", dest="junit", formats={".md": "markdown", ".xml": "junit", "": "junit"})
    cli.add_deprecated(p, "--junit", dest="junit", instead="-o FILE")


def run_check(baseline: pathlib.Path, current: pathlib.Path, policy: Policy, metric_name: str | None = None,
              junit: pathlib.Path | None = None, allow_incomplete: bool = False, baseline_label: str | None = None,
              accept_differences: bool = False, notes: tuple = (), markdown: pathlib.Path | None = None) -> int:
    """The check of `current` against `baseline`, printed; returns the exit code. `accept_differences`:
    fingerprint differences become notes instead of exit 3 (the gate, after rebuilding the baseline's
    commit with this toolchain, where any remaining difference was made by the code under test)."""
    rows_b, meta_b = compare.load(baseline, allow_incomplete)
    rows_c, meta_c = compare.load(current, allow_incomplete)
    registry = metrics.for_results(meta_b, meta_c)
    metric = registry.resolve(metric_name or policy.default_metric,
                              compare.numeric_columns(rows_b) | compare.numeric_columns(rows_c))
    gateable = ', '.join(m.name for m in registry.all() if m.better)
    if not metric.declared:
        raise BadInput(f"{metric.name}: direction unknown ({registry.consulted} declare no such metric), so it "
                       f"cannot be gated; gate on one of: {gateable or 'none known'}")
    if metric.better is None:
        raise BadInput(f"{metric.name} has no better direction, so it cannot regress; gate on one of: {gateable}")
    differences, comparability_notes = compare.comparability(meta_b, meta_c, "baseline", "current")
    if differences and not accept_differences:
        raise BadInput(f"not comparable: {baseline} and {current} were built differently "
                       f"({'; '.join(differences)}); {REFRESH_HINT}")
    runs = compare.between_runs(meta_b, meta_c, "baseline", "current")  # different machines or days: widen
    entries = compare.match(rows_b, rows_c, metric, policy.confidence, "baseline", "current", runs,
                            policy.paired_value)
    results = evaluate(entries, metric, policy)
    if not any(r.outcome in DECIDED + ("missing",) for r in results):
        # Nothing was compared and nothing of the baseline is missing: never a pass without a comparison.
        if all(e.status.startswith("only in ") for e in entries):
            raise BadInput(f"nothing comparable: no benchmark of {current} is in the baseline {baseline}; "
                           f"{REFRESH_HINT}")
        raise BadInput(f"nothing comparable: no benchmark has {metric.name} in {baseline} and {current} "
                       f"(or every common one is ignored by the policy {policy.path})")
    labels = (baseline_label or str(baseline), str(current))
    all_notes = list(notes) + list(runs.notes) + [f"differs: {d}" for d in differences] + comparability_notes
    all_notes += policy_notes(results, policy)
    sys.stdout.write(summary_text(results, metric, policy, labels, all_notes))
    sys.stdout.flush()
    if junit:
        compare.write_output(junit, junit_text(results, metric, labels))
    if markdown:
        compare.write_output(markdown, markdown_text(results, metric, labels, all_notes))
    return exit_code(results)


def main(args) -> int:
    policy = load_policy(args.policy)
    return run_check(args.baseline, args.current, policy, args.metric, args.junit, args.allow_incomplete,
                     accept_differences=getattr(args, "force", False), markdown=args.markdown)
