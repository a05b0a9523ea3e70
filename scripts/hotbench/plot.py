"""`hotbench plot`: a result's figures, one per suite and task, as PNG and SVG.

What the figures show (every figure says it again in its caption):

* Bars (`<suite>_<task>`): one group per dataset, one bar per implementation (library[:variant]),
  the bar at the median over the ok repetitions of the task's main metric (input MB/s for
  limit/parse/parse_only/parse_bare/typed_decode, output MB/s for serialize/typed_encode; `--metric`
  overrides), the error bar spanning min to max across those repetitions. Within a group bars
  are sorted best first (left), so the order can differ between groups: colours, not places,
  identify implementations.
* The speed of light: the suite's `limit` task (memcpy of the same dataset) is drawn on the
  other tasks' bar charts as a dashed segment across each dataset's group, labelled with its
  value. memcpy is ~100x faster than parsers, so when the values span more than 30x the y axis
  turns logarithmic; on a log axis the gap between a bar and the dashed line reads directly as
  "so many times slower than copying the input". The limit task keeps its own figure too.
* Errors are never dropped: an implementation whose repetitions all failed keeps its place in
  the group as a full-height hatched slot labelled "<name>: error", one that failed some
  repetitions gets a red "!" over its bar (drawn from the others), and the caption lists every
  failed benchmark with its message. In curves a failed point is a red "error" at its x.
* Curves (`<suite>_<task>`, instead of bars): when a task's rows vary in `threads`,
  `capacity` or `message_bytes`, the metric is drawn against the first of those that varies,
  one panel per dataset, one line per implementation (other varying keys become separate
  lines), median with min-max error bars.
* Latency (`<suite>_<task>_latency`): when rows carry percentile columns (`p50_ns`, `p99_ns`,
  `p999_ns` = p99.9, ...), one panel per dataset, latency against percentile, log y axis.
* The caption ends with CPU model, compiler, commit and date from the result set's metadata.

`--metric M` draws M for every task (tasks without it are skipped with a note) and no latency
figure. `build_plots` makes the figures in memory (html.py inlines them as SVG); `main` writes
files, each atomically.
"""

import dataclasses
import functools
import io
import math
import pathlib
import re
import statistics
import sys
import textwrap
import types
import warnings

from . import atomic, cli, metrics, suites, tidy
from .errors import BadInput, HotbenchError


@functools.cache
def mpl() -> types.SimpleNamespace:
    """matplotlib, imported on first use: cli.py imports every subcommand's module to build its
    parser, and matplotlib would add about a second to every `hotbench` command."""
    import matplotlib
    matplotlib.use("Agg")  # headless: never needs a display
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.ticker import FuncFormatter
    from matplotlib.transforms import Bbox, blended_transform_factory
    return types.SimpleNamespace(matplotlib=matplotlib, FigureCanvasAgg=FigureCanvasAgg, Figure=Figure,
                                 Line2D=Line2D, Patch=Patch, Rectangle=Rectangle, FuncFormatter=FuncFormatter,
                                 Bbox=Bbox, blended_transform_factory=blended_transform_factory)


DEFAULT_METRIC = {
    "limit": "input_mb_per_s", "parse": "input_mb_per_s", "parse_only": "input_mb_per_s",
    "parse_bare": "input_mb_per_s",
    "typed_decode": "input_mb_per_s", "serialize": "output_mb_per_s", "typed_encode": "output_mb_per_s",
    # cache suite: the miss-ratio sweep and traces by hit ratio, the rest by their rate or cost
    "mrc": "hit_ratio", "trace": "hit_ratio", "throughput": "ops_per_s", "concurrent": "ops_per_s",
    "trace_read": "ops_per_s", "hit": "ns_per_op", "floor": "ns_per_op",
    # queue suite: throughput as messages/s, latency rows by their median round trip
    "spsc_throughput": "ops_per_s", "mpmc_throughput": "ops_per_s", "single_thread": "ns_per_op",
    "ping_pong": "p50_ns", "open_loop": "p50_ns",
    # messaging suite: a fan_out row by what each subscriber received, not by what was sent (an at-most-once
    # publisher may send several times what reaches anyone)
    "fan_out": "delivered_per_subscriber_per_s",
}
# For tasks not listed above: the first of these the task's rows have.
FALLBACK_METRICS = ["input_mb_per_s", "output_mb_per_s", "documents_per_s", "ops_per_s", "real_time_ns"]

# Metrics for which memcpy of the same input is a meaningful bound, and the limit task's column to
# compare with: memcpy reads the input once and writes as many bytes, so its input MB/s is also its
# output MB/s and bounds reading (parse) and writing (serialize) alike. summary.FLOORS pairs the same
# tasks with it in the report's answers.
REFERENCE_METRICS = {"input_mb_per_s": "input_mb_per_s", "output_mb_per_s": "input_mb_per_s",
                     "real_time_ns": "real_time_ns", "cpu_time_ns": "cpu_time_ns"}
REFERENCE_TASK = "limit"
REFERENCE_LABEL = "memcpy"  # what the limit task does; named in legends and captions

# Columns a curve can be drawn against, in order of preference, with their axis labels.
CURVE_KEYS = {"threads": "threads", "capacity": "capacity", "message_bytes": "message size [bytes]",
              "pipeline": "pipeline depth [requests in flight]", "rate": "offered rate [per s]"}

PERCENTILE_COLUMN = re.compile(r"^p(\d+)(?:[._](\d+))?_ns$")

TASK_ORDER = ["parse", "parse_only", "parse_bare", "typed_decode", "serialize", "typed_encode", "limit"]
FORMATS = ("png", "svg")
PNG_DPI = 110
LOG_SCALE_SPAN = 30  # values spanning more than this factor go on a log axis
ERROR_RED = "#c0392b"
MAX_LISTED_ERRORS = 8  # per caption; the HTML report lists all of them


class NothingToPlot(BadInput):
    """The input has rows, but none with a value to draw."""


@dataclasses.dataclass
class Stats:
    """One cell of a figure: the metric over the repetitions of one benchmark."""
    values: list = dataclasses.field(default_factory=list)  # ok repetitions that have the metric
    errors: list = dataclasses.field(default_factory=list)  # messages of the error repetitions
    missing: int = 0  # ok repetitions without the metric

    @property
    def n(self):
        return len(self.values)

    @property
    def median(self):
        return statistics.median(self.values)

    @property
    def low(self):
        return min(self.values)

    @property
    def high(self):
        return max(self.values)

    @property
    def repetitions(self):
        return self.n + len(self.errors) + self.missing

    def status(self) -> str:
        if self.errors and not self.values:
            return f"error: {self.errors[0]}"
        if self.errors:
            return f"{len(self.errors)} of {self.repetitions} repetitions errored: {self.errors[0]}"
        if not self.values:
            return "no value"
        return "ok"


@dataclasses.dataclass
class Table:
    """The numbers behind a figure; `kinds` says per row "ok", "error", "partial" or "reference"."""
    columns: list
    rows: list = dataclasses.field(default_factory=list)
    kinds: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Plot:
    name: str  # file stem, <suite>_<task>[_latency]
    title: str
    figure: object  # a matplotlib Figure
    description: str  # what is drawn and how to read it
    errors: list  # one line per failed benchmark
    provenance: str  # CPU, compiler, commit, date
    table: Table
    suite: str = ""  # set by build_plots: the report shows each suite's figures under its own heading


# ---------------------------------------------------------------------------------------------
# What to plot


def describe(metric: str) -> tuple[str, str, str | None]:
    """(what it measures, unit, "lower"/"higher"/None) of any column: as the suites declare it (metrics.py:
    the result set's recorded descriptions inside build_plots, else the built binaries); a column nobody
    declares is drawn under its own name, without unit or direction."""
    known = metrics.default().lookup(metric)
    if known is None:
        return (metric, "", None)
    return (known.meaning or metric, known.unit, known.better)


def axis_label(metric: str, log: bool = False) -> str:
    what, unit, better = describe(metric)
    first = f"{what} [{unit}]" if unit else what
    second = [f"{better} is better"] if better else []
    if log:
        second.append("log scale")
    return first + ("\n" + ", ".join(second) if second else "")


def percentile_value(column: str) -> float:
    """p50_ns -> 50, p99_9_ns / p99.9_ns / p999_ns -> 99.9, p100_ns -> 100."""
    whole, fraction = PERCENTILE_COLUMN.match(column).groups()
    if fraction is None and len(whole) > 2 and whole != "100":
        whole, fraction = whole[:2], whole[2:]
    return float(f"{whole}.{fraction}" if fraction else whole)


def percentile_label(column: str) -> str:
    return f"p{percentile_value(column):g}"


def implementation(row: dict) -> str:
    """library[:variant]; a foreign Google Benchmark row is named by its benchmark name."""
    if not row.get("library"):
        return row["benchmark"]
    return f"{row['library']}:{row['variant']}" if row.get("variant") else row["library"]


def row_params(row: dict) -> dict:
    """The sweep parameters of a row's name (capacity=1024/key=string -> {"capacity": "1024", ...})."""
    return dict(p.split("=", 1) for p in (row.get("params") or "").split("/") if "=" in p)


def distinguishing_params(rows: list[dict]) -> list[str]:
    """Parameters that tell apart rows of one implementation on one dataset (a cache row with string
    keys next to one with integer keys, say): without them such rows would share a bar or a line."""
    by_cell = {}
    for r in rows:
        by_cell.setdefault((r.get("dataset") or "", implementation(r)), []).append(row_params(r))
    keys = set()
    for params in by_cell.values():
        for k in set().union(*params):
            if len({p.get(k) for p in params}) > 1:
                keys.add(k)
    return sorted(keys)


def with_params(name: str, row: dict, keys: list[str]) -> str:
    params = row_params(row)
    return " ".join([name, *[f"{k}={params[k]}" for k in keys if k in params]])


def suite_and_task(row: dict) -> tuple[str, str]:
    return (row.get("suite") or "other", row.get("task") or "benchmarks")


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def metric_columns(rows: list[dict]) -> list[str]:
    """Columns that hold a number in at least one ok row (identity columns excluded)."""
    skip = set(tidy.IDENTITY) | set(tidy.STATUS)
    found = {k for r in rows if r.get("status") == "ok" for k, v in r.items() if k not in skip and is_number(v)}
    return sorted(found)


def check_metric(rows: list[dict], metric: str, source) -> None:
    available = metric_columns(rows)
    if metric in available:
        return
    if metric in tidy.IDENTITY or metric in tidy.STATUS:
        raise BadInput(f"{source}: --metric {metric!r} is an identity column, not a metric; "
                       f"metrics in this input: {', '.join(available)}")
    if metrics.default().lookup(metric) is not None or any(metric in r for r in rows):
        raise BadInput(f"{source}: metric {metric!r} has no values in this input; "
                       f"metrics in this input: {', '.join(available)}")
    raise BadInput(f"{source}: unknown metric {metric!r}; metrics in this input: {', '.join(available)}")


def has_values(rows: list[dict], column: str) -> bool:
    return any(r.get("status") == "ok" and is_number(r.get(column)) for r in rows)


def main_metric(task: str, rows: list[dict], override: str | None) -> str | None:
    if override:
        return override if has_values(rows, override) else None
    if task in DEFAULT_METRIC and has_values(rows, DEFAULT_METRIC[task]):
        return DEFAULT_METRIC[task]
    return next((m for m in FALLBACK_METRICS if has_values(rows, m)), None)


def percentile_columns(rows: list[dict]) -> list[str]:
    columns = {k for r in rows for k in r if PERCENTILE_COLUMN.match(k) and has_values(rows, k)}
    return sorted(columns, key=percentile_value)


def varying_keys(rows: list[dict]) -> list[str]:
    """The curve keys that take more than one value in these rows."""
    return [k for k in CURVE_KEYS if len({r.get(k) for r in rows if r.get(k) is not None}) > 1]


suite_rank = suites.rank  # the order of suites in figures and the report: suites.ORDER, then alphabetical


def by_task(rows: list[dict]) -> dict:
    groups = {}
    for r in rows:
        groups.setdefault(suite_and_task(r), []).append(r)

    def order(key):
        suite, task = key
        rank = TASK_ORDER.index(task) if task in TASK_ORDER else len(TASK_ORDER)
        return (suite_rank(suite), rank, task)

    return {k: groups[k] for k in sorted(groups, key=order)}


def collect(rows: list[dict], metric: str, key) -> dict:
    """key(row) -> Stats of `metric`; error rows count as errors whatever the metric."""
    cells = {}
    for r in rows:
        stats = cells.setdefault(key(r), Stats())
        if r.get("status") == "error":
            stats.errors.append(r.get("error_message") or "unknown error")
        elif is_number(r.get(metric)):
            stats.values.append(float(r[metric]))
        else:
            stats.missing += 1
    return cells


# ---------------------------------------------------------------------------------------------
# Text


def format_value(value) -> str:
    """About four significant digits, thousands separated: 32,208 / 312.5 / 31.25 / 3.125 / 0.0123."""
    if value is None:
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{value:,.0f}"  # counts, and medians that happen to be whole
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 10:
        return f"{value:.2f}"
    if magnitude >= 1:
        return f"{value:.3f}"
    return f"{value:.3g}"


def format_key(value) -> str:
    return str(int(value)) if is_number(value) and float(value).is_integer() else str(value)


def mpl_text(text: str) -> str:
    """Data shown as matplotlib text: a `$` would start mathtext (and can fail to parse)."""
    return str(text).replace("$", r"\$")


def shorten(text: str, width: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def provenance(meta: dict, rows: list[dict]) -> str:
    """CPU model, compiler, commit and date, from whatever the metadata has."""
    contexts = [meta.get("benchmark_context") or {}]
    contexts += [s.get("benchmark_context") or {} for s in (meta.get("suites") or {}).values()]

    def from_context(key):
        return next((c[key] for c in contexts if c.get(key)), None)

    machine, build, git = meta.get("machine") or {}, meta.get("build") or {}, meta.get("git") or {}
    facts = []
    if machine.get("cpu_model"):
        facts.append(f"CPU {machine['cpu_model']}")
    elif from_context("num_cpus"):  # plain Google Benchmark JSON does not name the CPU
        mhz = f" @ {from_context('mhz_per_cpu')} MHz" if from_context("mhz_per_cpu") else ""
        facts.append(f"CPU model unknown ({from_context('num_cpus')} CPUs{mhz})")
    compiler = build.get("compiler") or from_context("hotbench_compiler")
    if compiler:
        flags = build.get("cxx_flags") or from_context("hotbench_cxx_flags")
        build_type = build.get("build_type") or from_context("hotbench_build_type")
        facts.append(" ".join(x for x in [f"compiler {compiler}", flags, f"({build_type})" if build_type else None]
                              if x))
    if git.get("commit"):
        facts.append(f"commit {git['commit'][:10]}" + (" (dirty)" if git.get("dirty") else ""))
    date = meta.get("started_utc") or from_context("date")
    if date:
        facts.append(str(date).replace("T", " ").replace("+00:00", " UTC"))
    run_ids = sorted({r.get("run_id") for r in rows if r.get("run_id")})
    run_id = meta.get("run_id") or (run_ids[0] if len(run_ids) == 1 else None)
    if run_id:
        facts.append(f"run {run_id}")
    return " \u00b7 ".join(facts) if facts else "no run metadata (the input was not a result set)"


def error_lines(cells: dict, name) -> list[str]:
    """One line per cell with error repetitions: `name(key)`: message (k of n repetitions)."""
    lines = []
    for key, stats in cells.items():
        if stats.errors:
            share = "" if not stats.values else f" ({len(stats.errors)} of {stats.repetitions} repetitions)"
            lines.append(f"{name(key)}: {shorten(stats.errors[0])}{share}")
    return lines


# ---------------------------------------------------------------------------------------------
# Drawing helpers


def palette(names) -> dict:
    """A stable colour per implementation, the same in every figure of one input."""
    names = sorted(set(names))
    if len(names) <= 10:
        colours = mpl().matplotlib.colormaps["tab10"].colors
    else:
        colours = mpl().matplotlib.colormaps["tab20"].colors
    return {name: colours[i % len(colours)] for i, name in enumerate(names)}


def new_figure(width: float, height: float):
    figure = mpl().Figure(figsize=(width, height), dpi=100)
    mpl().FigureCanvasAgg(figure)  # no pyplot: no global state, nothing to close
    return figure


def plain_number(value, _position=None) -> str:
    """Tick labels as plain numbers (1,000 rather than 10^3 or an offset): readers compare them with
    the table."""
    if value == 0 or abs(value) >= 1 and float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 1 else f"{value:g}"


def use_log_scale(values) -> bool:
    positive = [v for v in values if v > 0]
    return len(positive) == len(values) and bool(positive) and max(positive) / min(positive) > LOG_SCALE_SPAN


def set_value_axis(ax, metric: str, values: list[float], force_log: bool = False) -> None:
    """Linear from zero, or logarithmic when the values span more than LOG_SCALE_SPAN."""
    log = bool(values) and (force_log or use_log_scale(values)) and min(values) > 0
    if log:
        ax.set_yscale("log")
        ax.set_ylim(10 ** math.floor(math.log10(min(values) * 0.8)), max(values) * 2.0)
    elif values:
        ax.set_ylim(0, max(values) * 1.12 if max(values) > 0 else 1)
    ax.yaxis.set_major_formatter(mpl().FuncFormatter(plain_number))
    ax.set_ylabel(axis_label(metric, log))
    ax.grid(axis="y", alpha=0.35)
    ax.set_axisbelow(True)


def mark_failure(ax, x: float, text: str, colour: str = ERROR_RED, width: float = 0.0, hatch_colour=None) -> None:
    """A word (and, given a width, a hatched column) where a bar or point is missing: in axes
    coordinates, so it shows whatever the scale."""
    bottom = mpl().blended_transform_factory(ax.transData, ax.transAxes)
    if width:
        # Full height, so that it cannot be read as a bar of some value.
        # Full height, so that it cannot be read as a bar of some value; hatched in the
        # implementation's colour, so that the slot still says whose it is.
        ax.add_patch(mpl().Rectangle((x - width / 2, 0), width, 1, transform=bottom, fill=False, hatch="///",
                                     edgecolor=hatch_colour or colour, linewidth=0.6, alpha=0.45))
    ax.text(x, 0.02, text, transform=bottom, rotation=90, ha="center", va="bottom", color=colour,
            fontsize=9, fontweight="bold", bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})


def add_caption(figure, lines: list[str]) -> None:
    """Caption text under everything drawn so far, wrapped to the width of the axes."""
    renderer = figure.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in figure.axes]
    area = mpl().Bbox.union([b for b in boxes if b is not None])
    font_pt = 8
    chars = max(60, int(area.width / (font_pt * figure.dpi / 72 * 0.52)))
    text = "\n".join(textwrap.fill(line, chars, subsequent_indent="  ") for line in lines)
    figure.text(area.x0 / figure.bbox.width, (area.y0 - 8) / figure.bbox.height, mpl_text(text),
                ha="left", va="top", fontsize=font_pt, color="#333333")


def caption_lines(plot: Plot) -> list[str]:
    lines = [plot.description]
    if plot.errors:
        shown = plot.errors[:MAX_LISTED_ERRORS]
        more = len(plot.errors) - len(shown)
        lines.append("Errors: " + "; ".join(shown) + (f"; and {more} more" if more else ""))
    lines.append(plot.provenance)
    return lines


def stats_cells(stats: Stats) -> list[str]:
    if not stats.values:
        return ["", "", "", "0"]
    return [format_value(stats.median), format_value(stats.low), format_value(stats.high), str(stats.n)]


def kind_of(stats: Stats) -> str:
    if stats.errors:
        return "partial" if stats.values else "error"
    return "ok"


def stats_header(metric: str) -> list[str]:
    unit = describe(metric)[1]
    suffix = f" [{unit}]" if unit else ""
    return [f"median{suffix}", f"min{suffix}", f"max{suffix}", "n"]


def repetition_words(cells: dict) -> str:
    counts = sorted({s.n for s in cells.values() if s.n})
    if not counts:
        return "repetitions"
    if len(counts) == 1:
        return "1 repetition" if counts[0] == 1 else f"{counts[0]} repetitions"
    return f"{counts[0]}-{counts[-1]} repetitions"


# ---------------------------------------------------------------------------------------------
# Bars


def bar_plot(suite: str, task: str, rows: list[dict], metric: str, reference: dict, colours: dict,
             facts: str, part: str = "") -> Plot:
    extra = distinguishing_params(rows)
    impl_of = {with_params(implementation(r), r, extra): implementation(r) for r in rows}
    hatches = variant_hatches(impl_of)
    cells = collect(rows, metric, lambda r: (r.get("dataset") or "", with_params(implementation(r), r, extra)))
    datasets = sorted({d for d, _ in cells})
    implementations = sorted({i for _, i in cells})
    better = describe(metric)[2]
    slots = max(sum(1 for d, _ in cells if d == dataset) for dataset in datasets)
    width = 0.82 / slots
    n_bars = len(cells)

    figure = new_figure(min(16.0, max(8.0, 3.5 + 0.17 * n_bars + 0.5 * len(datasets))), 6.0)
    ax = figure.add_subplot()
    table = Table(["dataset", "implementation", *stats_header(metric), "status"])
    drawn = []
    for g, dataset in enumerate(datasets):
        entries = [(impl, cells[(dataset, impl)]) for impl in implementations if (dataset, impl) in cells]
        entries.sort(key=lambda e: bar_order(e[1], better))
        for j, (impl, stats) in enumerate(entries):
            x = g + (j - (len(entries) - 1) / 2) * width
            draw_bar(ax, x, width, stats, colours[impl_of[impl]], impl, hatches[impl])
            drawn += [stats.low, stats.high] if stats.values else []
            table.rows.append([dataset, impl, *stats_cells(stats), stats.status()])
            table.kinds.append(kind_of(stats))
        if dataset in reference:
            ref = reference[dataset]
            draw_reference(ax, g, ref, len(entries) * width)
            drawn.append(ref.median)
            table.rows.append([dataset, f"{REFERENCE_LABEL} (reference)", *stats_cells(ref), ref.status()])
            table.kinds.append("reference")

    set_value_axis(ax, metric, drawn)
    ax.set_xticks(range(len(datasets)), [mpl_text(d or "(no dataset)") for d in datasets],
                  rotation=20 if len(datasets) > 8 else 0, ha="right" if len(datasets) > 8 else "center")
    ax.set_xlim(-0.6, len(datasets) - 0.4)
    ax.set_xlabel("dataset")
    what = describe(metric)[0]
    title = f"{suite} / {task}{part_words(part)}: {what}"
    ax.set_title(mpl_text(title), fontsize=13, loc="left")
    handles = [mpl().Patch(facecolor=colours[impl_of[i]], hatch=hatches[i], edgecolor="white", label=mpl_text(i))
               for i in implementations]
    if reference:
        handles.append(mpl().Line2D([], [], color="black", linestyle="--", label=f"{REFERENCE_LABEL} (speed of light)"))
    ax.legend(handles=handles, title="implementation", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              frameon=False, fontsize=9)

    description = (f"Bars: median over {repetition_words(cells)} (ok repetitions only); error bars: min to max "
                   f"across repetitions. Bars sorted best first within each dataset"
                   f"{' (' + better + ' is better)' if better else ''}.")
    if reference:
        description += (f" Dashed lines: {REFERENCE_LABEL} of the same dataset (median), the speed of light;"
                        f" on a log axis the gap to it is the factor below memcpy.")
    errors = error_lines(cells, lambda k: f"{suite}/{task}/{k[1]}/{k[0]}")
    if any(s.errors and not s.values for s in cells.values()):
        description += " \"<name>: error\": every repetition failed, no bar (hatched slot)."
    if any(s.errors and s.values for s in cells.values()):
        description += " \"!\": some repetitions failed; the bar shows the others."
    if any(s.missing and not s.values and not s.errors for s in cells.values()):
        description += f" \"n/a\": the benchmark reports no {metric}."
    fixed = fixed_keys(rows)
    if fixed:
        description += f" All at {fixed}."
    return Plot(f"{suite}_{task}{part}", title, figure, description, errors, facts, table)



def bar_order(stats: Stats, better: str | None):
    """Best first; cells without a value go last."""
    if not stats.values:
        return (1, 0.0)
    return (0, -stats.median if better == "higher" else stats.median)


VARIANT_HATCHES = ["", "//", "..", "xx", "\\\\", "oo"]


def variant_hatches(impl_of: dict) -> dict:
    """bar label -> hatch. Bars of one implementation with other parameters (a cache map with string keys
    and with integer keys, a serial format with and without compression) share its colour: each after
    the first gets a hatch, in the legend too, so colour and hatch still say whose bar it is."""
    seen, hatches = {}, {}
    for label in sorted(impl_of):
        n = seen.get(impl_of[label], 0)
        seen[impl_of[label]] = n + 1
        hatches[label] = VARIANT_HATCHES[n % len(VARIANT_HATCHES)]
    return hatches


def draw_bar(ax, x: float, width: float, stats: Stats, colour, name: str, hatch: str = "") -> None:
    if not stats.values:
        mark_failure(ax, x, f"{mpl_text(name)}: {'error' if stats.errors else 'n/a'}",
                     ERROR_RED if stats.errors else "#777777", width * 0.92, colour)
        return
    ax.bar(x, stats.median, width * 0.92, color=colour, edgecolor="white", linewidth=0.4, hatch=hatch)
    ax.errorbar(x, stats.median, yerr=[[stats.median - stats.low], [stats.high - stats.median]], fmt="none",
                ecolor="#222222", elinewidth=0.9, capsize=2)
    if stats.errors:
        ax.annotate("!", (x, stats.high), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    color=ERROR_RED, fontsize=10, fontweight="bold")


def draw_reference(ax, center: float, ref: Stats, span: float) -> None:
    half = max(span, 0.3) / 2 + 0.03
    ax.hlines(ref.median, center - half, center + half, colors="black", linestyles="--", linewidth=1.3)
    ax.annotate(f"{REFERENCE_LABEL} {format_value(ref.median)}", (center, ref.median), xytext=(0, 3),
                textcoords="offset points", ha="center", va="bottom", fontsize=8)


def fixed_keys(rows: list[dict]) -> str:
    """Curve keys that are constant and unusual (threads != 1), for the caption."""
    parts = []
    for key in CURVE_KEYS:
        values = {r.get(key) for r in rows if r.get(key) is not None}
        if len(values) == 1 and not (key == "threads" and values == {1}):
            parts.append(f"{key}={format_key(values.pop())}")
    return ", ".join(parts)


def reference_stats(task_rows: dict, suite: str, task: str, metric: str) -> dict:
    """dataset -> Stats of the suite's limit task, when it is a meaningful bound for this figure."""
    if task == REFERENCE_TASK or metric not in REFERENCE_METRICS:
        return {}
    limit_rows = task_rows.get((suite, REFERENCE_TASK), [])
    cells = collect([r for r in limit_rows if r.get("status") == "ok"], REFERENCE_METRICS[metric],
                    lambda r: r.get("dataset") or "")
    return {d: s for d, s in cells.items() if s.values}


# ---------------------------------------------------------------------------------------------
# Curves (threads, capacity, message size) and latency percentiles


def series_name(row: dict, keys: list[str]) -> str:
    """Implementation, plus the values of varying keys that are not on the x axis."""
    extra = [f"{k}={format_key(row.get(k))}" for k in keys]
    return ", ".join([implementation(row), *extra])


def dataset_of(row: dict) -> str:
    return row.get("dataset") or ""


def split_keys(rows: list[dict], x_key: str | None) -> dict:
    """dataset -> the curve keys that vary within it (the x axis excepted): each value is a line."""
    datasets = {dataset_of(r) for r in rows}
    return {d: [k for k in varying_keys([r for r in rows if dataset_of(r) == d]) if k != x_key] for d in datasets}


def panel_grid(figure, count: int, width_each: float = 4.6, height_each: float = 3.4):
    columns = min(3, count)
    rows = math.ceil(count / columns)
    figure.set_size_inches(width_each * columns + 2.6, height_each * rows + 0.9)
    return [figure.add_subplot(rows, columns, i + 1) for i in range(count)]


def line_styles(series_impl: dict) -> dict:
    """series -> (dash pattern, marker): lines of one implementation (one colour) must differ."""
    patterns = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1, 1, 1)), "v")]
    styles, seen = {}, {}
    for series in sorted(series_impl):
        count = seen.get(series_impl[series], 0)
        styles[series] = patterns[count % len(patterns)]
        seen[series_impl[series]] = count + 1
    return styles


def draw_line(ax, points: list, colour, style) -> list[float]:
    """(x, Stats) points with values -> a line of medians with min-max error bars; the values drawn."""
    if not points:
        return []
    dash, marker = style
    yerr = [[s.median - s.low for _, s in points], [s.high - s.median for _, s in points]]
    if not any(any(side) for side in yerr):
        yerr = None  # one repetition: no spread to draw
    with warnings.catch_warnings():
        # matplotlib 3.6 warns while sizing the caps of zero-length error bars; they draw correctly
        warnings.filterwarnings("ignore", message="All-NaN axis encountered")
        ax.errorbar([x for x, _ in points], [s.median for _, s in points], yerr=yerr,
                    color=colour, linestyle=dash, marker=marker, markersize=4, capsize=3, linewidth=1.4)
    return [v for _, s in points for v in (s.low, s.high)]


def list_failures(ax, names: list[str]) -> None:
    """Series without any value in this panel, named in a red box: a line cannot show them."""
    if names:
        text = "error (no value):\n" + "\n".join(mpl_text(shorten(n, 40)) for n in names)
        ax.text(0.02, 0.97, text, transform=ax.transAxes, ha="left", va="top", fontsize=8, color=ERROR_RED,
                bbox={"facecolor": "white", "edgecolor": ERROR_RED, "alpha": 0.9, "pad": 3})


def finish_panels(figure, title: str, series_impl: dict, styles: dict, colours: dict) -> None:
    handles = [mpl().Line2D([], [], color=colours[series_impl[s]], linestyle=styles[s][0], marker=styles[s][1],
                            label=mpl_text(s)) for s in sorted(series_impl)]
    figure.suptitle(mpl_text(title), fontsize=13, x=0.02, ha="left")
    figure.tight_layout()
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.99, 0.93), frameon=False, fontsize=9)


def curve_plot(suite: str, task: str, rows: list[dict], metric: str, x_key: str, colours: dict,
               facts: str, part: str = "") -> Plot:
    split = split_keys(rows, x_key)

    def key(r):
        return (dataset_of(r), series_name(r, split[dataset_of(r)]), r.get(x_key))

    cells = collect(rows, metric, key)
    series_impl = {series_name(r, split[dataset_of(r)]): implementation(r) for r in rows}
    styles = line_styles(series_impl)
    # a panel only where there is something to draw: a value, or a failure to name
    datasets = sorted(d for d in split if any(s.values or s.errors for k, s in cells.items() if k[0] == d))
    figure = new_figure(8, 5)
    table = Table(["dataset", "series", x_key, *stats_header(metric), "status"])
    for ax, dataset in zip(panel_grid(figure, len(datasets)), datasets):
        drawn, failed = [], []
        for series in sorted({k[1] for k in cells if k[0] == dataset}):
            points = sorted(((k[2], s) for k, s in cells.items() if k[:2] == (dataset, series)),
                            key=lambda p: float(p[0]) if is_number(p[0]) else 0.0)
            drawn += draw_line(ax, [(x, s) for x, s in points if s.values], colours[series_impl[series]],
                               styles[series])
            for x, s in points:
                if s.errors and not s.values:
                    mark_failure(ax, x, "error")
                table.rows.append([dataset, series, format_key(x), *stats_cells(s), s.status()])
                table.kinds.append(kind_of(s))
            if not any(s.values for _, s in points):
                failed.append(series)
        set_value_axis(ax, metric, drawn)
        set_key_axis(ax, x_key, sorted({k[2] for k in cells if k[0] == dataset and is_number(k[2])}))
        ax.set_title(mpl_text(dataset or "(no dataset)"), fontsize=10)
        list_failures(ax, failed)
    title = f"{suite} / {task}{part_words(part)}: {describe(metric)[0]} against {x_key}"
    finish_panels(figure, title, series_impl, styles, colours)
    description = (f"Points: median over {repetition_words(cells)} (ok repetitions only); error bars: min to max "
                   f"across repetitions; one panel per dataset. \"error\": every repetition failed there.")
    errors = error_lines(cells, lambda k: f"{suite}/{task}/{k[1]}/{k[0]} at {x_key}={format_key(k[2])}")
    return Plot(f"{suite}_{task}{part}", title, figure, description, errors, facts, table)


def set_key_axis(ax, x_key: str, xs: list) -> None:
    """Powers of two (threads, sizes) spread evenly on a log2 axis; every measured value is a tick."""
    numbers = [float(x) for x in xs]
    if numbers and min(numbers) > 0 and max(numbers) / min(numbers) >= 8:
        ax.set_xscale("log", base=2)
    if numbers:
        ax.set_xticks(numbers, [format_key(x) for x in numbers], fontsize=8)
        ax.minorticks_off()
    ax.set_xlabel(CURVE_KEYS.get(x_key, x_key))
    ax.grid(axis="x", alpha=0.2)


def latency_plot(suite: str, task: str, rows: list[dict], percentiles: list[str], colours: dict,
                 facts: str) -> Plot:
    split = split_keys(rows, None)
    extra = [k for k in distinguishing_params(rows) if k not in CURVE_KEYS]

    def latency_series(r, keys):  # the curve keys, plus parameters that would otherwise merge series
        return with_params(series_name(r, keys), r, extra)

    series_impl = {latency_series(r, split[dataset_of(r)]): implementation(r) for r in rows}
    styles = line_styles(series_impl)
    # a panel only for datasets with a percentile to draw or a failure to name
    datasets = sorted(d for d in split if any(has_values_or_errors([r for r in rows if dataset_of(r) == d], p)
                                              for p in percentiles))
    figure = new_figure(8, 5)
    table = Table(["dataset", "series", "percentile", *stats_header("p50_ns"), "status"])
    errors = []
    for ax, dataset in zip(panel_grid(figure, len(datasets)), datasets):
        drawn, failed = [], []
        in_dataset = [r for r in rows if dataset_of(r) == dataset]
        for series in sorted({latency_series(r, split[dataset]) for r in in_dataset}):
            in_series = [r for r in in_dataset if latency_series(r, split[dataset]) == series]
            cells = [collect(in_series, p, lambda r: None)[None] for p in percentiles]
            drawn += draw_line(ax, [(i, s) for i, s in enumerate(cells) if s.values], colours[series_impl[series]],
                               styles[series])
            for p, s in zip(percentiles, cells):
                table.rows.append([dataset, series, percentile_label(p), *stats_cells(s), s.status()])
                table.kinds.append(kind_of(s))
            errors += error_lines({series: cells[0]}, lambda k: f"{suite}/{task}/{k}/{dataset}")
            if not any(s.values for s in cells):
                failed.append(series)
        set_value_axis(ax, "p50_ns", drawn, force_log=True)
        ax.set_ylabel("latency [ns]\nlower is better" + (", log scale" if ax.get_yscale() == "log" else ""))
        ax.set_xticks(range(len(percentiles)), [percentile_label(p) for p in percentiles])
        ax.set_xlim(-0.4, len(percentiles) - 0.6)
        ax.set_xlabel("percentile")
        ax.set_title(mpl_text(dataset or "(no dataset)"), fontsize=10)
        list_failures(ax, failed)
    title = f"{suite} / {task}: latency percentiles"
    finish_panels(figure, title, series_impl, styles, colours)
    description = ("Points: median over repetitions of each latency percentile; error bars: min to max across "
                   "repetitions; one panel per dataset.")
    return Plot(f"{suite}_{task}_latency", title, figure, description, errors, facts, table)


# ---------------------------------------------------------------------------------------------
# All figures of one input


@metrics.reading("meta")
def build_plots(rows: list[dict], meta: dict, metric: str | None = None, source="input",
                caption_in_figure: bool = True) -> tuple[list[Plot], list[str]]:
    """Every figure of the input, and a note for every task that has none.

    Raises BadInput for an unusable --metric and NothingToPlot when no row has a value to draw.
    With caption_in_figure=False the caption is left to the caller (html.py shows it as text).
    """
    if metric:
        check_metric(rows, metric, source)
    facts = provenance(meta, rows)
    colours = palette(implementation(r) for r in rows)
    task_rows = by_task(rows)
    plots, notes = [], []
    suites = list(dict.fromkeys(suite for suite, _ in task_rows))  # by_task's order: suites.ORDER, then the rest
    for suite in suites:
        # one suite after the other: its task figures, then the figures particular to the suite
        for (of_suite, task), rows_of_task in task_rows.items():
            if of_suite != suite:
                continue
            made = plots_of_task(suite, task, rows_of_task, task_rows, metric, colours, facts)
            if not made:
                notes.append(skip_note(suite, task, rows_of_task, metric))
            plots += made
        if not metric:
            plots += suite_plots([r for r in rows if suite_and_task(r)[0] == suite], colours, facts)
        for p in plots:
            p.suite = p.suite or suite
    if not plots:
        raise NothingToPlot(f"{source}: nothing to plot: " + no_values_reason(rows, metric))
    if caption_in_figure:
        for plot in plots:
            add_caption(plot.figure, caption_lines(plot))
    return plots, notes


def suite_plots(rows: list[dict], colours: dict, facts: str) -> list[Plot]:
    """Figures particular to one suite (miss-ratio curves, floors, ...): `plots(rows, colours, facts)` of
    suites/<suite>.py, given that suite's rows; a suite without one has the per-task figures only."""
    made = []
    for suite in sorted({r.get("suite") for r in rows if r.get("suite")}, key=suite_rank):
        module = suites.module(suite)
        if module is not None and hasattr(module, "plots"):
            made += module.plots([r for r in rows if r.get("suite") == suite], colours, facts)
    return made


def plots_of_task(suite, task, rows, task_rows, metric, colours, facts) -> list[Plot]:
    made = []
    chosen = main_metric(task, rows, metric)
    if chosen:
        made += value_plots(suite, task, rows, task_rows, chosen, colours, facts)
    percentiles = percentile_columns(rows)
    if percentiles and not metric:
        made.append(latency_plot(suite, task, rows, percentiles, colours, facts))
    return made


def value_plots(suite, task, rows, task_rows, metric, colours, facts, part: str = "") -> list[Plot]:
    """A curve against the first curve key that varies, or bars. Rows without that key (the cache's
    pointer-chase floors next to map lookups swept over capacity) have no place on its x axis: they
    get figures of their own rather than empty panels in the curve."""
    keys = varying_keys(rows)
    if not keys:
        return [bar_plot(suite, task, rows, metric, reference_stats(task_rows, suite, task, metric), colours,
                         facts, part)]
    on_axis = [r for r in rows if is_number(r.get(keys[0]))]
    off_axis = [r for r in rows if not is_number(r.get(keys[0]))]
    made = [curve_plot(suite, task, on_axis, metric, keys[0], colours, facts, part)] if on_axis else []
    if off_axis and has_values_or_errors(off_axis, metric):
        made += value_plots(suite, task, off_axis, task_rows, metric, colours, facts,
                            part=f"{part}_without_{keys[0]}")
    return made


def has_values_or_errors(rows: list[dict], metric: str) -> bool:
    """Something to draw: a value, or a failure to show in its place."""
    return has_values(rows, metric) or any(r.get("status") == "error" for r in rows)


def part_words(part: str) -> str:
    """"_without_capacity" -> " (rows without capacity)": said in the title of a split-off figure."""
    return f" (rows {part.strip('_').replace('_', ' ').replace(' without ', ', without ')})" if part else ""


def skip_note(suite: str, task: str, rows: list[dict], metric: str | None) -> str:
    errors = sum(1 for r in rows if r.get("status") == "error")
    if errors == len(rows):
        return f"{suite}/{task}: no figure: all {errors} rows are error rows"
    if all(tidy.is_untimed(r) for r in rows if r.get("status") == "ok"):
        return f"{suite}/{task}: no per-task figure: its rows carry no time ({tidy.UNTIMED} = 1: counts of outcomes)"
    wanted = metric or DEFAULT_METRIC.get(task) or "/".join(FALLBACK_METRICS)
    return f"{suite}/{task}: no figure: no row has a value of {wanted}"


def no_values_reason(rows: list[dict], metric: str | None) -> str:
    errors = [r for r in rows if r.get("status") == "error"]
    if len(errors) == len(rows):
        first = errors[0]
        return (f"all {len(rows)} rows are error rows (first: {first.get('benchmark')}: "
                f"{shorten(first.get('error_message') or 'unknown error', 80)})")
    wanted = metric or ", ".join(sorted(set(DEFAULT_METRIC.values()) | set(FALLBACK_METRICS)))
    return f"no ok row has a value of {wanted}"


def render(plot: Plot, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes; SVG without a date, so equal inputs give equal files."""
    buffer = io.BytesIO()
    with mpl().matplotlib.rc_context({"svg.hashsalt": f"hotbench-{plot.name}"}):
        options = {"metadata": {"Date": None, "Creator": None, "Type": None, "Format": None}} if fmt == "svg" else {}
        plot.figure.savefig(buffer, format=fmt, dpi=PNG_DPI, bbox_inches="tight", pad_inches=0.15,
                            facecolor="white", **options)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# CLI


def add_arguments(p):
    p.add_argument("input", type=pathlib.Path, help="a result set directory, a tidy CSV or Google Benchmark JSON")
    cli.add_output(p, "where to write the figures (default: INPUT/plots for a result set, INPUT's "
                      "folder/<name>-plots for a file)", dest="out", metavar="DIR")
    cli.add_deprecated(p, "--out", dest="out", instead="-o/--output DIR")
    p.add_argument("--metric", metavar="M",
                   help="the column to draw for every task (default per task: input_mb_per_s for "
                        "limit/parse/parse_bare/typed_decode, output_mb_per_s for serialize/typed_encode)")
    p.add_argument("--format", default="png,svg", metavar="LIST", help="comma-separated: png, svg")
    p.add_argument("--allow-incomplete", action="store_true", help="read a result set marked INCOMPLETE")


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise HotbenchError(f"--format {text!r}: expected a comma-separated list of {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def default_out_dir(source: pathlib.Path) -> pathlib.Path:
    if source.is_dir():
        return source / "plots"
    return source.parent / f"{source.stem}-plots"


def main(args) -> int:
    formats = parse_formats(args.format)
    rows, meta = tidy.load_rows(args.input, allow_incomplete=args.allow_incomplete)
    plots, notes = build_plots(rows, meta, metric=args.metric, source=args.input)
    out = args.out or default_out_dir(args.input)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HotbenchError(f"{out}: cannot create the output folder: {e.strerror or e}")
    for plot in plots:
        for fmt in formats:
            path = out / f"{plot.name}.{fmt}"
            atomic.write_bytes(path, render(plot, fmt))
            print(path)
    for note in notes:
        print(f"hotbench: note: {note}", file=sys.stderr)
    failed = sum(len(p.errors) for p in plots)
    if failed:
        print(f"hotbench: note: {failed} failed benchmark(s) are marked \"error\" in the figures and listed "
              "in their captions", file=sys.stderr)
    return 0
