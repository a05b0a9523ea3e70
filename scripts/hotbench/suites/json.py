"""What is particular to the JSON suite on the Python side: a figure of its own and its smoke checks
(suites/__init__.py says how they are found).

- parse only beside parse + walk (`json_parse_vs_parse_only`; `json_parse_only` is the generic
  bar chart of the parse_only task): for each dataset, each implementation that
  has `parse_only` rows gets two bars side by side: input MB/s of the parse alone (what a library's
  own published parse figure measures) and of the parse followed by the statistics walk (the
  `parse` rows). The gap between them is what the walk costs. simdjson On-Demand has no
  parse_only row (its parse is lazy: the walk does the work), so it is not in this figure.

The per-task bar charts (parse, parse_only, ...) come from the generic plots (plot.py).

Smoke: the tiny corpus with the bare-loop rows, plus an invalid file whose rows must be errors naming the
file and the byte while the valid datasets still run; every checked row reports its number findings.
"""

from __future__ import annotations

import pathlib
import statistics

from ..cli import LazyModule

# plot.py imports this module to draw; smoke imports it to check, and never needs plot (or matplotlib).
plot = LazyModule(__package__.rpartition(".")[0] + ".plot")

METRIC = "input_mb_per_s"
PAIR = (("parse_only", "parse only", "////"), ("parse", "parse + walk", None))


def _median(rows: list[dict]):
    values = list(float(r[METRIC]) for r in rows if r.get("status") == "ok" and plot.is_number(r.get(METRIC)))
    return statistics.median(values) if values else None


def parse_only_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    rows = [r for r in rows if r.get("task") in ("parse", "parse_only")]
    with_only = {(plot.dataset_of(r), plot.implementation(r)) for r in rows if r.get("task") == "parse_only"}
    cells = {}  # (dataset, implementation, task) -> rows
    for r in rows:
        key = (plot.dataset_of(r), plot.implementation(r))
        if key in with_only:
            cells.setdefault((*key, r["task"]), []).append(r)
    medians = {k: _median(v) for k, v in cells.items()}
    # A panel only for a dataset that has something to draw.
    datasets = sorted({d for (d, _, _), m in medians.items() if m is not None})
    if not datasets:
        return None
    figure = plot.new_figure(9, 5)
    table = plot.Table(["dataset", "implementation", "parse only (MB/s)", "parse + walk (MB/s)",
                   "walk share of parse + walk time"])
    errors = []
    implementations = set()
    for ax, dataset in zip(plot.panel_grid(figure, len(datasets)), datasets):
        impls = sorted({i for (d, i) in with_only if d == dataset})
        implementations.update(impls)
        width = 0.4
        for x, impl in enumerate(impls):
            values = []
            for j, (task, label, hatch) in enumerate(PAIR):
                m = medians.get((dataset, impl, task))
                values.append(m)
                xpos = x + (j - 0.5) * width
                if m is None:
                    first = (cells.get((dataset, impl, task)) or [{}])[0]
                    errors.append(f"json/{task}/{impl}/{dataset}: {first.get('error_message') or 'no row'}")
                    plot.mark_failure(ax, xpos, "error", width=width * 0.9)
                    continue
                ax.bar(xpos, m, width * 0.9, color=colours[impl], hatch=hatch, edgecolor="white", linewidth=0.4)
            only, both = values
            # Time is bytes / rate: the walk's share of parse + walk time is 1 - rate(both) / rate(only).
            share = f"{1 - both / only:.0%}" if only and both else "n/a"
            table.rows.append([dataset, impl, plot.format_value(only) if only else "error",
                               plot.format_value(both) if both else "error", share])
            table.kinds.append("ok" if only and both else "error")
        ax.set_xticks(range(len(impls)), [plot.mpl_text(i) for i in impls], rotation=30, ha="right", fontsize=8)
        ax.set_title(plot.mpl_text(dataset), fontsize=10)
        ax.set_ylabel(plot.axis_label(METRIC), fontsize=8)
    handles = [plot.mpl().Patch(facecolor="#999999", hatch=hatch, edgecolor="white", label=label)
               for _, label, hatch in PAIR]
    figure.legend(handles=handles, loc="upper right", frameon=False, fontsize=9)
    title = "json: parse only beside parse + walk (input throughput)"
    figure.suptitle(title, x=0.01, ha="left", fontsize=13)
    description = ("Per dataset, each implementation that builds a complete document: hatched bar, the parse alone "
                   "(json/parse_only, comparable with a library's own published parse figure); plain bar, the parse "
                   "followed by the statistics walk (json/parse). Bars: median over the ok repetitions. simdjson "
                   "On-Demand is lazy (its walk does the parsing), so it has only the parse + walk row.")
    return plot.Plot("json_parse_vs_parse_only", title, figure, description, errors, facts, table)


def plots(rows: list[dict], colours: dict, facts: str) -> list[plot.Plot]:
    made = parse_only_plot(rows, colours, facts)
    return [made] if made else []


# ---------------------------------------------------------------------------------------------
# Smoke (smoke.py): the tiny corpus, the bare-loop rows, and one invalid file among the valid ones

POSITIVE = ["real_time_ns", "cpu_time_ns", "input_mb_per_s", "documents_per_s", "input_bytes", "documents"]
BARE_POSITIVE = ["real_time_ns", "cpu_time_ns", "input_mb_per_s"]  # the bare loop sets bytes only, on purpose
FINDINGS = ("number_mismatches", "max_ulp_error", "out_of_range_numbers")
FINDING_TASKS = ("parse", "parse_only", "parse_bare", "serialize", "typed_decode", "typed_encode")  # all but limit
SMOKE_BAD_DATASETS = {"broken": "broken.json: line 1, column 13 (byte 12)"}


def smoke_arguments(tmp: pathlib.Path) -> list[str]:
    from .. import runner  # the corpus generator's entry point; runner is not needed to draw

    tiny = runner.ensure_corpus("tiny")[0].parent
    broken = tmp / "broken.json"
    broken.write_text('{"a": [1, 2,]}')
    return [f"--hotbench_data={tiny}", f"--hotbench_data={broken}", "--hotbench_bare=true"]


def smoke_checks(binary: pathlib.Path, rows: list[dict], tmp: pathlib.Path) -> list[str]:
    problems = []
    for r in rows:
        if r["status"] != "ok":
            continue
        for column in BARE_POSITIVE if r["task"] == "parse_bare" else POSITIVE:
            if not (isinstance(r.get(column), (int, float)) and r[column] > 0):
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a positive number")
        if r["task"] in ("serialize", "typed_encode") and not r.get("output_mb_per_s"):
            problems.append(f"{r['benchmark']}: no output_mb_per_s")
        if r["task"] in FINDING_TASKS:
            problems += [f"{r['benchmark']}: no {finding} finding" for finding in FINDINGS if r.get(finding) is None]
    return problems
