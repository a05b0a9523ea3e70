"""`hotbench overhead RESULT`: what the harness costs, from a run made with `run --overhead`.

For every implementation and dataset that has both a `json/parse/...` row (the harness's case:
a virtual call per operation, the counters) and a `json/parse_bare/...` row (the same loop
written inline without the harness), prints median(parse) / median(parse_bare) of the metric
(real time, or instructions from an `--instructions` run) with a 95 % bootstrap interval, then
the geometric mean per implementation. 1.00 means the harness adds nothing.

    ./hotbench run --overhead --filter 'json/parse(_bare)?/' --repetitions 5 --processes 2
    ./hotbench run --overhead --instructions --data data/corpus-tiny --filter 'json/parse(_bare)?/'

Time on a shared 2-core machine resolves only about +-10 %; instruction counts are exact.
"""

import collections
import pathlib

from . import stats, tidy
from .errors import BadInput


def add_arguments(p):
    p.add_argument("input", type=pathlib.Path, help="a result set (or CSV / Google Benchmark JSON) with bare rows")
    p.add_argument("--metric", default=None, metavar="NAME",
                   help="real_time_ns or instructions_per_op (default: instructions_per_op for an --instructions "
                        "run, real_time_ns otherwise)")


def main(args) -> int:
    rows, meta = tidy.load_rows(args.input)
    metric = args.metric or ("instructions_per_op" if meta.get("profile") == "instructions" else "real_time_ns")
    times = collections.defaultdict(list)
    for r in rows:
        if r["status"] == "ok" and r["task"] in ("parse", "parse_bare") and r.get(metric):
            implementation = r["library"] + (f":{r['variant']}" if r["variant"] else "")
            times[(r["task"], implementation, r["dataset"])].append(r[metric])
    pairs = sorted((impl, ds) for task, impl, ds in times if task == "parse_bare" and ("parse", impl, ds) in times)
    if not pairs:
        raise BadInput(f"{args.input}: no benchmark has both parse and parse_bare rows with {metric} "
                       "(run with --overhead)")
    by_impl = collections.defaultdict(list)
    print(f"harness / bare loop, {metric}")
    print(f"{'implementation':<24} {'dataset':<16} {'harness/bare':>12}  95 % interval")
    for impl, ds in pairs:
        e = stats.ratio_of_medians(times[("parse_bare", impl, ds)], times[("parse", impl, ds)])
        by_impl[impl].append(e)
        print(f"{impl:<24} {ds:<16} {e.ratio:>12.3f}  [{e.low:.3f}, {e.high:.3f}]")
    print()
    print(f"{'implementation':<24} {'geometric mean':>16}")
    for impl, estimates in sorted(by_impl.items()):
        g = stats.geometric_mean(estimates)
        interval = f"  [{g.low:.3f}, {g.high:.3f}]" if g.low is not None else ""
        print(f"{impl:<24} {g.value:>16.3f}{interval}")
    return 0
