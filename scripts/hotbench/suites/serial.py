"""What is particular to the serial suite on the Python side: its size/time figures and a smoke check of
its compressed rows (suites/__init__.py says how they are found).

Figures:

- wire bytes per message against decode time, and against encode time: one point per format (and
  compression codec, rows with the parameter compression=<codec>) and message kind, one panel per
  message kind; the Pareto front (no other point is both smaller and faster) drawn as a step line,
  each point labelled. A compressed point is joined to the same format's point without compression
  by a dotted line: what the codec buys in bytes and costs in time, from the same run.

The per-task bars (time and size of every row) are the generic figures (plot.py).

Smoke: every compressed row carries its raw size beside its wire size, and the compressed size is the
wire size (the rows without compression carry no raw size); the bare rows of one format (--hotbench_bare,
bench/harness/bare.h) are ok and report the sizes and message counts their harness rows report.
"""

from __future__ import annotations

import statistics

from ..cli import LazyModule

# plot.py imports this module to draw; smoke imports it to check, and never needs plot (or matplotlib).
plot = LazyModule(__package__.rpartition(".")[0] + ".plot")

SIZE = "wire_bytes_per_message"
RAW_SIZE = "raw_bytes_per_message"
RATE = "documents_per_s"  # messages per second of CPU time: each row's time per message is its inverse
NO_COMPRESSION = "none"
MARKERS = {NO_COMPRESSION: "o", "zstd": "s", "lz4": "^"}  # another codec gets "D"
TIME_AXES = [("decode", "decode"), ("encode", "encode")]  # (task, words in the title)


def compression_of(row: dict) -> str:
    return plot.row_params(row).get("compression", NO_COMPRESSION)


def point_name(implementation: str, compression: str) -> str:
    """protobuf, protobuf+zstd, capnproto:packed+lz4: how the figures name a format with a codec."""
    return implementation if compression == NO_COMPRESSION else f"{implementation}+{compression}"


def pareto_front(points: list[tuple[float, float]]) -> list[int]:
    """Indexes of the points no other point dominates (another is <= in both coordinates and < in one),
    in order of x: both coordinates are costs, smaller is better. Equal points are on the front together."""
    order = sorted(range(len(points)), key=lambda i: points[i])
    front = []
    for i in order:
        if not front or points[i][1] < points[front[-1]][1] or points[i] == points[front[-1]]:
            front.append(i)
    return front


def _median(rows: list[dict], column: str):
    values = [float(r[column]) for r in rows if r.get("status") == "ok" and plot.is_number(r.get(column))]
    return statistics.median(values) if values else None


def _points(rows: list[dict], task: str) -> tuple[dict, list[str]]:
    """dataset -> [(name, implementation, compression, microseconds per message, wire bytes per message)],
    and one line per benchmark without a point."""
    cells = {}
    for r in rows:
        if r.get("task") == task:
            cells.setdefault((r.get("dataset") or "", plot.implementation(r), compression_of(r)), []).append(r)
    points, errors = {}, []
    for (dataset, impl, compression), cell in sorted(cells.items()):
        rate, size = _median(cell, RATE), _median(cell, SIZE)
        if rate is None or size is None or rate <= 0:
            failed = next((r for r in cell if r.get("status") == "error"), None)
            why = failed.get("error_message") if failed else f"no {RATE if rate is None else SIZE}"
            errors.append(f"{cell[0].get('benchmark')}: {why or 'error'}")
            continue
        points.setdefault(dataset, []).append((point_name(impl, compression), impl, compression, 1e6 / rate, size))
    return points, errors


def size_time_plot(rows: list[dict], task: str, words: str, colours: dict, facts: str):
    points, errors = _points(rows, task)
    if not points:
        return None
    datasets = sorted(points)
    figure = plot.new_figure(9, 6)
    table = plot.Table(["message kind", "format", "compression", f"{words} [us per message]",
                        "wire bytes per message", "on the front"])
    codecs = set()
    for ax, dataset in zip(plot.panel_grid(figure, len(datasets), width_each=6.5, height_each=5), datasets):
        mine = points[dataset]
        front = set(pareto_front([(p[3], p[4]) for p in mine]))
        plain = {impl: (t, s) for _, impl, compression, t, s in mine if compression == NO_COMPRESSION}
        for k, (name, impl, compression, t, s) in enumerate(mine):
            codecs.add(compression)
            if compression != NO_COMPRESSION and impl in plain:
                ax.plot([plain[impl][0], t], [plain[impl][1], s], color=colours[impl], linestyle=":", linewidth=0.9,
                        alpha=0.6)
            ax.plot([t], [s], color=colours[impl], marker=MARKERS.get(compression, "D"), markersize=6,
                    linestyle="none", markeredgecolor="black" if k in front else "white", markeredgewidth=0.8)
            ax.annotate(plot.mpl_text(name), (t, s), xytext=(4, 3), textcoords="offset points", fontsize=7)
            table.rows.append([dataset, impl, compression, plot.format_value(t), plot.format_value(s),
                               "yes" if k in front else ""])
            table.kinds.append("ok")
        steps = sorted((mine[k][3], mine[k][4]) for k in front)
        ax.step([t for t, _ in steps], [s for _, s in steps], where="post", color="black", linewidth=1.2, alpha=0.7)
        times = [p[3] for p in mine]
        if plot.use_log_scale(times):
            ax.set_xscale("log")
        ax.set_xlabel(f"{words} time [us per message, CPU], lower is better")
        ax.set_ylabel("wire bytes per message, lower is better")
        ax.grid(alpha=0.3)
        ax.set_title(plot.mpl_text(dataset), fontsize=10)
    handles = [plot.mpl().Line2D([], [], color="black", linestyle="-", label="Pareto front (smaller and faster)")]
    handles += [plot.mpl().Line2D([], [], color="grey", marker=MARKERS.get(c, "D"), linestyle="none",
                                  label=plot.mpl_text("no compression" if c == NO_COMPRESSION else c))
                for c in sorted(codecs, key=lambda c: (c != NO_COMPRESSION, c))]
    title = f"serial: wire bytes per message against {words} time"
    figure.suptitle(plot.mpl_text(title), fontsize=13, x=0.02, ha="left")
    figure.tight_layout()
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.99, 0.93), frameon=False, fontsize=9)
    description = (f"One point per format and message kind (task {task}, median over repetitions): x the CPU time "
                   f"to {words} one message, y its size on the wire. A name with +zstd or +lz4 is the format "
                   "with that codec applied to each message (rows compression=<codec>; zstd level 3, lz4 "
                   "acceleration 1), joined by a dotted line to the same format without compression: the bytes "
                   "it saves against the time it adds. Black line: the Pareto front, the points no other point "
                   "beats in both size and time (outlined in black).")
    return plot.Plot(f"serial_size_vs_{task}", title, figure, description, errors, facts, table)


def plots(rows: list[dict], colours: dict, facts: str) -> list:
    made = [size_time_plot(rows, task, words, colours, facts) for task, words in TIME_AXES]
    return [p for p in made if p is not None]


# ---------------------------------------------------------------------------------------------
# Smoke (smoke.py)


# The bare rows the smoke run tries: encode and decode of one format (the same harness code serves all).
BARE_SAMPLE = r"^serial/(encode|decode)_bare/flatbuffers/orders$"
BARE_SAME = ("wire_bytes_per_message", "documents", "input_bytes")  # what a bare row reports as its twin


def bare_problems(binary, rows: list[dict], tmp) -> list[str]:
    from .. import gbench, smoke  # smoke imports this module
    bare = smoke.run_binary(binary, [f"--hotbench_profile={smoke.PROFILE}", "--hotbench_bare=true",
                                     f"--benchmark_filter={BARE_SAMPLE}"], tmp / "bare.json")
    problems = [] if len(bare) == 2 else [f"{BARE_SAMPLE}: {len(bare)} rows, expected 2 (encode and decode)"]
    twins = {r["benchmark"]: r for r in rows if r.get("status") == "ok"}
    for r in bare:
        if r.get("status") != "ok":
            problems.append(f"{r['benchmark']}: error: {r.get('error_message')}")
            continue
        twin = twins.get(r["benchmark"].replace(f"/{r['task']}/", f"/{gbench.harness_task(r['task'])}/", 1))
        if twin is None:
            problems.append(f"{r['benchmark']}: no ok row of its harness twin in the smoke run")
            continue
        problems += [f"{r['benchmark']}: {column} {r.get(column)!r}, its harness twin's {twin.get(column)!r}"
                     for column in BARE_SAME if r.get(column) != twin.get(column)]
    return problems


def smoke_checks(binary, rows: list[dict], tmp) -> list[str]:
    return size_problems(rows) + bare_problems(binary, rows, tmp)


def size_problems(rows: list[dict]) -> list[str]:
    """Compressed rows carry their raw size beside the wire size, the others none."""
    problems = []
    for r in rows:
        if r.get("status") != "ok":
            continue
        compressed = compression_of(r) != NO_COMPRESSION
        raw = r.get(RAW_SIZE)
        has_raw = isinstance(raw, (int, float)) and raw == raw  # not None, not NaN
        if compressed and not (has_raw and raw > 0):
            problems.append(f"{r['benchmark']}: compressed, but {RAW_SIZE} is {raw!r}")
        if not compressed and has_raw:
            problems.append(f"{r['benchmark']}: not compressed, yet it has {RAW_SIZE} {raw!r}")
        if compressed and compression_of(r) not in (r.get("label") or ""):
            problems.append(f"{r['benchmark']}: its label {r.get('label')!r} does not record the codec's settings")
    return problems
