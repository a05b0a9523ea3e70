"""What is particular to the serial suite on the Python side: its size/time figures and a smoke check of
its compressed rows (suites/__init__.py says how they are found).

Figures:

- wire bytes per message against decode time, and against encode time: one point per format (and
  compression codec, rows with the parameter compression=<codec>) and message kind, one panel per
  message kind; the Pareto front (no other point is both smaller and faster) drawn as a step line,
  each point labelled. A compressed point is joined to the same format's point without compression
  by a dotted line: what the codec buys in bytes and costs in time, from the same run.

- what each format promised and did (`serial_evolution_outcomes`, `serial_malformed_outcomes`), from the
  rows that carry no time (bench/serial/outcomes): per evolution row, how the old reader met new bytes and
  the new reader old bytes, each cell coloured by what happened and saying why (a promise, the suite's
  choice, an accident), a broken promise in red; per format and message kind, the truncations and bit flips refused and
  accepted. The words of each code are read from the metric's declared meaning ("codes: 0 = ...; 1 =
  ..."), written once in the suite binary.

The per-task bars (time and size of every row) are the generic figures (plot.py); the rows that carry no
time have none.

Smoke: every compressed row carries its raw size beside its wire size, and the compressed size is the
wire size (the rows without compression carry no raw size); the bare rows of one format (--hotbench_bare,
bench/harness/bare.h) are ok and report the sizes and message counts their harness rows report.
"""

from __future__ import annotations

import re
import statistics

from .. import metrics
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


# ---------------------------------------------------------------------------------------------
# What each format promised and did (rows that carry no time)

# (counter of the outcome, counter of its basis, column words) per direction of the evolution rows
DIRECTIONS = [("old_reader_new_bytes", "old_reader_promise", "old reader, new bytes"),
              ("new_reader_old_bytes", "new_reader_promise", "new reader, old bytes")]
AS_WRITTEN, REFUSED, MISREAD = 0, 1, 2  # outcome codes (bench/serial/outcomes/outcomes.h)
PROMISED = 1  # basis code
OUTCOME_COLOURS = {AS_WRITTEN: "#a5d6a7", REFUSED: "#ffe082", MISREAD: "#ef9a9a"}
MALFORMED_KINDS = [("truncations", "truncations"), ("bit_flips", "bit flips")]
# The malformed rows' counters of each kind: <kind> (tried), then its fates (bench/serial/outcomes/outcomes.h)
MALFORMED_FATES = {"": "tried", "_refused": "refused by validate", "_decode_refused": "refused by decode",
                   "_accepted": "accepted"}


def code_words(metric: str) -> dict[int, str]:
    """{code: words} from the metric's declared meaning ("...; codes: 0 = reads (default); 1 = ..."); empty
    when no description declares it (the table then shows the codes)."""
    declared = metrics.default().lookup(metric, suite="serial")
    meaning = declared.meaning if declared else ""
    return {int(k): v.strip() for k, v in re.findall(r"(\d+) = ([^;]+)", meaning.partition("codes:")[2])}


def _code(row: dict, column: str) -> int | None:
    value = row.get(column)
    return int(value) if plot.is_number(value) else None


def _by_benchmark(rows: list[dict], task: str) -> list[tuple[str, list[dict]]]:
    cells = {}
    for r in rows:
        if r.get("task") == task:
            cells.setdefault(r["benchmark"], []).append(r)
    return list(cells.items())


def _first_ok(cell: list[dict]) -> dict | None:
    return next((r for r in cell if r.get("status") == "ok"), None)


def evolution_cells(rows: list[dict]) -> list[dict]:
    """One entry per evolution row (its repetitions report the same outcomes: the first ok one is shown):
    name, the outcome and basis codes per direction with their words, whether a promise broke, the label
    (why, and what the readers said), the error of a failed row."""
    words = {column: code_words(column) for d in DIRECTIONS for column in d[:2]}
    out = []
    for benchmark, cell in _by_benchmark(rows, "evolution"):
        ok, first = _first_ok(cell), cell[0]
        params = plot.row_params(first)
        entry = {"benchmark": benchmark, "format": plot.implementation(first), "message": first.get("dataset") or "",
                 "mapping": params.get("mapping", ""), "label": (ok or {}).get("label") or "",
                 "error": "; ".join(r.get("error_message") or "error" for r in cell if r.get("status") != "ok"),
                 "directions": []}
        for outcome, basis, _ in DIRECTIONS:
            o, b = (_code(ok, outcome), _code(ok, basis)) if ok else (None, None)
            entry["directions"].append({
                "outcome": o, "basis": b,
                "outcome_words": words[outcome].get(o, f"code {o}") if o is not None else "",
                "basis_words": words[basis].get(b, f"code {b}") if b is not None else "",
                "broken_promise": b == PROMISED and o is not None and o != AS_WRITTEN})
        out.append(entry)
    return out


def evolution_plot(rows: list[dict], colours: dict, facts: str):
    cells = evolution_cells(rows)
    if not cells:
        return None
    table = plot.Table(["format", "message", "mapping", *[f"{words}" for _, _, words in DIRECTIONS],
                        *[f"{words}: why" for _, _, words in DIRECTIONS], "why, and what the readers said"])
    figure = plot.new_figure(12, 1.3 + 0.42 * len(cells))
    ax = figure.add_subplot()
    errors = []
    for y, c in enumerate(cells):
        for x, d in enumerate(c["directions"]):
            if d["outcome"] is None:
                ax.barh(y, 0.96, left=x, color="white", edgecolor=plot.ERROR_RED, hatch="//", linewidth=1.0)
                ax.text(x + 0.48, y, "error: no outcome", ha="center", va="center", fontsize=7.5,
                        color=plot.ERROR_RED, fontweight="bold")
                continue
            ax.barh(y, 0.96, left=x, color=OUTCOME_COLOURS.get(d["outcome"], "#dddddd"),
                    edgecolor=plot.ERROR_RED if d["broken_promise"] else "white",
                    linewidth=2.0 if d["broken_promise"] else 0.5)
            words = f"{d['outcome_words']}: {d['basis_words']}" + (" (BROKEN)" if d["broken_promise"] else "")
            ax.text(x + 0.48, y, plot.mpl_text(words), ha="center", va="center", fontsize=7.5,
                    color=plot.ERROR_RED if d["broken_promise"] else "#222222",
                    fontweight="bold" if d["broken_promise"] or d["outcome"] == MISREAD else "normal")
        if c["error"]:
            errors.append(f"{c['benchmark']}: {c['error']}")
        table.rows.append([c["format"], c["message"], c["mapping"], *[d["outcome_words"] for d in c["directions"]],
                           *[d["basis_words"] for d in c["directions"]], c["label"] or c["error"]])
        broken = any(d["broken_promise"] for d in c["directions"])
        misread = any(d["outcome"] == MISREAD for d in c["directions"])
        table.kinds.append("error" if c["error"] or broken else "partial" if misread else "ok")
    names = [f"{c['format']} {c['message']}" + (f" mapping={c['mapping']}" if c["mapping"] else "") for c in cells]
    ax.set_yticks(range(len(cells)), [plot.mpl_text(n) for n in names], fontsize=8)
    ax.set_ylim(len(cells) - 0.5, -0.5)
    ax.set_xlim(0, 2)
    ax.set_xticks([0.48, 1.48], [words for _, _, words in DIRECTIONS], fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    handles = [plot.mpl().Patch(color=OUTCOME_COLOURS[AS_WRITTEN], label="read as written"),
               plot.mpl().Patch(color=OUTCOME_COLOURS[REFUSED], label="refused with an error"),
               plot.mpl().Patch(color=OUTCOME_COLOURS[MISREAD], label="misread: other values, no error"),
               plot.mpl().Patch(facecolor="white", edgecolor=plot.ERROR_RED, linewidth=2, label="a promise broken")]
    figure.suptitle("serial: schema evolution, one field appended to a nested struct", fontsize=13, x=0.02,
                    ha="left")
    figure.tight_layout(rect=(0, 0, 0.82, 1))
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.82, 0.93), frameon=False, fontsize=8)
    description = ("Per evolution row (serial/evolution/<format>/<message>[/mapping=...], rows that carry no time): "
                   "a message of a v2 schema, which appends one field to the nested Item, read by the v1 reader "
                   "(left), and v1's bytes read by the v2 reader (right), where the new field must read as its "
                   "default. Each cell says what happened and why: a promise (the format's; for "
                   "mapping=msgpack_define, msgpack-cxx's), the suite's choice (its adapter), or an accident "
                   "(nothing promised: the bytes and these values happen to give it). basket_collision is one "
                   "item whose new field equals the note's encoded size, which an old reader without field tags "
                   "takes for the note's length. A promised direction not read as written is a broken promise, "
                   "outlined in red. The table adds why in words and what the readers said. docs/serial.md, "
                   "Schema evolution.")
    return plot.Plot("serial_evolution_outcomes", "serial: schema evolution, what each format promised and did",
                     figure, description, errors, facts, table)


def malformed_cells(rows: list[dict]) -> list[dict]:
    """One entry per malformed row: format, message kind, label, per kind of input (tried, refused,
    accepted) from the first ok repetition, the error of a failed row."""
    out = []
    for benchmark, cell in _by_benchmark(rows, "malformed"):
        ok, first = _first_ok(cell), cell[0]
        counts = {column: tuple(_code(ok, f"{column}{suffix}") if ok else None for suffix in MALFORMED_FATES)
                  for column, _ in MALFORMED_KINDS}
        out.append({"benchmark": benchmark, "format": plot.implementation(first), "message": first.get("dataset") or "",
                    "label": (ok or {}).get("label") or "", "counts": counts,
                    "error": "; ".join(r.get("error_message") or "error" for r in cell if r.get("status") != "ok")})
    return sorted(out, key=lambda c: (c["message"], c["format"]))


def malformed_plot(rows: list[dict], colours: dict, facts: str):
    cells = malformed_cells(rows)
    if not cells:
        return None
    table = plot.Table(["format", "message", *[f"{words}: {what}" for _, words in MALFORMED_KINDS
                                               for what in MALFORMED_FATES.values()], "input", "status"])
    figure = plot.new_figure(11, 1.4 + 0.36 * len(cells))
    axes = figure.subplots(1, len(MALFORMED_KINDS), sharey=True)
    errors = []
    for c in cells:
        if c["error"]:
            errors.append(f"{c['benchmark']}: {c['error']}")
        table.rows.append([c["format"], c["message"], *[plot.format_value(v) for column, _ in MALFORMED_KINDS
                                                       for v in c["counts"][column]],
                           c["label"], c["error"] or "ok"])
        table.kinds.append("error" if c["error"] else "ok")
    for ax, (column, words) in zip(axes, MALFORMED_KINDS):
        for y, c in enumerate(cells):
            tried, refused, decode_refused, accepted = c["counts"][column]
            if not tried:
                ax.text(0.01, y, "error: no counts", va="center", color=plot.ERROR_RED, fontsize=8, fontweight="bold")
                continue
            colour = colours.get(c["format"], "#777777")
            ax.barh(y, refused / tried, 0.7, color=colour)
            ax.barh(y, decode_refused / tried, 0.7, left=refused / tried, color=colour, alpha=0.45)
            ax.barh(y, accepted / tried, 0.7, left=(refused + decode_refused) / tried, color="white",
                    edgecolor=colour, hatch="//", linewidth=0.8)
            ax.text(1.01, y, f"{refused + decode_refused:,} / {tried:,}", va="center", fontsize=7)
        ax.set_xlim(0, 1.25)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25 %", "50 %", "75 %", "100 %"])
        ax.set_xlabel(f"share of the {words}", fontsize=9)
        ax.set_title(words, fontsize=10, loc="left")
        ax.grid(axis="x", alpha=0.35)
        ax.set_axisbelow(True)
    axes[0].set_yticks(range(len(cells)), [plot.mpl_text(f"{c['format']} {c['message']}") for c in cells], fontsize=8)
    axes[0].set_ylim(len(cells) - 0.5, -0.5)
    figure.suptitle("serial: malformed input, refused or read as a valid message", fontsize=13, x=0.02, ha="left",
                    y=0.995)
    figure.tight_layout(rect=(0, 0, 1, 0.94))
    handles = [plot.mpl().Patch(color="#777777", label="refused by validate"),
               plot.mpl().Patch(color="#777777", alpha=0.45, label="accepted by validate, refused by decode"),
               plot.mpl().Patch(facecolor="white", edgecolor="#777777", hatch="//",
                                label="accepted: a value that survives its round trip")]
    figure.legend(handles=handles, loc="upper right", bbox_to_anchor=(0.99, 0.95), ncol=3, frameon=False, fontsize=8)
    description = ("Per format and message kind (serial/malformed/<format>/<kind>, rows that carry no time), one "
                   "encoding of the file's first message: every truncation, and single bit flips (every bit of "
                   "the first and last 32 bytes and of every 16th byte between them). Each input is refused by "
                   "the format's validate (filled), or accepted by validate and then refused by decode or the "
                   "accessors with an error (pale: safe, but validate did not judge all that decode does), or "
                   "accepted and decoded to a value that encodes and decodes back to itself, its accessors "
                   "reading the same (hatched); the numbers are the refused of the tried. Anything else (a value "
                   "that does not survive, accessors reading other values, a crash) fails the row. None of "
                   "these formats has a checksum: most bit flips land in strings or scalars and give another "
                   "valid message. docs/serial.md, Malformed input.")
    return plot.Plot("serial_malformed_outcomes", "serial: malformed input, refused or read as a valid message",
                     figure, description, errors, facts, table)


def plots(rows: list[dict], colours: dict, facts: str) -> list:
    made = [size_time_plot(rows, task, words, colours, facts) for task, words in TIME_AXES]
    made += [evolution_plot(rows, colours, facts), malformed_plot(rows, colours, facts)]
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
