"""suites/cache.py's figures: the cache suite's own figures from a tiny synthetic result set (miss-ratio curves with
the oracle curves the rows carry, effective access time, hit cost against floors)."""

from hotbench import plot
from hotbench.suites import cache as suite_cache


def row(task, library, variant, dataset, repetition=0, **values):
    params = "/".join(f"{k}={values[k]}" for k in ("capacity", "threads") if k in values)
    name = f"cache/{task}/{library}{':' + variant if variant else ''}/{dataset}" + (f"/{params}" if params else "")
    r = {"schema_version": 1, "run_id": "t", "benchmark": name, "suite": "cache", "task": task, "library": library,
         "variant": variant, "dataset": dataset, "params": params, "threads": 1, "repetition": repetition,
         "process": 0, "label": "", "status": "ok", "error_message": "", "iterations": 5, "real_time_ns": 1e6,
         "cpu_time_ns": 1e6}
    r.update(values)
    return r


def synthetic_rows():
    rows = []
    for capacity in (10, 100, 1000):
        che, fifo, top = 0.3 + capacity / 2000, 0.25 + capacity / 2000, 0.4 + capacity / 2000
        for policy, h in (("lru", che), ("fifo", fifo), ("s3fifo", che + 0.02)):
            for rep in range(3):
                rows.append(row("mrc", policy, "boost_flat", "zipf0.99", rep, capacity=capacity, hit_ratio=h,
                                che_hit_ratio=che, fifo_irm_hit_ratio=fifo, top_c_hit_ratio=top, ns_per_op=30.0))
        rows.append(row("mrc", "sieve", "boost_flat", "scan", capacity=capacity, hit_ratio=0.4))
    rows.append(row("mrc", "clock", "boost_flat", "scan", capacity=10, hit_ratio=None))
    rows[-1].update(status="error", error_message="capacity exceeded (measured request 5, size 11)")
    for policy, ns, h in (("lru", 30.0, 0.8), ("s3fifo", 40.0, 0.85)):
        eat = {f"eat_ns_{p}": ns + (1 - h) * p for p in (0, 150, 30000, 1000000)}
        rows.append(row("throughput", policy, "boost_flat", "zipf0.99", capacity=10000, hit_ratio=h, **eat))
    for policy, ns in (("lru", 14.0), ("fifo", 8.0)):
        rows.append(row("hit", policy, "boost_flat", "resident", capacity=65536, ns_per_op=ns, hit_ratio=1.0))
    rows.append(row("floor", "raw_lookup", "boost_flat", "resident", capacity=65536, ns_per_op=7.0))
    rows.append(row("floor", "raw_lookup", "boost_flat", "resident", capacity=1024, ns_per_op=3.0))
    for level, ns in (("l1", 2.0), ("dram", 150.0)):
        rows.append(row("floor", "pointer_chase", "", level, ns_per_op=ns))
    return rows


def test_cache_figures_carry_policies_oracles_and_floors():
    rows = synthetic_rows()
    plots = {p.name: p for p in suite_cache.plots(rows, plot.palette(plot.implementation(r) for r in rows), "")}
    assert set(plots) == {"cache_miss_ratio", "cache_access_time", "cache_floors"}

    mrc = plots["cache_miss_ratio"].table
    series = {(r[1], r[2]) for r in mrc.rows}
    assert ("zipf0.99", "lru:boost_flat") in series and ("zipf0.99", "Che (LRU)") in series
    assert ("scan", "Che (LRU)") not in series  # no oracle on a non-IRM workload
    che_100 = next(r for r in mrc.rows if r[2] == "Che (LRU)" and r[3] == "100")
    assert float(che_100[4]) == 1 - 0.35
    assert mrc.kinds.count("reference") == 9  # three oracle curves x three capacities
    assert any("capacity exceeded" in e for e in plots["cache_miss_ratio"].errors)

    eat = plots["cache_access_time"].table.rows
    assert len(eat) == 2 and eat[0][0].startswith("lru:boost_flat")

    floors = [r[0] for r in plots["cache_floors"].table.rows]
    assert "floor: raw_lookup:boost_flat resident capacity=65536" in floors
    assert not any("capacity=1024" in f for f in floors)  # only the map of the hit rows' size
    assert any(f.startswith("floor: pointer_chase dram") for f in floors)


def test_build_plots_includes_cache_figures():
    plots, _ = plot.build_plots(synthetic_rows(), {}, caption_in_figure=False)
    names = {p.name for p in plots}
    assert {"cache_miss_ratio", "cache_access_time", "cache_floors"} <= names


def test_rows_of_one_implementation_with_other_parameters_get_their_own_bars():
    rows = [row("throughput", "lru", "boost_flat", "zipf0.99", capacity=10, ops_per_s=3e7),
            row("throughput", "lru", "boost_flat", "zipf0.99", capacity=10, ops_per_s=1e7),
            row("throughput", "fifo", "boost_flat", "zipf0.99", capacity=10, ops_per_s=4e7)]
    rows[0]["params"] += "/key=u64"
    rows[1]["params"] += "/key=string"
    rows[2]["params"] += "/key=u64"
    plots, _ = plot.build_plots(rows, {}, caption_in_figure=False)
    bars = next(p for p in plots if p.name == "cache_throughput").table.rows
    assert sorted(r[1] for r in bars) == ["fifo:boost_flat key=u64", "lru:boost_flat key=string",
                                          "lru:boost_flat key=u64"]
