"""What is particular to the messaging suite on the Python side: figures of its own and its smoke checks
(suites/__init__.py says how they are found).

Figures:

- the latency ladder (`messaging_latency_ladder`): every system's ping_pong round trip (p50, p99, p99.9,
  max) on one log axis, fastest p50 first, at one message size, from the floors (the in-process queue
  queue:mutex_cv, a raw Unix socket, raw loopback TCP) to the persisted brokers; below it, when the rows exist, the
  open_loop one-way latencies at one offered rate, ordered the same way;
- fan-out, sent against received (`messaging_fan_out_delivery`): per fan_out row the messages sent per
  second beside what each subscriber received per second, with the delivered share written on it, so
  that an at-most-once publisher's send rate is never read as its delivery rate;
- throughput against message size (`messaging_throughput_by_size`): the 1/1 throughput rows' messages/s and
  MB/s per system and transport against message_bytes;
- CPU per message (`messaging_cpu_per_message`): at 1/1 and the smallest size, this process's CPU per
  message beside the broker's (server_cpu_s_per_million) where the rows carry it;
- the fault table (`messaging_faults`): per fault and system, the rows that kept the at-least-once promise,
  the stall after each kill, and the broken rows in red with the acknowledged messages they lost.
Each only when its rows exist.

The per-task figures (plot.py) are drawn too; the fan_out one by what each subscriber received
(plot.DEFAULT_METRIC).

Smoke: every ok throughput, fan_out and open_loop row carries its delivery counts, and `delivered + lost` is
what was sent (a message is either delivered or lost, never both, never neither; fan_out: to each subscriber,
so sent times `subscribers`); every throughput row carries its `producers` and `consumers`; every ok ping_pong and
open_loop row carries positive latency percentiles; settings a system cannot use are refused. The planted faults (drop, corrupt,
duplicate, reorder, never deliver), the server killed mid-row and the missing program are covered by the
suite's gtest (bench/messaging/tests/messaging_test.cpp).
"""

from __future__ import annotations

import pathlib
import re
import statistics

from ..cli import LazyModule

# plot.py imports this module to draw; smoke imports it to check, and never needs plot (or matplotlib).
plot = LazyModule(__package__.rpartition(".")[0] + ".plot")

COUNTS = ["sent", "delivered", "lost", "duplicated", "reordered"]
LATENCY = ["p50_ns", "p99_ns", "p999_ns", "max_ns"]
POSITIVE = {"throughput": ["ops_per_s", "message_mb_per_s", "sent", "producers", "consumers"],
            "fan_out": ["ops_per_s", "sent", "subscribers"],
            "open_loop": ["ops_per_s", "sent", "rate", *LATENCY],
            "ping_pong": LATENCY}
COUNTED = ("throughput", "open_loop", "fan_out")  # the tasks with producers and consumers
BAD_SETTINGS = {"message_bytes=12": "'12' is not a multiple of 8",
                "transports=carrier_pigeon": "carrier_pigeon",
                "ends=2x2": "'2x2' is not producers/consumers",
                # A user's broker: loopback only (the project sends load to loopback only).
                "endpoints=redis:streams=192.0.2.1:6379": "is not a loopback address"}

# The ladder's rungs: (column, marker, size) per percentile; p50 the largest, max a small cross.
RUNGS = [("p50_ns", "o", 8), ("p99_ns", "D", 5), ("p999_ns", "^", 5), ("max_ns", "x", 6)]
# The message size and offered rate the ladder prefers when the rows have several (the default run's).
LADDER_BYTES = "64"
LADDER_RATE = "10000"


def _median(rows: list[dict], column: str):
    values = [float(r[column]) for r in rows if r.get("status") == "ok" and plot.is_number(r.get(column))]
    return statistics.median(values) if values else None


def _rung_name(row: dict) -> str:
    """implementation and transport: "zeromq:req_rep ipc" (one system is several rungs, one per transport)."""
    return f"{plot.implementation(row)} {row.get('dataset') or ''}".strip()


def _one_value(rows: list[dict], key: str, preferred: str) -> str | None:
    """The value of parameter `key` to draw: `preferred` when some row has it, else the most common."""
    values = [plot.row_params(r).get(key) for r in rows if plot.row_params(r).get(key) is not None]
    if not values:
        return None
    return preferred if preferred in values else max(set(values), key=lambda v: (values.count(v), v))


def ladder_rungs(rows: list[dict], task: str) -> tuple[list[tuple[str, list[dict]]], str]:
    """The rows of one ladder panel grouped per rung, fastest p50 first (rungs without a p50, all errors,
    last), and the words saying which size and rate they are at."""
    rows = [r for r in rows if r.get("task") == task]
    size = _one_value(rows, "message_bytes", LADDER_BYTES)
    rows = [r for r in rows if plot.row_params(r).get("message_bytes") == size]
    at = f"{size} B"
    if task == "open_loop":
        rate = _one_value(rows, "rate", LADDER_RATE)
        rows = [r for r in rows if plot.row_params(r).get("rate") == rate]
        at += f", {int(rate):,} messages/s offered" if rate and rate.isdigit() else ""
    groups = {}
    for r in rows:
        groups.setdefault(_rung_name(r), []).append(r)
    order = sorted(groups.items(), key=lambda kv: (_median(kv[1], "p50_ns") is None,
                                                   _median(kv[1], "p50_ns") or 0, kv[0]))
    return order, at


def latency_ladder_plot(rows: list[dict], colours: dict, facts: str):
    panels = [(task, *ladder_rungs(rows, task)) for task in ("ping_pong", "open_loop")]
    panels = [p for p in panels if p[1]]
    if not panels:
        return None
    heights = [max(2.0, 0.34 * len(rungs) + 0.9) for _, rungs, _ in panels]
    figure = plot.new_figure(10, sum(heights) + 0.6)
    grid = figure.add_gridspec(len(panels), 1, height_ratios=heights)
    table = plot.Table(["task", "implementation transport", "message size / rate",
                        *[plot.percentile_label(c) if c != "max_ns" else "max" for c, _, _ in RUNGS],
                        "ops/s", "status"])
    errors = []
    for i, (task, rungs, at) in enumerate(panels):
        ax = figure.add_subplot(grid[i])
        drawn = []
        for y, (name, cell) in enumerate(rungs):
            impl = plot.implementation(cell[0])
            values = [_median(cell, c) for c, _, _ in RUNGS]
            failed = [r for r in cell if r.get("status") != "ok"]
            if failed:
                errors.append(f"{failed[0].get('benchmark')}: {failed[0].get('error_message') or 'error'}")
            shown = [(v, marker, size) for v, (_, marker, size) in zip(values, RUNGS) if v is not None and v > 0]
            if shown:
                ax.plot([min(v for v, _, _ in shown), max(v for v, _, _ in shown)], [y, y], color=colours[impl],
                        linewidth=1.2, alpha=0.6)
                for v, marker, size in shown:
                    ax.plot([v], [y], marker=marker, markersize=size, color=colours[impl], linestyle="none",
                            markeredgecolor="#333333", markeredgewidth=0.4)
                drawn += [v for v, _, _ in shown]
            else:
                ax.text(0.01, y, "error: no value", transform=plot.mpl().blended_transform_factory(ax.transAxes,
                        ax.transData), va="center", color=plot.ERROR_RED, fontsize=8, fontweight="bold")
            table.rows.append([task, name, at, *[plot.format_value(v) for v in values],
                               plot.format_value(_median(cell, "ops_per_s")),
                               "ok" if not failed else f"{len(failed)} of {len(cell)} repetitions errored"])
            table.kinds.append("ok" if not failed else ("error" if not shown else "partial"))
        ax.set_yticks(range(len(rungs)), [plot.mpl_text(name) for name, _ in rungs], fontsize=8)
        ax.set_ylim(len(rungs) - 0.5, -0.5)  # fastest at the top
        if drawn:
            ax.set_xscale("log")
            ax.set_xlim(min(drawn) / 1.6, max(drawn) * 1.6)
        ax.xaxis.set_major_formatter(plot.mpl().FuncFormatter(_microseconds))
        what = "round trip, one request at a time" if task == "ping_pong" else \
            "one-way latency from the intended send time"
        ax.set_xlabel(f"{what} [µs], log scale, lower is better", fontsize=9)
        ax.grid(axis="x", alpha=0.35, which="both")
        ax.set_axisbelow(True)
        ax.set_title(plot.mpl_text(f"{task} ({at})"), fontsize=10, loc="left")
    handles = [plot.mpl().Line2D([], [], color="#555555", marker=marker, markersize=size, linestyle="none",
                                 label="max" if column == "max_ns" else plot.percentile_label(column))
               for column, marker, size in RUNGS]
    figure.suptitle("messaging: the latency ladder, from the floors to the persisted brokers", fontsize=13, x=0.02,
                    ha="left")
    figure.tight_layout()
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.99, 0.93), frameon=False, fontsize=9)
    description = ("One rung per system and transport, fastest median first: the median over repetitions of each "
                   "row's p50 (circle), p99 (diamond), p99.9 (triangle) and max (cross), log scale. ping_pong: one "
                   "request and its reply at a time, timed from before the send to after the reply. The floors: "
                   "queue:mutex_cv inproc (an in-process queue behind the same ends, no process boundary), "
                   "socket ipc and socket tcp (a raw Unix socket and raw loopback TCP, nothing but a length "
                   "before each message). open_loop: one producer sending at a fixed rate, each message's latency from "
                   "its intended send time, so a stall cannot hide (no coordinated omission). A system's "
                   "promise differs (at most once, at least once, exactly once): docs/messaging.md.")
    return plot.Plot("messaging_latency_ladder", "messaging: the latency ladder", figure, description, errors, facts,
                     table)


def _microseconds(value, _position=None) -> str:
    return plot.plain_number(value / 1000)


def fan_out_delivery_plot(rows: list[dict], colours: dict, facts: str):
    rows = [r for r in rows if r.get("task") == "fan_out"]
    if not rows:
        return None
    groups = {}
    for r in rows:
        name = f"{_rung_name(r)} subscribers={plot.row_params(r).get('subscribers', '?')}"
        groups.setdefault(name, []).append(r)
    cells = sorted(groups.items())
    figure = plot.new_figure(9, 1.2 + 0.5 * len(cells))
    ax = figure.add_subplot()
    table = plot.Table(["fan_out row (repetition with the median sent/s)", "sent/s", "received per subscriber/s",
                        "delivered share", "worst subscriber lost per batch", "status"])
    drawn, errors = [], []
    for y, (name, cell) in enumerate(cells):
        impl = plot.implementation(cell[0])
        # One repetition's numbers, the one with the median send rate: medians taken column by column could
        # pair one repetition's send rate with another's (higher) receive rate.
        ok = sorted((r for r in cell if r.get("status") == "ok" and plot.is_number(r.get("ops_per_s"))),
                    key=lambda r: float(r["ops_per_s"]))
        middle = ok[(len(ok) - 1) // 2] if ok else {}
        sent, got, share, worst = (float(middle[c]) if plot.is_number(middle.get(c)) else None for c in
                                   ("ops_per_s", "delivered_per_subscriber_per_s", "delivered_ratio",
                                    "lost_worst_subscriber"))
        failed = [r for r in cell if r.get("status") != "ok"]
        if failed:
            errors.append(f"{failed[0].get('benchmark')}: {failed[0].get('error_message') or 'error'}")
        if sent is not None:
            ax.barh(y, sent, 0.7, fill=False, edgecolor=colours[impl], hatch="//", linewidth=1.0)
            drawn.append(sent)
        if got is not None:
            ax.barh(y, got, 0.42, color=colours[impl])
            drawn.append(got)
            if share is not None:
                ax.text(got, y, f" {share:.0%} received" if share in (0, 1) else f" {share:.1%} received",
                        va="center", ha="left", fontsize=8)
        if sent is None and got is None:
            ax.text(0.01, y, "error: no value", transform=plot.mpl().blended_transform_factory(ax.transAxes,
                    ax.transData), va="center", color=plot.ERROR_RED, fontsize=8, fontweight="bold")
        table.rows.append([name, plot.format_value(sent), plot.format_value(got),
                           f"{share:.4f}" if share is not None else "", plot.format_value(worst),
                           "ok" if not failed else f"{len(failed)} of {len(cell)} repetitions errored"])
        table.kinds.append("ok" if not failed else ("error" if sent is None and got is None else "partial"))
    ax.set_yticks(range(len(cells)), [plot.mpl_text(n) for n, _ in cells], fontsize=8)
    ax.set_ylim(len(cells) - 0.5, -0.5)
    if drawn and min(drawn) > 0 and max(drawn) / min(drawn) > plot.LOG_SCALE_SPAN:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plot.mpl().FuncFormatter(plot.plain_number))
    ax.set_xlabel("messages per second (hatched outline: sent; filled: received by each subscriber)", fontsize=9)
    ax.grid(axis="x", alpha=0.35)
    ax.set_axisbelow(True)
    ax.set_title("messaging: fan-out, messages sent against messages each subscriber received", fontsize=12,
                 loc="left")
    description = ("Per fan_out row (one producer, N subscribers that should each get every message), from the "
                   "repetition with the median send rate: the messages sent per second (hatched outline, the row's "
                   "ops_per_s), the messages each subscriber received per second (filled, "
                   "delivered_per_subscriber_per_s) and the share of the messages that reached the subscribers "
                   "(delivered_ratio). Only an at-most-once system has a gap: a ZeroMQ PUB drops what a "
                   "subscriber's full pipe cannot take.")
    return plot.Plot("messaging_fan_out_delivery", "messaging: fan-out, sent against received", figure, description,
                     errors, facts, table)


def _one_to_one(rows: list[dict]) -> list[dict]:
    """The throughput rows with one producer and one consumer (the `producers`/`consumers` columns)."""
    return [r for r in rows if r.get("task") == "throughput" and r.get("producers") == 1 and r.get("consumers") == 1]


def _errors_of(cell: list[dict]) -> list[str]:
    return [f"{r.get('benchmark')}: {r.get('error_message') or 'error'}" for r in cell if r.get("status") != "ok"]


def _status(cell: list[dict]) -> str:
    failed = sum(r.get("status") != "ok" for r in cell)
    return "ok" if not failed else f"{failed} of {len(cell)} repetitions errored"


# The panels of the throughput figure: (column, y label). Both are per second of the timed batches.
SIZE_PANELS = [("ops_per_s", "messages per second"), ("message_mb_per_s", "payload MB/s (10^6 B/s)")]


def throughput_by_size_plot(rows: list[dict], colours: dict, facts: str):
    rows = _one_to_one(rows)
    lines = {}
    for r in rows:
        size = plot.row_params(r).get("message_bytes")
        if size and size.isdigit():
            lines.setdefault(_rung_name(r), {}).setdefault(int(size), []).append(r)
    if not lines:
        return None
    figure = plot.new_figure(13, 5.2)
    axes = figure.subplots(1, len(SIZE_PANELS))
    table = plot.Table(["implementation transport", "message size [B]", "messages/s", "MB/s", "status"])
    errors = []
    order = sorted(lines)
    for ax, (column, label) in zip(axes, SIZE_PANELS):
        drawn = []
        for name in order:
            points = [(size, _median(cell, column)) for size, cell in sorted(lines[name].items())]
            points = [(x, y) for x, y in points if y is not None and y > 0]
            if not points:
                continue
            impl = plot.implementation(next(iter(lines[name].values()))[0])
            style = "--" if name.endswith(" tcp") else (":" if name.endswith(" ipc") else "-")
            ax.plot([x for x, _ in points], [y for _, y in points], marker="o", markersize=5, linestyle=style,
                    color=colours[impl], label=plot.mpl_text(name))
            drawn += [y for _, y in points]
        sizes = sorted({size for cells in lines.values() for size in cells})
        ax.set_xscale("log")
        ax.set_xticks(sizes, [f"{s:,}" for s in sizes])
        ax.minorticks_off()
        if drawn and min(drawn) > 0 and max(drawn) / min(drawn) > plot.LOG_SCALE_SPAN:
            ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plot.mpl().FuncFormatter(plot.plain_number))
        ax.set_xlabel("message size [bytes], log scale", fontsize=9)
        ax.set_ylabel(f"{label}, higher is better" + (", log scale" if ax.get_yscale() == "log" else ""), fontsize=9)
        ax.grid(alpha=0.35, which="major")
        ax.set_axisbelow(True)
        ax.set_title(f"{column}", fontsize=10, loc="left")
    for name in order:
        for size, cell in sorted(lines[name].items()):
            errors += _errors_of(cell)
            ok = [r for r in cell if r.get("status") == "ok"]
            table.rows.append([name, f"{size:,}", plot.format_value(_median(cell, "ops_per_s")),
                               plot.format_value(_median(cell, "message_mb_per_s")), _status(cell)])
            table.kinds.append("ok" if len(ok) == len(cell) else ("error" if not ok else "partial"))
    figure.suptitle("messaging: throughput against message size (1 producer, 1 consumer)", fontsize=13, x=0.02,
                    ha="left")
    figure.tight_layout(rect=(0, 0, 0.8, 1))
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.8, 0.93), frameon=False, fontsize=8)
    single = [n for n in order if len(lines[n]) == 1]
    description = ("One line per system and transport (solid: inproc, dotted: ipc, dashed: tcp), the throughput "
                   "rows with one producer and one consumer: the median over repetitions of the messages "
                   "delivered per second (left, ops_per_s) and of the payload bytes delivered per second "
                   "(right, message_mb_per_s, decimal MB/s) at each message size, log x. A system's promise "
                   "differs (at most once, at least once, exactly once): docs/messaging.md."
                   + (f" Measured at one size only (a point, no line): {', '.join(single)}." if single else ""))
    return plot.Plot("messaging_throughput_by_size", "messaging: throughput against message size", figure,
                     description, errors, facts, table)


# The CPU bars: (column, who spent it, hatch). s per 10^6 messages is µs per message.
CPU_PARTS = [("cpu_s_per_million", "clients (this process: producer and consumer threads)", ""),
             ("server_cpu_s_per_million", "broker (the server process)", "//")]


def cpu_per_message_plot(rows: list[dict], colours: dict, facts: str):
    rows = _one_to_one(rows)
    size = _one_value(rows, "message_bytes", LADDER_BYTES)
    rows = [r for r in rows if plot.row_params(r).get("message_bytes") == size]
    parts = [p for p in CPU_PARTS if any(plot.is_number(r.get(p[0])) for r in rows)]
    groups = {}
    for r in rows:
        groups.setdefault(_rung_name(r), []).append(r)
    cells = [(name, cell, [_median(cell, column) for column, _, _ in parts]) for name, cell in groups.items()]
    if not parts or not any(v is not None for _, _, values in cells for v in values):
        return None
    # cheapest first: the sum of what was measured (a system without a server has the clients' share only)
    cells.sort(key=lambda c: (all(v is None for v in c[2]), sum(v or 0 for v in c[2]), c[0]))
    figure = plot.new_figure(10, 1.4 + 0.42 * len(cells) * len(parts))
    ax = figure.add_subplot()
    table = plot.Table(["implementation transport", "message size",
                        *[f"{who.split(' (')[0]} µs/message" for _, who, _ in parts], "status"])
    errors, height = [], 0.8 / len(parts)
    for y, (name, cell, values) in enumerate(cells):
        impl = plot.implementation(cell[0])
        errors += _errors_of(cell)
        for i, (value, (column, who, hatch)) in enumerate(zip(values, parts)):
            offset = y - 0.4 + height * (i + 0.5)
            if value is None:
                continue
            ax.barh(offset, value, height * 0.9, color=colours[impl] if not hatch else "white",
                    edgecolor=colours[impl], hatch=hatch, linewidth=1.0)
            ax.text(value, offset, f" {plot.format_value(value)}", va="center", ha="left", fontsize=7)
        if all(v is None for v in values):
            ax.text(0.01, y, "error: no value", transform=plot.mpl().blended_transform_factory(ax.transAxes,
                    ax.transData), va="center", color=plot.ERROR_RED, fontsize=8, fontweight="bold")
        table.rows.append([name, f"{size} B", *[plot.format_value(v) for v in values], _status(cell)])
        table.kinds.append("ok" if _status(cell) == "ok" else
                           ("error" if all(v is None for v in values) else "partial"))
    ax.set_yticks(range(len(cells)), [plot.mpl_text(n) for n, _, _ in cells], fontsize=8)
    ax.set_ylim(len(cells) - 0.5, -0.5)
    drawn = [v for _, _, values in cells for v in values if v]
    if drawn and max(drawn) / min(drawn) > plot.LOG_SCALE_SPAN:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plot.mpl().FuncFormatter(plot.plain_number))
    ax.set_xlabel("CPU time per message [µs], lower is better" + (", log scale" if ax.get_xscale() == "log" else ""),
                  fontsize=9)
    ax.grid(axis="x", alpha=0.35, which="both")
    ax.set_axisbelow(True)
    ax.set_title(f"messaging: CPU per message ({size} B, 1 producer, 1 consumer)", fontsize=12, loc="left")
    handles = [plot.mpl().Patch(facecolor="#888888" if not hatch else "white", edgecolor="#555555", hatch=hatch,
                                label=who) for _, who, hatch in parts]
    ax.legend(handles=handles, loc="upper right", fontsize=8)  # the cheapest, shortest bars are at the top
    figure.tight_layout()
    description = ("Per system and transport, the throughput rows with one producer and one consumer at the "
                   f"smallest size drawn ({size} B), cheapest first: the median over repetitions of the CPU "
                   "time per message of this process (filled: cpu_s_per_million, the producer and consumer "
                   "threads and the client libraries, so for queue:mutex_cv everything)"
                   + (" and of the broker's process (hatched: server_cpu_s_per_million)"
                      if len(parts) > 1 else "") +
                   ", in µs (CPU seconds per 10^6 messages). Systems without a server (queue:mutex_cv, socket, "
                   "zeromq) have the clients' bar only; the clients' bar of a brokered system is the client "
                   "library's share, the broker's is its own process.")
    return plot.Plot("messaging_cpu_per_message", "messaging: CPU per message", figure, description, errors,
                     facts, table)


FAULT_TASKS = ("fault", "consumer_fault")
# The counts of one fault cycle, as the rows and the error messages carry them.
FAULT_COUNTS = ["acked_lost", "duplicated", "resent", "stall_ms", "restart_ms"]
# An error row's message (fault.cpp) carries the counts of the failing cycle.
_LOST_IN_MESSAGE = re.compile(r"(\d+) of them acknowledged by the server before")


def _spread(cell: list[dict], column: str) -> str:
    """min / median / max over the ok repetitions, or the one value."""
    values = sorted(float(r[column]) for r in cell if r.get("status") == "ok" and plot.is_number(r.get(column)))
    if not values:
        return ""
    if values[0] == values[-1]:
        return plot.format_value(values[0])
    return " / ".join(plot.format_value(v) for v in (values[0], statistics.median(values), values[-1]))


def fault_table_plot(rows: list[dict], colours: dict, facts: str):
    rows = [r for r in rows if r.get("task") in FAULT_TASKS]
    if not rows:
        return None
    groups = {}
    for r in rows:
        groups.setdefault((r["task"], _rung_name(r)), []).append(r)
    cells = sorted(groups.items(), key=lambda kv: (FAULT_TASKS.index(kv[0][0]), kv[0][1]))
    table = plot.Table(["fault", "implementation transport", "rows", "kept the promise",
                        "acknowledged and lost", *[c + " (min / median / max)" for c in FAULT_COUNTS[1:]],
                        "what a broken promise lost"])
    figure = plot.new_figure(11, 1.6 + 0.45 * len(cells))
    ax = figure.add_subplot()
    errors = []
    for y, ((task, name), cell) in enumerate(cells):
        impl = plot.implementation(cell[0])
        ok = [r for r in cell if r.get("status") == "ok"]
        failed = [r for r in cell if r.get("status") != "ok"]
        errors += _errors_of(cell)
        lost = [int(m.group(1)) for r in failed if (m := _LOST_IN_MESSAGE.search(r.get("error_message") or ""))]
        ok_lost = _spread(ok, "acked_lost")
        lost_words = ", ".join(filter(None, [f"{ok_lost} in the rows that kept it" if ok and failed else ok_lost,
                                             *[f"{n} in an error row" for n in lost]]))
        table.rows.append([task, name, str(len(cell)), f"{len(ok)} of {len(cell)}", lost_words,
                           *[_spread(cell, c) for c in FAULT_COUNTS[1:]],
                           "; ".join(r.get("error_message") or "error" for r in failed)])
        table.kinds.append("ok" if not failed else ("error" if not ok else "partial"))
        # the figure: the stall per repetition that kept the promise, its median, and the broken ones in red
        stalls = [float(r["stall_ms"]) for r in ok if plot.is_number(r.get("stall_ms"))]
        if stalls:
            ax.plot([min(stalls), max(stalls)], [y, y], color=colours[impl], linewidth=1.2, alpha=0.6)
            ax.plot(stalls, [y] * len(stalls), marker="|", markersize=9, color=colours[impl], linestyle="none")
            ax.plot([statistics.median(stalls)], [y], marker="o", markersize=7, color=colours[impl],
                    linestyle="none", markeredgecolor="#333333", markeredgewidth=0.4)
        words = f"kept {len(ok)} of {len(cell)}"
        if failed:
            words += f"; BROKEN {len(failed)}" + (f": {', '.join(map(str, lost))} acknowledged lost" if lost else "")
        ax.text(1.01, y, words, transform=plot.mpl().blended_transform_factory(ax.transAxes, ax.transData),
                va="center", ha="left", fontsize=8, color=plot.ERROR_RED if failed else "#333333",
                fontweight="bold" if failed else "normal")
    ax.set_yticks(range(len(cells)), [plot.mpl_text(f"{task}: {name}") for (task, name), _ in cells], fontsize=8)
    ax.set_ylim(len(cells) - 0.5, -0.5)
    drawn = [float(r["stall_ms"]) for r in rows if r.get("status") == "ok" and plot.is_number(r.get("stall_ms"))]
    if drawn and min(drawn) > 0 and max(drawn) / min(drawn) > plot.LOG_SCALE_SPAN:
        ax.set_xscale("log")
    ax.xaxis.set_major_formatter(plot.mpl().FuncFormatter(plot.plain_number))
    ax.set_xlabel("stall after the kill [ms] (circle: median), lower is better"
                  + (", log scale" if ax.get_xscale() == "log" else ""), fontsize=9)
    ax.grid(axis="x", alpha=0.35, which="both")
    ax.set_axisbelow(True)
    figure.suptitle("messaging: the broker or the consumer killed mid-batch, did the promise hold?", fontsize=12,
                    x=0.02, ha="left")
    figure.tight_layout(rect=(0, 0, 0.72, 1))
    description = ("Per fault and system, the fault rows (each repetition one cycle: the broker (fault) or the "
                   "consumer (consumer_fault) killed once half of the batch was acknowledged or delivered, then "
                   "restarted or reconnected): how many rows kept the at-least-once promise (no acknowledged "
                   "message lost), and the stall from the kill to the first message received after it, per "
                   "repetition. A row that lost acknowledged messages is an error row, written in red with the "
                   "loss its message reports; the table lists every row's counts (acked_lost, duplicated, "
                   "resent, stall_ms, restart_ms: min / median / max over the repetitions that kept the "
                   "promise) and the broken rows' messages. docs/messaging.md, Faults.")
    return plot.Plot("messaging_faults", "messaging: faults, did the promise hold?", figure, description, errors,
                     facts, table)


def plots(rows: list[dict], colours: dict, facts: str) -> list:
    made = [latency_ladder_plot(rows, colours, facts), throughput_by_size_plot(rows, colours, facts),
            cpu_per_message_plot(rows, colours, facts), fan_out_delivery_plot(rows, colours, facts),
            fault_table_plot(rows, colours, facts)]
    return [p for p in made if p is not None]


def smoke_checks(binary: pathlib.Path, rows: list[dict], tmp: pathlib.Path) -> list[str]:
    from .. import smoke

    problems = []
    for r in rows:
        if r["status"] != "ok":
            continue
        for column in POSITIVE.get(r["task"], []):
            if not (isinstance(r.get(column), (int, float)) and r[column] > 0):
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a positive number")
        if r["task"] in COUNTED:
            missing = [c for c in COUNTS if not isinstance(r.get(c), (int, float))]
            if missing:
                problems.append(f"{r['benchmark']}: no {', '.join(missing)} column")
            else:
                copies = r.get("subscribers", 1) if r["task"] == "fan_out" else 1
                if abs(r["delivered"] + r["lost"] - r["sent"] * copies) > 1e-9:
                    problems.append(f"{r['benchmark']}: delivered {r['delivered']} + lost {r['lost']} is not sent "
                                    f"{r['sent']}" + (f" x {copies} subscribers" if copies != 1 else ""))
                ratio = r.get("delivered_ratio")
                if not isinstance(ratio, (int, float)) or \
                        abs(ratio * r["sent"] * copies - r["delivered"]) > 1e-6 * max(1, r["delivered"]):
                    problems.append(f"{r['benchmark']}: delivered_ratio {ratio!r} is not delivered {r['delivered']} "
                                    f"/ (sent {r['sent']} x {copies})")
        if r["task"] == "fan_out" and not (isinstance(r.get("delivered_per_subscriber_per_s"), (int, float))
                                           and r["delivered_per_subscriber_per_s"] >= 0):
            problems.append(f"{r['benchmark']}: delivered_per_subscriber_per_s is "
                            f"{r.get('delivered_per_subscriber_per_s')!r}, expected a number")
    for setting, says in BAD_SETTINGS.items():
        problems += smoke.refused(binary, [f"--hotbench_set={setting}"], says)
    return problems
