"""`hotbench check --baseline B --current C`: the CI regression gate.

Exit codes: 0 pass; 1 at least one regression; 2 no regression, but at least one benchmark could not
be decided (unresolved); 3 error: unreadable input, a bad policy, nothing comparable, or baseline and
current built differently (not comparable: refresh the baseline, see README, 'CI gate').

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
Benchmarks in one result only, without the metric on both sides, or ignored by the policy are listed
and do not change the exit code.

--junit FILE writes JUnit XML (one testcase per benchmark: a <failure> for a regression, <skipped> for
everything not decided as pass), atomically.
"""

import math
import pathlib
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from . import compare, metadata, metrics, stats
from .errors import BadInput, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_UNRESOLVED

EXIT_ERROR = EXIT_BAD_INPUT
DEFAULT_POLICY = metadata.ROOT / "results" / "gate.toml"
REFRESH_HINT = "refresh the baseline (see README, 'CI gate')"

# Built-in values for keys a policy file leaves out.
DEFAULTS = {"default_metric": "real_time_ns", "default_threshold": 0.10, "min_repetitions": 3, "confidence": 0.95}


# ---------------------------------------------------------------- the policy file

@dataclass(frozen=True)
class Override:
    pattern: re.Pattern
    thresholds: dict
    min_repetitions: int | None
    ignore: bool
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
    thresholds: dict = field(default_factory=dict)
    overrides: list = field(default_factory=list)

    def rule_for(self, name: str, metric: str) -> Rule:
        """The first override whose pattern matches the benchmark's name wins; unset keys fall back."""
        threshold = self.thresholds.get(metric, self.default_threshold)
        for o in self.overrides:
            if o.pattern.search(name):
                return Rule(o.thresholds.get(metric, threshold),
                            o.min_repetitions if o.min_repetitions is not None else self.min_repetitions,
                            o.ignore, o.reason, o.pattern.pattern)
        return Rule(threshold, self.min_repetitions)


_TOP_KEYS = {"default_metric", "default_threshold", "min_repetitions", "confidence", "thresholds", "overrides"}
_OVERRIDE_KEYS = {"pattern", "thresholds", "min_repetitions", "ignore", "reason"}


def _threshold(path, where, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value < math.inf):
        raise BadInput(f"{path}: {where}: a threshold is a non-negative fraction (0.10 = 10 %), got {value!r}")
    return float(value)


def _repetitions(path, where, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadInput(f"{path}: {where}: must be a whole number >= 1, got {value!r}")
    return value


def _thresholds(path, where, table) -> dict:
    if not isinstance(table, dict):
        raise BadInput(f"{path}: {where}: must be a table of metric = threshold")
    out = {}
    for name, value in table.items():
        if name not in metrics.METRICS:
            raise BadInput(f"{path}: {where}: unknown metric {name!r}; known metrics: "
                           f"{', '.join(metrics.known_names())}")
        out[name] = _threshold(path, f"{where}.{name}", value)
    return out


def load_policy(path: pathlib.Path) -> Policy:
    path = pathlib.Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path}: no such policy file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise BadInput(f"{path}: invalid TOML: {e}") from None
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise BadInput(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_TOP_KEYS))}")
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
            raise BadInput(f"{path}: confidence must be a fraction in [0.5, 1), e.g. 0.95; got {c!r}")
        p.confidence = c
    p.thresholds = _thresholds(path, "thresholds", doc.get("thresholds", {}))
    overrides = doc.get("overrides", [])
    if not isinstance(overrides, list):
        raise BadInput(f"{path}: overrides must be an array of tables ([[overrides]])")
    for i, o in enumerate(overrides):
        where = f"overrides[{i}]"
        if not isinstance(o, dict):
            raise BadInput(f"{path}: {where}: must be a table")
        unknown = sorted(set(o) - _OVERRIDE_KEYS)
        if unknown:
            raise BadInput(f"{path}: {where}: unknown key(s) {', '.join(unknown)}; "
                           f"known: {', '.join(sorted(_OVERRIDE_KEYS))}")
        if not isinstance(o.get("pattern"), str):
            raise BadInput(f"{path}: {where}: needs a pattern (a regular expression searched in the benchmark name)")
        try:
            pattern = re.compile(o["pattern"])
        except re.error as e:
            raise BadInput(f"{path}: {where}: pattern {o['pattern']!r} is not a valid regular expression: {e}") from None
        if not isinstance(o.get("ignore", False), bool) or not isinstance(o.get("reason", ""), str):
            raise BadInput(f"{path}: {where}: ignore must be true or false and reason a string")
        reps = _repetitions(path, f"{where}.min_repetitions", o["min_repetitions"]) if "min_repetitions" in o else None
        p.overrides.append(Override(pattern, _thresholds(path, f"{where}.thresholds", o.get("thresholds", {})),
                                    reps, o.get("ignore", False), o.get("reason", "")))
    if p.default_metric not in metrics.METRICS:
        raise BadInput(f"{path}: default_metric: unknown metric {p.default_metric!r}; known metrics: "
                       f"{', '.join(metrics.known_names())}")
    return p


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
    """One benchmark's outcome: pass, regression, unresolved, or a skip (missing, new, ignored, no metric)."""
    entry: compare.Entry
    outcome: str
    detail: str
    rule: Rule | None = None


SKIPS = ("ignored", "missing", "new", "no metric")


def evaluate(entries: list[compare.Entry], metric: metrics.Metric, policy: Policy) -> list[Result]:
    results = []
    for e in entries:
        rule = policy.rule_for(e.name, metric.name)
        if e.status == "only in baseline":
            results.append(Result(e, "missing", "in the baseline, not in the current result"))
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


def exit_code(results: list[Result]) -> int:
    outcomes = {r.outcome for r in results}
    if "regression" in outcomes:
        return EXIT_FAILED
    if "unresolved" in outcomes:
        return EXIT_UNRESOLVED
    return EXIT_OK


def summary_text(results, metric, policy, args, notes) -> str:
    counts = {k: sum(r.outcome == k for r in results) for k in ("pass", "regression", "unresolved") + SKIPS}
    limit = 1 + policy.thresholds.get(metric.name, policy.default_threshold)
    shown_limit = f"above {limit:.3f}" if metric.better == metrics.LOWER else f"below {1 / limit:.3f}"
    out = [f"hotbench check: {metric.name} ({metric.better_text})", f"  baseline: {args.baseline}",
           f"  current:  {args.current}",
           f"  policy:   {policy.path}" + (f" ({len(policy.overrides)} override(s))" if policy.overrides else ""),
           f"  rule:     regression when the whole {compare.pct(policy.confidence)} CI of current/baseline lies "
           f"{shown_limit}; min {policy.min_repetitions} repetitions"
           + (" (1 if identical in every repetition)" if metric.deterministic else "")]
    out += [f"note: {n}" for n in notes]
    decided = counts["pass"] + counts["regression"] + counts["unresolved"]
    out.append(f"{decided} benchmarks checked: {counts['pass']} pass, {counts['regression']} regression(s), "
               f"{counts['unresolved']} unresolved")
    out.append(f"not checked: {counts['ignored']} ignored, {counts['missing']} missing from current, "
               f"{counts['new']} new, {counts['no metric']} without {metric.name}")
    labels = {"regression": "REGRESSION", "unresolved": "UNRESOLVED", "missing": "MISSING", "ignored": "IGNORED"}
    listed = [r for k in labels for r in results if r.outcome == k]
    if listed:
        out.append("")
        out += [f"{labels[r.outcome]:<10}  {r.entry.name}: {r.detail}" for r in listed]
    code = exit_code(results)
    verdict = {EXIT_OK: "PASS", EXIT_FAILED: f"FAIL: {counts['regression']} regression(s)",
               EXIT_UNRESOLVED: f"UNRESOLVED: {counts['unresolved']} benchmark(s) could not be decided"}[code]
    out += ["", f"result: {verdict} (exit {code})"]
    return "\n".join(out) + "\n"


def junit_text(results: list[Result], metric: metrics.Metric, args) -> str:
    suite = ET.Element("testsuite", name=f"hotbench check {metric.name}", tests=str(len(results)),
                       failures=str(sum(r.outcome == "regression" for r in results)), errors="0",
                       skipped=str(sum(r.outcome not in ("pass", "regression") for r in results)), time="0")
    props = ET.SubElement(suite, "properties")
    for name, value in (("metric", metric.name), ("baseline", args.baseline), ("current", args.current)):
        ET.SubElement(props, "property", name=name, value=str(value))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"hotbench.{metric.name}", name=r.entry.name, time="0")
        if r.outcome == "regression":
            ET.SubElement(case, "failure", message=r.detail, type="regression").text = r.detail
        elif r.outcome != "pass":
            ET.SubElement(case, "skipped", message=f"{r.outcome}: {r.detail}")
    root = ET.Element("testsuites", name="hotbench check", tests=suite.get("tests"), failures=suite.get("failures"),
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
                   help="the gate's policy (TOML; default results/gate.toml, every key documented there)")
    p.add_argument("--metric", metavar="NAME", help="the metric to gate on (default: the policy's default_metric)")
    p.add_argument("--junit", type=pathlib.Path, metavar="FILE", help="also write JUnit XML, one testcase per benchmark")
    p.add_argument("--allow-incomplete", action="store_true", help="read result sets marked INCOMPLETE")


def main(args) -> int:
    policy = load_policy(args.policy)
    rows_b, meta_b = compare.load(args.baseline, args.allow_incomplete)
    rows_c, meta_c = compare.load(args.current, args.allow_incomplete)
    metric = metrics.get(args.metric or policy.default_metric)
    if metric.better is None:
        raise BadInput(f"{metric.name} has no better direction, so it cannot regress; gate on one of: "
                       f"{', '.join(m.name for m in metrics.METRICS.values() if m.better)}")
    differences, notes = compare.comparability(meta_b, meta_c, "baseline", "current")
    if differences:
        raise BadInput(f"not comparable: {args.baseline} and {args.current} were built differently "
                       f"({'; '.join(differences)}); {REFRESH_HINT}")
    runs = compare.between_runs(meta_b, meta_c, "baseline", "current")  # different machines or days: widen
    notes += runs.notes
    entries = compare.match(rows_b, rows_c, metric.name, policy.confidence, "baseline", "current", runs)
    if all(e.status.startswith("only in ") for e in entries):
        raise BadInput(f"nothing comparable: no benchmark of {args.current} is in the baseline {args.baseline}; "
                       f"{REFRESH_HINT}")
    if all(e.status.startswith("only in ") or e.metric_on_neither for e in entries):
        raise BadInput(f"nothing comparable: no benchmark has {metric.name} in {args.baseline} and {args.current}")
    results = evaluate(entries, metric, policy)
    sys.stdout.write(summary_text(results, metric, policy, args, notes))
    if args.junit:
        compare.write_output(args.junit, junit_text(results, metric, args))
    return exit_code(results)
