"""`hotbench overhead RESULT`: what the harness costs, from a run made with `run --overhead`.

A bare row `<suite>/<task>_bare/<implementation>/<dataset>[/params]` is the loop of the row
`<suite>/<task>/<implementation>/<dataset>[/params]` without the harness (bench/harness/bare.h; the
JSON suite's parse_bare, the serial suite's encode_bare and decode_bare): the same name but for the
task's `_bare`. For every such pair, prints median(harness row) / median(bare row) of the metric (real
time, or instructions from an `--instructions` run) with a 95 % interval, then per suite and
implementation the geometric mean and the worst pair. 1.00 means the harness adds nothing.

    ./hotbench run --overhead --filter 'json/parse(_bare)?/' --repetitions 5 --processes 2
    ./hotbench run --overhead --instructions --data data/corpus-tiny --filter 'json/parse(_bare)?/'
    ./hotbench run --overhead --instructions --suite serial --filter '^serial/(encode|decode)(_bare)?/'

Time on a shared 2-core machine resolves only about +-10 %; instruction counts are exact.
"""

import collections
import pathlib

from . import gbench, stats, tidy
from .errors import BadInput



def add_arguments(p):
    p.add_argument("input", type=pathlib.Path, help="a result set (or CSV / Google Benchmark JSON) with bare rows")
    p.add_argument("--metric", default=None, metavar="NAME",
                   help="real_time_ns or instructions_per_op (default: instructions_per_op for an --instructions "
                        "run, real_time_ns otherwise)")


def implementation(row: dict) -> str:
    return row["library"] + (f":{row['variant']}" if row["variant"] else "")


def pairs(rows: list[dict], metric: str) -> dict:
    """{(suite, task, implementation, dataset, params): (harness values, bare values)} of the metric, for
    every harness row that has a bare twin, both ok."""
    values = collections.defaultdict(list)
    for r in rows:
        if r["status"] == "ok" and r.get("suite") and r.get(metric):
            values[(r["suite"], r["task"], implementation(r), r["dataset"], r.get("params") or "")].append(r[metric])
    out = {}
    for (suite, task, impl, dataset, params), bare in values.items():
        of = gbench.harness_task(task)
        harness = values.get((suite, of, impl, dataset, params)) if of else None
        if harness:
            out[(suite, of, impl, dataset, params)] = (harness, bare)
    return out


def main(args) -> int:
    rows, meta = tidy.load_rows(args.input)
    metric = args.metric or ("instructions_per_op" if meta.get("profile") == "instructions" else "real_time_ns")
    found = pairs(rows, metric)
    if not found:
        raise BadInput(f"{args.input}: no benchmark has both a <task> and a <task>{gbench.BARE_SUFFIX} row with {metric} "
                       "(run with --overhead)")
    by_impl = collections.defaultdict(list)
    print(f"harness / bare loop, {metric}")
    print(f"{'suite/task':<20} {'implementation':<24} {'dataset':<24} {'harness/bare':>12}  95 % interval")
    for key in sorted(found):
        suite, task, impl, dataset, params = key
        harness, bare = found[key]
        e = stats.ratio_of_medians(bare, harness)
        by_impl[(suite, impl)].append(e)
        where = dataset + (f"/{params}" if params else "")
        print(f"{suite + '/' + task:<20} {impl:<24} {where:<24} {e.ratio:>12.3f}  [{e.low:.3f}, {e.high:.3f}]")
    print()
    print(f"{'suite':<8} {'implementation':<24} {'geometric mean':>16} {'worst':>8}  pairs")
    for (suite, impl), estimates in sorted(by_impl.items()):
        g = stats.geometric_mean(estimates)
        interval = f"  [{g.low:.3f}, {g.high:.3f}]" if g.low is not None else ""
        worst = max(e.ratio for e in estimates)
        print(f"{suite:<8} {impl:<24} {g.value:>16.3f} {worst:>8.3f}  {len(estimates):>5}{interval}")
    return 0
