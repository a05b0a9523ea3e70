"""What is particular to the queue suite on the Python side: figures of its own and its smoke checks
(suites/__init__.py says how they are found).

- queue_throughput: messages/s per queue, one panel per scenario (producers/consumers, message size,
  wait strategy), with the CPU seconds per million messages beside it, so spinning is not free.
- queue_latency_vs_floor: ping-pong round-trip percentiles (p50 ... max) of every queue as a multiple
  of the raw cache-line ping-pong p50 measured in the same run (the `floor` rows), log scale.

Smoke: small batches; every row carries its scenario parameters as columns and, where it measures
latency, its percentiles; settings the type allows but the queues cannot use are refused. The
broken-queue watchdog path is covered by a gtest (bench/queue/tests/watchdog_test.cpp).
"""

from __future__ import annotations

import pathlib

from ..cli import LazyModule

# plot.py imports this module to draw; smoke imports it to check, and never needs plot (or matplotlib).
plot = LazyModule(__package__.rpartition(".")[0] + ".plot")

THROUGHPUT_TASKS = ("spsc_throughput", "mpmc_throughput")
LADDER = ["p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns"]
LADDER_LABELS = ["p50", "p90", "p99", "p99.9", "max"]


def param(row: dict, key: str) -> str:
    for part in (row.get("params") or "").split("/"):
        k, _, v = part.partition("=")
        if k == key:
            return v
    return ""


def scenario(row: dict) -> str:
    size = param(row, "message_bytes")
    return f"{param(row, 'producers')}p/{param(row, 'consumers')}c, {size} B"


def series(row: dict) -> str:
    capacity = param(row, "capacity")
    return f"{plot.implementation(row)} ({param(row, 'wait')}{', cap ' + capacity if capacity else ''})"


def throughput_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    rows = [r for r in rows if r.get("task") in THROUGHPUT_TASKS]
    if not rows:
        return None
    scenarios = sorted({scenario(r) for r in rows}, key=lambda s: (len(s), s))
    figure = plot.new_figure(12, 3 + 0.25 * len(rows))
    table = plot.Table(["scenario", "queue", *plot.stats_header("ops_per_s"), "cpu_s_per_million (median)",
                        "status"])
    errors = []
    grid = figure.add_gridspec(len(scenarios), 2, height_ratios=[
        max(1, len({series(r) for r in rows if scenario(r) == s})) for s in scenarios])
    for i, sc in enumerate(scenarios):
        in_sc = [r for r in rows if scenario(r) == sc]
        speed = plot.collect(in_sc, "ops_per_s", series)
        cpu = plot.collect(in_sc, "cpu_s_per_million", series)
        names = sorted(speed, key=lambda n: -(speed[n].median if speed[n].values else -1))
        ax_speed, ax_cpu = figure.add_subplot(grid[i, 0]), figure.add_subplot(grid[i, 1])
        for y, name in enumerate(names):
            colour = colours.get(name.split(" (")[0], "grey")
            s, c = speed[name], cpu[name]
            if s.values:
                ax_speed.barh(y, s.median, xerr=[[s.median - s.low], [s.high - s.median]], color=colour, capsize=2)
            else:
                ax_speed.text(0, y, " error", color=plot.ERROR_RED, va="center", fontsize=8)
            if c.values:
                ax_cpu.barh(y, c.median, color=colour)
            table.rows.append([sc, name, *plot.stats_cells(s), plot.format_value(c.median if c.values else None),
                               s.status()])
            table.kinds.append(plot.kind_of(s))
        errors += plot.error_lines(speed, lambda k, sc=sc: f"{sc}: {k}")
        for ax in (ax_speed, ax_cpu):
            ax.set_yticks(range(len(names)), [plot.mpl_text(n) for n in names] if ax is ax_speed else [],
                          fontsize=8)
            ax.invert_yaxis()
        medians = [speed[n].median for n in names if speed[n].values]
        if medians and plot.use_log_scale(medians):
            ax_speed.set_xscale("log")
        ax_speed.set_ylabel(plot.mpl_text(sc), fontsize=9)
        if i == len(scenarios) - 1:
            ax_speed.set_xlabel("messages per second (higher is better)")
            ax_cpu.set_xlabel("CPU seconds per million messages, all threads (lower is better)")
    title = "queue: throughput and CPU cost per message"
    figure.suptitle(title, fontsize=13, x=0.02, ha="left")
    figure.tight_layout()
    description = ("Bars: median over repetitions of messages/s (error bars: min to max) and of process CPU "
                   "seconds per million messages, per scenario (producers/consumers, message size); each "
                   "label names the queue, its wait strategy and, for bounded queues, the capacity.")
    return plot.Plot("queue_throughput", title, figure, description, errors, facts, table)


def latency_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    pings = [r for r in rows if r.get("task") == "ping_pong"]
    floor_rows = [r for r in rows if r.get("task") == "floor" and r.get("library") == "cache_line"]
    floor = plot.collect(floor_rows, "p50_ns", lambda r: None).get(None)
    if not pings or not floor or not floor.values:
        return None
    base = floor.median
    references = [r for r in rows if r.get("task") == "floor" and r.get("library") in ("cache_line", "futex", "mutex_cv")]
    figure = plot.new_figure(11, 6)
    ax = figure.add_subplot(1, 1, 1)
    table = plot.Table(["queue", *[f"{p} [ns]" for p in LADDER_LABELS], "p50 / floor", "status"])
    errors, handles = [], []
    everything = pings + references
    for name in sorted({series(r) if r["task"] == "ping_pong" else f"floor: {r['library']}" for r in everything}):
        in_series = [r for r in everything
                     if (series(r) if r["task"] == "ping_pong" else f"floor: {r['library']}") == name]
        cells = [plot.collect(in_series, p, lambda r: None)[None] for p in LADDER]
        points = [(i, s.median / base) for i, s in enumerate(cells) if s.values]
        is_floor = name.startswith("floor")
        colour = "black" if is_floor else colours.get(name.split(" (")[0], "grey")
        style = ":" if is_floor else ("--" if "block" in name else "-")
        if points:
            line, = ax.plot([x for x, _ in points], [y for _, y in points], color=colour, linestyle=style,
                            marker="o", markersize=3, label=plot.mpl_text(name))
            handles.append(line)
        ratio = cells[0].median / base if cells[0].values else None
        table.rows.append([name, *[plot.format_value(s.median) if s.values else "" for s in cells],
                           plot.format_value(ratio), cells[0].status()])
        table.kinds.append("reference" if is_floor else plot.kind_of(cells[0]))
        errors += plot.error_lines({name: cells[0]}, lambda k: f"ping_pong {k}")
    ax.set_yscale("log")
    ax.set_xticks(range(len(LADDER)), LADDER_LABELS)
    ax.set_xlabel("percentile of the round trip")
    ax.set_ylabel(f"round trip / raw cache-line ping-pong p50 ({plot.format_value(base)} ns)\nlower is better, log scale")
    title = "queue: ping-pong round trip as a multiple of the hardware floor"
    figure.suptitle(title, fontsize=13, x=0.02, ha="left")
    figure.tight_layout()
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.99, 0.93), frameon=False, fontsize=8)
    description = ("Lines: median over repetitions of each round-trip percentile divided by the median p50 of the "
                   "raw cache-line ping-pong (floor/cache_line) of the same input; dotted black: the floors "
                   "(cache line, futex wake, mutex + condition variable); dashed: blocking waits. Table values "
                   "are in ns.")
    return plot.Plot("queue_latency_vs_floor", title, figure, description, errors, facts, table)


def plots(rows: list[dict], colours: dict, facts: str) -> list[plot.Plot]:
    return [p for p in (throughput_plot(rows, colours, facts), latency_plot(rows, colours, facts)) if p]


# ---------------------------------------------------------------------------------------------
# Smoke (smoke.py)

SMOKE_SETTINGS = ["batch=512", "watchdog_s=20"]
POSITIVE = ["real_time_ns", "ops_per_s", "ns_per_op", "cpu_s_per_million", "ops", "batch"]
LATENCY = ["p50_ns", "p999_ns", "max_ns"]
LATENCY_TASKS = {"ping_pong", "open_loop"}
# Values each setting's type allows but the suite refuses (the generic smoke tries a value of the wrong type).
BAD_SETTINGS = {"capacities=1000": "--hotbench_set=capacities=1000: '1000' is not a power of two",
                "threads=100000": "--hotbench_set=threads=100000: '100000' is not an integer in 1..64",
                "message_bytes=3": "--hotbench_set=message_bytes=3: '3' is not an integer in 8..1024"}


def smoke_arguments(tmp: pathlib.Path) -> list[str]:
    return [f"--hotbench_set={s}" for s in SMOKE_SETTINGS]


def smoke_checks(binary: pathlib.Path, rows: list[dict], tmp: pathlib.Path) -> list[str]:
    from .. import smoke

    problems = []
    for r in rows:
        if r["status"] != "ok":
            continue
        clock = r["library"] == "clock"  # the floor's clock-read row: no queue, no threads
        wanted = POSITIVE + (LATENCY if r["task"] in LATENCY_TASKS or (r["task"] == "floor" and not clock) else [])
        for column in wanted:
            if not (isinstance(r.get(column), (int, float)) and r[column] > 0):
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a positive number")
        if r["task"] != "single_thread" and not clock and r.get("pinned") not in (0, 1):
            problems.append(f"{r['benchmark']}: no pinned column")
        if r["task"] in THROUGHPUT_TASKS and not (r.get("producers") and r.get("consumers")):
            problems.append(f"{r['benchmark']}: no producers/consumers columns")
    for setting, says in BAD_SETTINGS.items():
        problems += smoke.refused(binary, [f"--hotbench_set={setting}"], says)
    return problems
