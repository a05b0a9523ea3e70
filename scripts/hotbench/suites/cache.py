"""What is particular to the cache suite on the Python side: figures of its own and its smoke checks
(suites/__init__.py says how they are found).

Figures:

- miss-ratio curves: miss ratio against capacity, one line per policy, per workload, with the
  analytical curves the rows themselves carry (Che's approximation for LRU, the IRM formula for
  FIFO, the top-C bound) overlaid, so a reader sees each policy against theory;
- effective access time against miss penalty: hit cost + miss ratio x penalty for the throughput
  rows, so a smarter but slower policy is seen winning once misses cost enough;
- hit cost against the physical floors: every policy's all-hit cost next to a bare lookup in the
  same map and the dependent-load latency of each memory level.

Throughput bars, latency ladders and thread curves come from the generic plots (plot.py); so do the
server rows' throughput and latency against pipeline depth. The memory-bounded servers (task
server_eviction) are drawn on the miss-ratio curves of their workload, at the entries each held.

Smoke: a small key space with every workload shape; traces (CSV, text, oracleGeneral, also as a zstd
`.oracleGeneral.bin.zst`) replay, those with object sizes at byte capacities too; malformed
CSVs (a bad field, a repeated header column) and a truncated binary trace give error rows naming the file
and the line (and column) or record while the valid traces still run; every replay row carries its
counters, and the oracle columns where the workload has them; settings that only make sense together
(capacities beyond the key space) are refused.
"""

from __future__ import annotations

import pathlib
import struct

from ..cli import LazyModule

# plot.py imports this module to draw; smoke imports it to check, and never needs plot (or matplotlib).
plot = LazyModule(__package__.rpartition(".")[0] + ".plot")

PENALTIES = [(0, "eat_ns_0"), (150, "eat_ns_150"), (30_000, "eat_ns_30000"), (1_000_000, "eat_ns_1000000")]
ORACLES = [("che_hit_ratio", "Che (LRU)", "-"), ("fifo_irm_hit_ratio", "IRM formula (FIFO)", "--"),
           ("top_c_hit_ratio", "top-C bound", ":")]


def _median(rows: list[dict], metric: str):
    values = [float(r[metric]) for r in rows if r.get("status") == "ok" and plot.is_number(r.get(metric))]
    return sorted(values)[len(values) // 2] if values else None


def _group(rows: list[dict], key) -> dict:
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return groups


def server_points(ax, rows: list[dict], dataset: str, colours: dict, table, implementations: set) -> None:
    """The memory-bounded servers' hit ratios on the same workload, at the number of entries each held."""
    for impl, cell in sorted(_group([r for r in rows if (r.get("dataset") or "") == dataset], plot.implementation).items()):
        h, held = _median(cell, "hit_ratio"), _median(cell, "resident_entries")
        if h is None or held is None:
            continue
        implementations.add(impl)
        ax.plot([held], [1 - h], color=colours[impl], marker="s", markersize=7, linestyle="none",
                markeredgecolor="black")
        table.rows.append(["server_eviction", dataset, impl, f"{held:g}", plot.format_value(1 - h)])
        table.kinds.append("ok")


def miss_ratio_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    servers = [r for r in rows if r.get("task") == "server_eviction"]
    rows = [r for r in rows if r.get("task") in ("mrc", "trace") and plot.is_number(r.get("capacity"))]
    if not rows:
        return None
    panels = sorted({(r["task"], r.get("dataset") or "") for r in rows})
    figure = plot.new_figure(8, 5)
    table = plot.Table(["task", "dataset", "series", "capacity", "miss ratio (median)"])
    implementations = set()
    errors = []
    for ax, (task, dataset) in zip(plot.panel_grid(figure, len(panels)), panels):
        mine = [r for r in rows if r["task"] == task and (r.get("dataset") or "") == dataset]
        for impl, series in sorted(_group(mine, plot.implementation).items()):
            implementations.add(impl)
            points = []
            for capacity, cell in sorted(_group(series, lambda r: float(r["capacity"])).items()):
                h = _median(cell, "hit_ratio")
                if h is None:
                    errors += [f"cache/{task}/{impl}/{dataset} at capacity={capacity:g}: "
                               f"{r.get('error_message', 'no value')}" for r in cell[:1]]
                    continue
                points.append((capacity, 1 - h))
                table.rows.append([task, dataset, impl, f"{capacity:g}", plot.format_value(1 - h)])
                table.kinds.append("ok")
            if points:
                ax.plot([x for x, _ in points], [y for _, y in points], color=colours[impl], marker="o",
                        markersize=3, linewidth=1.4)
        for column, label, dash in ORACLES:
            by_capacity = _group([r for r in mine if plot.is_number(r.get(column))], lambda r: float(r["capacity"]))
            points = sorted((c, 1 - float(cell[0][column])) for c, cell in by_capacity.items())
            if points:
                ax.plot([x for x, _ in points], [y for _, y in points], color="black", linestyle=dash, linewidth=1.0,
                        alpha=0.7)
                for c, y in points:
                    table.rows.append([task, dataset, label, f"{c:g}", plot.format_value(y)])
                    table.kinds.append("reference")
        if task == "mrc":
            server_points(ax, servers, dataset, colours, table, implementations)
        ax.set_xscale("log")
        ax.set_ylim(0, 1)
        ax.set_xlabel("capacity [entries]")
        ax.set_ylabel("miss ratio")
        ax.grid(alpha=0.3)
        ax.set_title(plot.mpl_text(f"{task}: {dataset}"), fontsize=10)
    on_servers = {plot.implementation(r) for r in servers}
    handles = [plot.mpl().Line2D([], [], color=colours[i], marker="s" if i in on_servers else "o",
                                 linestyle="none" if i in on_servers else "-", label=plot.mpl_text(i))
               for i in sorted(implementations)]
    handles += [plot.mpl().Line2D([], [], color="black", linestyle=d, label=l) for _, l, d in ORACLES]
    figure.suptitle("cache: miss ratio against capacity", fontsize=13, x=0.02, ha="left")
    figure.tight_layout()
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.99, 0.93), frameon=False, fontsize=9)
    description = ("Miss ratio (1 - hit ratio of the timed requests, median over repetitions) against capacity, "
                   "one line per policy and map. Black lines: the analytical curves carried by the rows "
                   "(independent-request workloads only): Che's approximation for LRU, the IRM formula for FIFO, "
                   "and the top-C bound no policy can beat under independent requests. Squares: Redis and "
                   "memcached bounded by memory (task server_eviction), at the number of entries each held "
                   "after its warm-up (resident_entries), on the same workload.")
    return plot.Plot("cache_miss_ratio", "cache: miss ratio against capacity", figure, description, errors, facts,
                     table)


def access_time_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    rows = [r for r in rows if r.get("task") == "throughput" and plot.is_number(r.get("eat_ns_0"))]
    if not rows:
        return None
    figure = plot.new_figure(9, 5.5)
    ax = figure.add_subplot()
    table = plot.Table(["series", *[f"penalty {p:g} ns" for p, _ in PENALTIES]])
    for name, series in sorted(_group(rows, lambda r: (plot.implementation(r), r.get("dataset"), r.get("params"))).items()):
        impl, dataset, params = name
        values = [_median(series, column) for _, column in PENALTIES]
        if any(v is None for v in values):
            continue
        xs = [max(p, 1) for p, _ in PENALTIES]  # 0 ns drawn at 1 ns on the log axis
        label = f"{impl} {dataset} {params}"
        ax.plot(xs, values, color=colours[impl], marker="o", linewidth=1.2, label=plot.mpl_text(label))
        table.rows.append([label, *[plot.format_value(v) for v in values]])
        table.kinds.append("ok")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks([max(p, 1) for p, _ in PENALTIES], ["0", "150 ns\n(DRAM)", "30 µs\n(loopback RTT)", "1 ms\n(database)"])
    ax.set_xlabel("miss penalty")
    ax.set_ylabel("effective access time [ns per request]")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)
    ax.set_title("cache: effective access time against miss penalty", fontsize=13, loc="left")
    description = ("Effective access time = the cache's own time per request (hit and miss handling, timed) + "
                   "miss ratio x miss penalty, median over repetitions, for every throughput row. At penalty 0 the "
                   "fastest cache wins; as the penalty grows the lowest miss ratio wins.")
    return plot.Plot("cache_access_time", "cache: effective access time against miss penalty", figure, description, [],
                facts, table)


def floors_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    hits = [r for r in rows if r.get("task") == "hit"]
    floors = [r for r in rows if r.get("task") == "floor"]
    if not hits:
        return None
    figure = plot.new_figure(9, 5.5)
    ax = figure.add_subplot()
    table = plot.Table(["what", "ns per request (median)"])
    bars = sorted(_group(hits, plot.implementation).items())
    drawn = []
    errors = []
    for x, (impl, cell) in enumerate(bars):
        v = _median(cell, "ns_per_op")
        if v is None:
            plot.mark_failure(ax, x, "error", width=0.7)
            errors.append(f"cache/hit/{impl}: {cell[0].get('error_message', 'no value')}")
            continue
        ax.bar(x, v, 0.7, color=colours[impl])
        drawn.append(v)
        table.rows.append([f"hit: {impl}", plot.format_value(v)])
        table.kinds.append("ok")
    capacity = next((float(r["capacity"]) for r in hits if plot.is_number(r.get("capacity"))), None)
    styles = iter(["-", "--", ":", "-."] * 4)
    for r_name, cell in sorted(_group(floors, lambda r: (plot.implementation(r), r.get("dataset"), r.get("params"))).items()):
        impl, dataset, params = r_name
        same_size = impl.startswith("raw_lookup") and plot.is_number(cell[0].get("capacity")) \
            and float(cell[0]["capacity"]) == capacity
        if not (same_size or impl == "pointer_chase"):
            continue
        v = _median(cell, "ns_per_op")
        if v is None:
            continue
        label = f"{impl} {dataset} {params}"
        ax.axhline(v, color="black" if impl == "pointer_chase" else "#2c7fb8", linestyle=next(styles), linewidth=1,
                   alpha=0.7, label=plot.mpl_text(label))
        drawn.append(v)
        table.rows.append([f"floor: {label}", plot.format_value(v)])
        table.kinds.append("reference")
    ax.set_xticks(range(len(bars)), [plot.mpl_text(i) for i, _ in bars], rotation=30, ha="right")
    plot.set_value_axis(ax, "ns_per_op", drawn, force_log=True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    ax.set_title("cache: hit cost against the floors", fontsize=13, loc="left")
    description = ("Bars: ns per request when every request hits a resident key (task hit, median). Lines: a bare "
                   "lookup in each map holding the same number of keys with the same request stream (blue), and "
                   "one dependent load in working sets sized for L1, L2, the last-level cache and DRAM (black).")
    return plot.Plot("cache_floors", "cache: hit cost against the floors", figure, description, errors, facts, table)


TRANSPORT_ORDER = {"": 0, "unix": 1, "tcp": 2}


def server_ladder_plot(rows: list[dict], colours: dict, facts: str) -> plot.Plot | None:
    """One GET at a time (pipeline 1, one connection): in-process, then Unix socket, then TCP, on one log
    axis, each next to its floor (the echo of the same transport)."""
    rows = [r for r in rows if r.get("task") == "server_get" and plot.row_params(r).get("pipeline") == "1"
            and plot.row_params(r).get("connections") == "1"]
    if not rows:
        return None
    sizes = sorted({plot.row_params(r).get("value_bytes") for r in rows}, key=lambda v: (v != "100", v or ""))
    rows = [r for r in rows if plot.row_params(r).get("value_bytes") == sizes[0]]
    cells = sorted(_group(rows, plot.implementation).items(),
                   key=lambda kv: (TRANSPORT_ORDER.get(kv[1][0].get("variant") or "", 3), kv[0] != "in_process",
                                   not kv[0].startswith("echo"), kv[0]))
    figure = plot.new_figure(9, 5.5)
    ax = figure.add_subplot()
    table = plot.Table(["implementation", "p50 [ns]", "p99 [ns]", "ops/s"])
    drawn, errors = [], []
    for x, (impl, cell) in enumerate(cells):
        p50, p99 = _median(cell, "p50_ns"), _median(cell, "p99_ns")
        if p50 is None or p99 is None:
            plot.mark_failure(ax, x, "error", width=0.7)
            errors.append(f"cache/server_get/{impl}: {cell[0].get('error_message', 'no value')}")
            continue
        ax.bar(x - 0.18, p50, 0.36, color=colours[impl])
        ax.bar(x + 0.18, p99, 0.36, color=colours[impl], alpha=0.45, hatch="//")
        drawn += [p50, p99]
        table.rows.append([impl, plot.format_value(p50), plot.format_value(p99),
                           plot.format_value(_median(cell, "ops_per_s"))])
        table.kinds.append("ok")
    if not drawn and not errors:
        return None
    ax.set_xticks(range(len(cells)), [plot.mpl_text(i) for i, _ in cells], rotation=30, ha="right")
    plot.set_value_axis(ax, "p50_ns", drawn, force_log=True)
    ax.set_ylabel("round trip of one GET [ns] (solid: p50, hatched: p99)")
    ax.grid(alpha=0.3, axis="y")
    title = f"cache: one GET at a time, in-process / Unix socket / TCP ({sizes[0]}-byte values)"
    ax.set_title(plot.mpl_text(title), fontsize=12, loc="left")
    description = ("Median (solid) and 99th percentile (hatched) of one GET's round trip at pipeline depth 1 over one "
                   "connection, median over repetitions, log scale: the suite's LRU in process, then each system "
                   "over its Unix socket and over loopback TCP, next to the floor of each transport (echo: a "
                   "request and a reply of the same size with nothing behind them). redis-benchmark's rows are "
                   "its own percentiles of the same server.")
    return plot.Plot("cache_server_ladder", title, figure, description, errors, facts, table)


def plots(rows: list[dict], colours: dict, facts: str) -> list[plot.Plot]:
    made = [miss_ratio_plot(rows, colours, facts), access_time_plot(rows, colours, facts),
            floors_plot(rows, colours, facts), server_ladder_plot(rows, colours, facts)]
    return [p for p in made if p is not None]


# ---------------------------------------------------------------------------------------------
# Smoke (smoke.py)

# Small, but every task runs and every workload shape is there.
SMOKE_SETTINGS = ["keys=4000", "requests=16384", "capacities=4,40,400,1200", "workloads=zipf0.99,uniform,scan",
                  "threads=1,2", "floor_levels=l1,l2", "redis_benchmark=true",
                  "query_users=2000"]  # quick: 20,000, whose tables took 6 s to generate and load under ASan
RATES = ["ops_per_s", "ns_per_op"]
REPLAY = RATES + ["hit_ratio", "byte_hit_ratio", "checked_hit_ratio", "cold_hit_ratio", "ns_per_request", "p50_ns",
                  "p99_ns", "p999_ns", "eat_ns_0", "eat_ns_150", "eat_ns_30000", "eat_ns_1000000", "value_bytes"]
ORACLE_COLUMNS = ["che_hit_ratio", "fifo_irm_hit_ratio", "top_c_hit_ratio", "oracle_tolerance"]
# A trace row's capacity is in entries (capacity) or in bytes (capacity_bytes, with not_admitted): checked apart.
COLUMNS = {"throughput": REPLAY + ["capacity"], "mrc": REPLAY + ["capacity"], "hit": REPLAY + ["capacity"],
           "trace": REPLAY, "floor": RATES,
           "concurrent": RATES + ["hit_ratio", "checked_hit_ratio", "threads", "capacity"], "trace_read": RATES,
           "server_get": RATES + ["p50_ns", "p99_ns", "pipeline", "connections", "value_bytes"],
           "server_set": RATES + ["p50_ns", "p99_ns", "pipeline", "connections", "value_bytes"],
           "server_open_loop": RATES + ["p50_ns", "p99_ns", "p999_ns", "max_ns", "rate",
                                        "send_late_p99_ns", "value_bytes"],
           "server_eviction": RATES + ["hit_ratio", "checked_hit_ratio", "resident_entries", "capacity_bytes",
                                       "lru_same_capacity_hit_ratio", "refused_fill_ratio"]}
# redis-benchmark's rows carry its own figures instead of hotbench's latency histogram.
TOOL_COLUMNS = RATES + ["tool_ops_per_s", "p50_ns", "p99_ns", "pipeline"]
VALID_TRACES = ("web", "blocks", "sample", "keys")
SMOKE_BAD_DATASETS = {"broken": "broken.csv: line 3, column 2: size 'x' is not a non-negative integer",
                      "twokeys": "twokeys.csv: line 1, column 2: column 'key' repeated (first in column 1)",
                      "cut": "cut.oracleGeneral: record 6 is truncated (7 of 24 bytes)"}
# Values each setting's type allows but the suite refuses (the generic smoke tries a value of the wrong type).
BAD_SETTINGS = {
    "capacities=4001": "--hotbench_set=capacities=4001: 4001 entries exceeds the key space of 4000 keys",
    "workloads=zipfx": "workload 'zipfx': zipf wants an exponent in (0, 5]",
    "workloads=normal": "unknown workload 'normal' (known: zipf<a>",
    "endpoints=redis=10.0.0.1:6379": "host '10.0.0.1' is not a loopback address",
    "endpoints=postgresql=10.0.0.1:5432": "host '10.0.0.1' is not a loopback address",
    "endpoints=sqlite=unix:/tmp/db": "sqlite cannot use a server of the user's (these can: memcached redis postgresql)",
}


def write_traces(folder: pathlib.Path) -> None:
    lines = [f"k{(i * 7919) % 300},{100 + i % 5},{'set' if i % 10 == 0 else 'get'}" for i in range(3000)]
    (folder / "web.csv").write_text("key,size,op\n" + "\n".join(lines) + "\n")
    records = b"".join(struct.pack("<IQIq", i, (i * 104729) % 500, 64, -1) for i in range(4000))
    (folder / "blocks.oracleGeneral").write_bytes(records)
    (folder / "broken.csv").write_text("a,1\nb,1,get\nc,x\n")
    (folder / "twokeys.csv").write_text("key,key,op\na,b,get\nc,d,set\n")  # two keys per line, one flag
    (folder / "cut.oracleGeneral").write_bytes(records[: 24 * 5 + 7])
    # The names traces are distributed under: libCacheSim's sample, a compressed collection file.
    (folder / "sample.oracleGeneral.bin.zst").write_bytes(zstd_frame(records))
    (folder / "keys.txt").write_text("".join(f"key {(i * 31) % 97}\n" for i in range(2000)))


def zstd_frame(data: bytes) -> bytes:
    """A zstd frame of raw (stored) blocks, so the smoke needs no compressor: the reader streams it like any
    other frame (RFC 8878: magic, a header with a 128 KiB window, blocks of at most 128 KiB, the last marked)."""
    block = 1 << 17
    out = bytearray(struct.pack("<IBB", 0xFD2FB528, 0x00, 7 << 3))  # no content size, no checksum; window 2^17
    chunks = [data[i:i + block] for i in range(0, len(data), block)] or [b""]
    for n, chunk in enumerate(chunks):
        header = (len(chunk) << 3) | (0 << 1) | (n == len(chunks) - 1)  # block type 0: raw
        out += header.to_bytes(3, "little") + chunk
    return bytes(out)


def smoke_arguments(tmp: pathlib.Path) -> list[str]:
    traces = tmp / "traces"
    traces.mkdir()
    write_traces(traces)
    return [f"--hotbench_set={s}" for s in SMOKE_SETTINGS] + [f"--hotbench_data={traces}"]


def smoke_checks(binary: pathlib.Path, rows: list[dict], tmp: pathlib.Path) -> list[str]:
    from .. import smoke

    problems = []
    for r in rows:
        if r["status"] != "ok" or r["dataset"] in SMOKE_BAD_DATASETS:
            continue
        for column in TOOL_COLUMNS if r["library"] == "redis-benchmark" else COLUMNS.get(r["task"], RATES):
            if not isinstance(r.get(column), (int, float)) or r[column] < 0:
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a number >= 0")
        # the oracles exist for independent requests (not a scan, not a trace) without writes
        irm = r["dataset"].startswith(("zipf", "uniform")) and "-rw" not in r["dataset"]
        if r["task"] in ("throughput", "mrc") and not r["dataset"].startswith("scan") and "-rw" not in r["dataset"]:
            problems += [f"{r['benchmark']}: no {c}" for c in ORACLE_COLUMNS if r.get(c) is None]
        if r["task"] == "server_eviction" and irm and r.get("che_hit_ratio") is None:
            problems.append(f"{r['benchmark']}: no che_hit_ratio")
        counted = r.get("allocs_per_op") is not None
        if counted and r["task"] in ("throughput", "mrc", "hit") and not r.get("bytes_per_entry"):
            problems.append(f"{r['benchmark']}: allocation counting is on but there is no bytes_per_entry")
        if r.get("ops_per_s", 0) <= 0:
            problems.append(f"{r['benchmark']}: ops_per_s is not positive")
        if r["task"] == "trace":
            kind = ["capacity_bytes", "not_admitted"] if "capacity_bytes=" in r["benchmark"] else ["capacity"]
            problems += [f"{r['benchmark']}: {c} is {r.get(c)!r}, expected a number >= 0" for c in kind
                         if not isinstance(r.get(c), (int, float)) or r[c] < 0]
    replayed = any(r["task"] == "trace" for r in rows)  # not when the run was narrowed to other tasks
    for dataset in ("web", "blocks", "sample") if replayed else ():  # traces with sizes: byte capacities too
        if not any(r["task"] == "trace" and r["dataset"] == dataset and "capacity_bytes=" in r["benchmark"]
                   and r["status"] == "ok" for r in rows):
            problems.append(f"the trace {dataset} has object sizes but no row at a byte capacity")
    for dataset in VALID_TRACES if replayed else ():
        if not any(r["task"] == "trace" and r["dataset"] == dataset and r["status"] == "ok" for r in rows):
            problems.append(f"the valid trace {dataset} did not replay")
    small = [f"--hotbench_set={s}" for s in SMOKE_SETTINGS if s.startswith("keys=")]
    for setting, says in BAD_SETTINGS.items():
        problems += smoke.refused(binary, [*small, f"--hotbench_set={setting}"], says)
    return problems
