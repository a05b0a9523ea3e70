"""Per-benchmark aggregates of a result's repetitions: one row per (benchmark, threads).

Each aggregate row has
- the identity columns that name the benchmark: schema_version, run_id, benchmark, suite, task,
  library, variant, dataset, threads (run_id and label are joined with ';' if the rows come from
  several runs or carry several labels);
- `n`: ok repetitions; `errors`: error repetitions, and `error_message`: the first error's message;
- `status`: `ok` when at least one repetition is ok, else `error`;
- for every numeric metric present in the ok rows: `<metric>_median`, `_min`, `_max`, `_mean` and
  `_cv`. cv is the sample coefficient of variation (stddev with ddof=1, divided by the mean) as a
  fraction, the definition Google Benchmark uses for its `_cv` aggregate; empty for n < 2.

These are our own statistics over the per-repetition rows, never Google Benchmark's aggregate rows.
"""

import csv
import io

from . import stats, tidy

IDENTITY = ["schema_version", "run_id", "benchmark", "suite", "task", "library", "variant", "dataset", "threads"]
COUNTS = ["status", "n", "errors", "error_message", "label"]
STATISTICS = ["median", "min", "max", "mean", "cv"]
_NOT_METRICS = set(tidy.IDENTITY) | set(tidy.STATUS)


def metric_columns(rows: list[dict]) -> list[str]:
    """Numeric metric columns present in ok rows: the timings in the tidy CSV's order, then the others sorted."""
    present = {k for r in rows if r.get("status") == "ok" for k, v in r.items()
               if k not in _NOT_METRICS and _is_number(v)}
    known = [m for m in tidy.TIMINGS if m in present]
    return known + sorted(present - set(known))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v  # v == v: not NaN


def _joined(values) -> str:
    unique = list(dict.fromkeys(str(v) for v in values if v not in (None, "")))
    return ";".join(unique)


def aggregate_rows(rows: list[dict]) -> list[dict]:
    """One row per (benchmark, threads), in order of first appearance."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["benchmark"], r.get("threads")), []).append(r)
    metrics = metric_columns(rows)
    out = []
    for group in groups.values():
        first = group[0]
        ok = [r for r in group if r.get("status") == "ok"]
        errors = [r for r in group if r.get("status") != "ok"]
        row = {k: first.get(k) for k in IDENTITY}
        row["run_id"] = _joined(r.get("run_id") for r in group)
        row.update(status="ok" if ok else "error", n=len(ok), errors=len(errors),
                   error_message=errors[0].get("error_message", "") if errors else "",
                   label=_joined(r.get("label") for r in group))
        for metric in metrics:
            values = [r[metric] for r in ok if _is_number(r.get(metric))]
            if not values:
                continue
            for name, value in stats.summary(values).items():
                row[f"{metric}_{name}"] = value
        out.append(row)
    return out


def columns(rows: list[dict]) -> list[str]:
    """Column order for aggregate rows: identity, counts, then each metric's statistics together."""
    present = {k for r in rows for k in r}
    metric_cols = [f"{m}_{s}" for m in metric_columns_of_aggregates(rows) for s in STATISTICS]
    fixed = IDENTITY + COUNTS + [c for c in metric_cols if c in present]
    return fixed + sorted(present - set(fixed))


def metric_columns_of_aggregates(rows: list[dict]) -> list[str]:
    suffix = "_median"
    present = [k[: -len(suffix)] for r in rows for k in r if k.endswith(suffix)]
    unique = list(dict.fromkeys(present))
    known = [m for m in tidy.TIMINGS if m in unique]
    return known + sorted(set(unique) - set(known))


def to_csv_text(rows: list[dict]) -> str:
    """Aggregate rows as CSV with `columns()` order (numbers formatted as tidy.to_csv_text does)."""
    names = columns(rows)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: tidy.format_value(r.get(k)) for k in names})
    return out.getvalue()
