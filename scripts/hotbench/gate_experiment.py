"""`hotbench gate-experiment`: how well does the regression gate work on this machine?

Measures, with the real `run` and `check` subcommands:
- time mode (real_time_ns, repetitions in separate processes, random interleaving): the
  false-positive rate over A/A comparisons (the same binary against itself), and the detection
  rate for slowdowns of 2 %, 5 % and 10 % injected with --inject-slowdown (the benchmark repeats
  its own operation for that share of iterations: an exact amount of extra work);
- instruction mode (instructions_per_op under callgrind): the same, which should be exact.
A "comparison" is one benchmark's verdict in one `check` of a pair of result sets.

Output (in -o/--output, default results/gate-experiment/): summary.json, summary.md (the table the
README quotes) and noise_floor.csv (per benchmark: the spread of A/A median ratios in time mode).
"""

import datetime
import json
import pathlib
import tempfile
import xml.etree.ElementTree as ET

from . import atomic, check, cli, gate_time, runner, stats, tidy
from .errors import EXIT_FAILED, HotbenchError

np = cli.LazyModule("numpy")  # imported on first use: `hotbench --help` works without numpy

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_FILTER = r"json/(parse|serialize)/(boost_json|rapidjson:precise|simdjson:dom|nlohmann)/(orders|social)$"


def add_arguments(p):
    p.add_argument("--filter", default=DEFAULT_FILTER, metavar="REGEX",
                   help="the benchmarks to use (a Google Benchmark regex)")
    p.add_argument("--aa-pairs", type=int, default=13, metavar="N",
                   help="time-mode A/A pairs of result sets (comparisons = pairs x benchmarks)")
    p.add_argument("--detect-pairs", type=int, default=4, metavar="N", help="time-mode pairs per injected slowdown")
    p.add_argument("--slowdowns", default="0.02,0.05,0.10", metavar="LIST",
                   help="injected slowdowns (comma-separated fractions of extra work)")
    p.add_argument("--repetitions", type=int, default=5, metavar="N", help="time mode: repetitions per process")
    p.add_argument("--processes", type=int, default=2, metavar="N",
                   help="time mode: separate processes per result set (`run --processes`)")
    p.add_argument("--min-time", type=float, default=0.05, metavar="SECONDS",
                   help="time mode: minimum time per repetition")
    p.add_argument("--iterations", type=int, default=100, metavar="N",
                   help="instruction mode: iterations per benchmark (>= 1/smallest slowdown)")
    p.add_argument("--skip-instructions", action="store_true", help="time modes only")
    p.add_argument("--paired", type=int, default=0, metavar="PAIRS",
                   help="also the paired time mode (`gate --time`): the build against itself in PAIRS pairs of "
                        "processes (run --paired-with), timed as gate --time times (its corpus, repetitions, "
                        "CPU and layout; not --repetitions and --min-time), judged pair by pair at "
                        "--paired-threshold (default: %(default)s, not measured)")
    p.add_argument("--paired-threshold", default=f"{gate_time.gate.TIME_THRESHOLD:g}", metavar="LIST",
                   help="the paired mode's real_time_ns thresholds, as gate --time's --threshold (comma-separated "
                        "fractions: each judges the same runs; default: %(default)s)")
    p.add_argument("--paired-value", default=stats.PAIRED_DEFAULT, metavar="LIST",
                   help="the paired mode's values of a process, as the policy's paired_value (comma-separated: "
                        "each judges the same runs; default: %(default)s)")
    p.add_argument("--paired-unpinned", action="store_true",
                   help="the paired mode without gate --time's --pin-cpu and --fixed-layout (to measure what "
                        "they bring)")
    p.add_argument("--skip-unpaired", action="store_true", help="leave out the unpaired time mode")
    out = ROOT / "results" / "gate-experiment"
    cli.add_output(p, "the folder written: summary.json, summary.md, noise_floor.csv", dest="out", metavar="DIR",
                   default=out)
    cli.add_deprecated(p, "--out", dest="out", instead="-o/--output DIR", default=out)


def _run(results: pathlib.Path, *args: str) -> pathlib.Path:
    before = set(results.iterdir()) if results.exists() else set()
    code = cli.main(["run", "--output", str(results), *args])
    if code != 0:
        raise HotbenchError(f"a run for the experiment failed (exit {code})", EXIT_FAILED)
    (new,) = set(results.iterdir()) - before
    return new


def _run_paired(results: pathlib.Path, *args: str) -> tuple[pathlib.Path, pathlib.Path]:
    """One paired run of the release build against itself: (baseline side, current side); an injected
    slowdown lands on the current side only (run --paired-with)."""
    before = set(results.iterdir()) if results.exists() else set()
    code = cli.main(["run", "--output", str(results), "--paired-with", str(ROOT / "build" / "release"), *args])
    if code != 0:
        raise HotbenchError(f"a paired run for the experiment failed (exit {code})", EXIT_FAILED)
    sides = {json.loads((d / "metadata.json").read_text())["pairing"]["side"]: d
             for d in set(results.iterdir()) - before}
    return sides[1], sides[0]


def _verdicts(baseline: pathlib.Path, current: pathlib.Path, metric: str, work: pathlib.Path,
              policy: pathlib.Path | None = None) -> dict:
    """benchmark -> 'regression' | 'unresolved' | 'pass', from check's JUnit output."""
    junit = work / f"{baseline.name}-{current.name}.xml"
    # --force: the injected slowdown is part of the workload fingerprint, and differing is the point here.
    cli.main(["check", "--baseline", str(baseline), "--current", str(current), "--metric", metric,
              "--output", str(junit), "--force", *(["--policy", str(policy)] if policy else [])])
    if not junit.exists():
        raise HotbenchError(f"check wrote no JUnit file for {baseline} vs {current}", EXIT_FAILED)
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        skipped = case.find("skipped")
        if case.find("failure") is not None:
            out[case.get("name")] = "regression"
        elif skipped is None:
            out[case.get("name")] = "pass"
        elif (skipped.get("message") or "").startswith("unresolved"):
            out[case.get("name")] = "unresolved"
        # missing/new/ignored benchmarks are not comparisons
    return out


def _tally(verdict_sets: list[dict]) -> dict:
    flat = [v for vs in verdict_sets for v in vs.values()]
    n = len(flat)
    count = {k: sum(v == k for v in flat) for k in ("regression", "unresolved", "pass")}
    return {"comparisons": n, **count, "flagged_rate": count["regression"] / n if n else None}


def _median_ratios(pairs: list[tuple[pathlib.Path, pathlib.Path]], metric: str) -> dict:
    ratios = {}
    for a, b in pairs:
        med = []
        for side in (a, b):
            rows, _ = tidy.load_rows(side)
            by = {}
            for r in rows:
                if r["status"] == "ok" and r.get(metric):
                    by.setdefault(r["benchmark"], []).append(r[metric])
            med.append({k: float(np.median(v)) for k, v in by.items()})
        for k in med[0].keys() & med[1].keys():
            ratios.setdefault(k, []).append(med[1][k] / med[0][k])
    return ratios


def thresholds(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        values = []
    if not values or any(not 0 <= v < 1 for v in values):
        raise HotbenchError(f"--paired-threshold {text}: expected comma-separated fractions in [0, 1), e.g. 0.01,0.03")
    return values


def paired_values(text: str) -> list[str]:
    values = text.split(",")
    if any(v not in stats.PAIRED_VALUES for v in values):
        raise HotbenchError(f"--paired-value {text}: expected comma-separated values among "
                            f"{', '.join(stats.PAIRED_VALUES)}")
    return values


def paired_experiment(args, work: pathlib.Path) -> dict:
    """The paired time mode: A/A and injected slowdowns, each comparison from one paired run timed as
    gate --time times, judged at each threshold of --paired-threshold and each value of --paired-value
    (the same runs: they differ only in the rule)."""
    metric = "real_time_ns"
    results = work / "time_paired"
    # gate --time's rule: the policy's confidence and overrides, its own threshold for time.
    text, line = check.DEFAULT_POLICY.read_text(encoding="utf-8"), "\nreal_time_ns = 0.10"
    value_line = f'\npaired_value = "{stats.PAIRED_DEFAULT}"'
    if line not in text or value_line not in text:
        raise HotbenchError(f"{check.DEFAULT_POLICY}: no `{line.strip()}` or `{value_line.strip()}` line to "
                            "replace for the paired mode")
    policies = {}
    for value in paired_values(args.paired_value):
        for t in thresholds(args.paired_threshold):
            policies[value, t] = work / f"paired-{value}-{t}.toml"
            atomic.write_text(policies[value, t], text.replace(line, f"\nreal_time_ns = {t}").replace(
                value_line, f'\npaired_value = "{value}"'))
    timing = gate_time.timing_arguments(args.paired, pinned=not args.paired_unpinned)
    common = ["--filter", args.filter, *timing]
    aa = [_run_paired(results, *common) for _ in range(args.aa_pairs)]
    detection = {f"{s:.0%}": [_run_paired(results, *common, "--inject-slowdown", f".:{s}")
                              for _ in range(args.detect_pairs)] for s in [float(x) for x in args.slowdowns.split(",")]}
    out = {}
    launch = "unpinned" if args.paired_unpinned else "pinned, fixed layout"
    for (value, t), policy in policies.items():
        out[f"time, paired ({launch}, {value}), threshold {t:.0%}"] = {
            "metric": metric, "pairs": args.paired, "threshold": t, "paired_value": value, "launch": launch,
            "timing": timing,
            "aa": _tally([_verdicts(a, b, metric, work, policy) for a, b in aa]),
            "detection": {label: _tally([_verdicts(a, b, metric, work, policy) for a, b in runs])
                          for label, runs in detection.items()}}
    return out


def experiment(args, mode: str, work: pathlib.Path) -> dict:
    metric = "real_time_ns" if mode == "time" else "instructions_per_op"
    results = work / mode
    common = ["--filter", args.filter]
    if mode == "time":
        common += ["--repetitions", str(args.repetitions), "--processes", str(args.processes),
                   "--min-time", str(args.min_time)]
        aa_pairs, detect_pairs = args.aa_pairs, args.detect_pairs
    else:
        # The gate's own setting: the tiny corpus (valgrind is ~50x slower than native).
        tiny = runner.ensure_corpus("tiny")[0].parent
        # 100 iterations: the injected work comes in whole operations, so 2 % needs N >= 50.
        common += ["--instructions", "--iterations", str(args.iterations), "--data", str(tiny)]
        aa_pairs, detect_pairs = 1, 1  # counts are exact: one pair says all there is
    aa = [(_run(results, *common), _run(results, *common)) for _ in range(aa_pairs)]
    out = {"metric": metric, "aa": _tally([_verdicts(a, b, metric, work) for a, b in aa]), "detection": {}}
    for s in [float(x) for x in args.slowdowns.split(",")]:
        pairs = [(_run(results, *common), _run(results, *common, "--inject-slowdown", f".:{s}"))
                 for _ in range(detect_pairs)]
        out["detection"][f"{s:.0%}"] = _tally([_verdicts(a, b, metric, work) for a, b in pairs])
    out["aa_median_ratios"] = _median_ratios(aa, metric)
    return out


def markdown(summary: dict) -> str:
    lines = ["| mode | injected slowdown | comparisons | flagged as regression | unresolved | passed |",
             "| --- | --- | --- | --- | --- | --- |"]
    for mode, res in summary["modes"].items():
        rows = [("none (A/A)", res["aa"])] + list(res["detection"].items())
        for label, t in rows:
            lines.append(f"| {mode} | {label} | {t['comparisons']} | {t['regression']} ({t['flagged_rate']:.0%}) "
                         f"| {t['unresolved']} | {t['pass']} |")
    return "\n".join(lines) + "\n"


def main(args) -> int:
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    if args.paired:
        thresholds(args.paired_threshold)  # a usage error before an hour of runs, not after
        paired_values(args.paired_value)
    modes = ([] if args.skip_unpaired else ["time"]) + ([] if args.skip_instructions else ["instructions"])
    summary = {"started_utc": started, "filter": args.filter, "settings": {
        k: getattr(args, k) for k in ("aa_pairs", "detect_pairs", "slowdowns", "repetitions", "processes",
                                      "min_time", "iterations", "paired", "paired_threshold", "paired_value",
                                      "paired_unpinned")}, "modes": {}}
    with tempfile.TemporaryDirectory(prefix="hotbench-gate-experiment-") as tmp:
        for mode in modes:
            summary["modes"][mode] = experiment(args, mode, pathlib.Path(tmp))
        if args.paired:
            summary["modes"].update(paired_experiment(args, pathlib.Path(tmp)))
    summary["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    args.out.mkdir(parents=True, exist_ok=True)
    noise = ["benchmark,aa_pairs,max_abs_log_ratio,p95_abs_ratio_change"]
    # The between-run noise floor (compare widens by it) is the unpaired mode's: without it, none is written.
    time_mode = summary["modes"].get("time")
    for name, ratios in sorted((time_mode or {}).pop("aa_median_ratios", {}).items()):
        r = np.abs(np.array(ratios) - 1)
        noise.append(f"{name},{len(ratios)},{float(np.max(np.abs(np.log(ratios)))):.4f},"
                     f"{float(np.percentile(r, 95)):.4f}")
    for mode in summary["modes"].values():
        mode.pop("aa_median_ratios", None)
    if time_mode is not None:
        atomic.write_text(args.out / "noise_floor.csv", "\n".join(noise) + "\n")
    atomic.write_text(args.out / "summary.json", json.dumps(summary, indent=2) + "\n")
    atomic.write_text(args.out / "summary.md", markdown(summary))
    print(markdown(summary))
    return 0
