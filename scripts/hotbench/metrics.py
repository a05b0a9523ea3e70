"""The registry of known metrics: column name, unit, better direction, and how to talk about a change.

Every metric column of docs/results-format.md is here, plus those later suites will add
(cache: `hit_ratio`, queue: `ops_per_s`, `ns_per_op`, latency percentiles, ...). `compare` and
`check` use it to know which way is better and which words to print:

- time-like and throughput metrics (`kind` "time" or "throughput") say `faster` / `slower`;
- other metrics with a better direction say `better` / `worse`;
- metrics with no better direction (sizes, iteration counts) say `higher` / `lower`.

`deterministic` marks metrics that are exact counts, identical in every repetition of an unchanged
program (instruction counts from callgrind, allocation counts from the untimed pass, ...). For those
a single repetition is enough to decide, provided the repetitions present are indeed identical
(see compare.required_repetitions).
"""

from dataclasses import dataclass

from .errors import BadInput

LOWER, HIGHER = "lower", "higher"


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    better: str | None  # LOWER, HIGHER, or None when neither direction is better
    kind: str  # "time", "throughput", "count", "size", "fraction" or "other"
    deterministic: bool = False
    meaning: str = ""

    @property
    def words(self) -> tuple[str, str]:
        """(word for an improvement, word for a deterioration)."""
        if self.better is None:
            raise ValueError(f"{self.name} has no better direction")
        return ("faster", "slower") if self.kind in ("time", "throughput") else ("better", "worse")

    def shift_word(self, shift: str) -> str:
        """The word for a resolved shift of the value: shift is "lower", "higher" or "same"."""
        if shift == "same":
            return "no change"
        if self.better is None:
            return shift
        improved, deteriorated = self.words
        return improved if shift == self.better else deteriorated

    @property
    def better_text(self) -> str:
        return f"{self.better} is better" if self.better else "no better direction"


def _m(name, unit, better, kind, deterministic=False, meaning=""):
    return Metric(name, unit, better, kind, deterministic, meaning)


_ALL = [
    # docs/results-format.md, "Metric columns"
    _m("iterations", "count", None, "count", meaning="iterations Google Benchmark ran for this repetition"),
    _m("real_time_ns", "ns per operation", LOWER, "time", meaning="wall-clock time of one operation"),
    _m("cpu_time_ns", "ns per operation", LOWER, "time", meaning="CPU time of the benchmark thread per operation"),
    _m("input_mb_per_s", "MB/s (10^6 B/s)", HIGHER, "throughput", meaning="input bytes processed per second"),
    _m("output_mb_per_s", "MB/s (10^6 B/s)", HIGHER, "throughput", meaning="output bytes produced per second"),
    _m("documents_per_s", "documents/s", HIGHER, "throughput", meaning="documents handled per second"),
    _m("input_bytes", "bytes per operation", None, "size", True, "input size of one operation"),
    _m("output_bytes", "bytes per operation", None, "size", True, "output size of one operation"),
    _m("documents", "count per operation", None, "count", True, "documents in one operation"),
    _m("allocs_per_op", "count per operation", LOWER, "count", True, "heap allocations per operation"),
    _m("alloc_bytes_per_op", "bytes per operation", LOWER, "size", True, "bytes requested by those allocations"),
    _m("number_mismatches", "count", LOWER, "count", True,
       "doubles that differ from a correctly rounded parse, within the library's declared bound"),
    _m("max_ulp_error", "ULP", LOWER, "count", True,
       "largest distance of a parsed double from the correctly rounded value, in units in the last place"),
    _m("out_of_range_numbers", "count", None, "count", True,
       "numbers of the dataset beyond the range of a double (1e400, 1e-400): valid JSON, rounded to +-inf or +-0"),
    _m("instructions_per_op", "instructions per operation", LOWER, "count", True,
       "instructions per operation, from the callgrind mode"),
    # suites whose work unit is an operation (cache request, queue message); see Work::Unit
    _m("ops", "count per run", None, "count", True, "operations (requests, messages) in one timed run"),
    _m("ops_per_s", "operations/s", HIGHER, "throughput", meaning="operations per second of wall-clock time"),
    _m("ns_per_op", "ns per operation", LOWER, "time", meaning="wall-clock time per operation"),
    _m("p50_ns", "ns", LOWER, "time", meaning="median per-operation latency"),
    _m("p90_ns", "ns", LOWER, "time", meaning="90th percentile per-operation latency"),
    _m("p99_ns", "ns", LOWER, "time", meaning="99th percentile per-operation latency"),
    _m("p999_ns", "ns", LOWER, "time", meaning="99.9th percentile per-operation latency"),
    _m("max_ns", "ns", LOWER, "time", meaning="largest per-operation latency"),
    _m("mean_ns", "ns", LOWER, "time", meaning="mean per-operation latency"),
    _m("cpu_s_per_million", "CPU seconds per 10^6 operations", LOWER, "time",
       meaning="CPU time (all threads) per million operations"),
    # cache suite
    _m("hit_ratio", "fraction", HIGHER, "fraction", meaning="cache hits / requests"),
    _m("checked_hit_ratio", "fraction", HIGHER, "fraction", True,
       "hit ratio of the measured requests in the checked pass on a fresh, warmed cache (what the oracles judge)"),
    _m("cold_hit_ratio", "fraction", HIGHER, "fraction", True, "hit ratio of the warm-up requests from an empty cache"),
    _m("che_hit_ratio", "fraction", None, "fraction", True, "Che's approximation of LRU's hit ratio (IRM rows)"),
    _m("fifo_irm_hit_ratio", "fraction", None, "fraction", True, "FIFO's hit ratio under IRM, analytically"),
    _m("top_c_hit_ratio", "fraction", None, "fraction", True,
       "hit ratio of keeping the C most popular keys: no policy beats it under IRM"),
    _m("oracle_tolerance", "fraction", None, "fraction", True, "allowed gap to an oracle: max(0.005, 4 standard errors)"),
    _m("ns_per_request", "ns per request", LOWER, "time",
       meaning="the cache's own timing of its timed runs (the hit cost in the effective access time)"),
    _m("eat_ns_0", "ns per request", LOWER, "time", meaning="effective access time with no miss penalty"),
    _m("eat_ns_150", "ns per request", LOWER, "time", meaning="effective access time, 150 ns miss penalty (DRAM)"),
    _m("eat_ns_30000", "ns per request", LOWER, "time",
       meaning="effective access time, 30 us miss penalty (loopback network round trip)"),
    _m("eat_ns_1000000", "ns per request", LOWER, "time", meaning="effective access time, 1 ms miss penalty (database)"),
    _m("bytes_per_entry", "bytes per entry", LOWER, "size", True,
       "heap bytes requested to build the cache and fill it to capacity, per entry (index, slots, value)"),
    _m("timer_ns", "ns", None, "time", meaning="cost of one timer read pair, subtracted from the sampled latencies"),
    _m("capacity", "entries or messages", None, "count", True,
       "cache capacity in entries (or map size of a raw lookup); a bounded queue's capacity in messages"),
    _m("value_bytes", "bytes", None, "size", True, "value payload size"),
    _m("keys", "count", None, "count", True, "key space of the workload (distinct keys of a trace)"),
    _m("seed", "count", None, "other", True, "seed of the generated workload"),
    _m("bytes", "bytes", None, "size", True, "working set of a pointer-chase floor"),
    _m("records", "count", None, "count", True, "records in the generated trace of the read-rate row"),
    # queue suite
    _m("producers", "threads", None, "count", True, "producer threads of a throughput row"),
    _m("consumers", "threads", None, "count", True, "consumer threads of a throughput row"),
    _m("message_bytes", "bytes", None, "size", True, "size of one queued message"),
    _m("batch", "count per run", None, "count", True, "messages (or round trips) per timed run"),
    _m("pinned", "0 or 1", None, "count", True, "1 when worker threads were pinned to CPUs"),
    _m("rate", "messages/s", None, "other", True, "open loop: intended send rate"),
    _m("clock_read_ns", "ns", LOWER, "time",
       meaning="cost of one steady_clock read, subtracted from the latency percentiles of the row"),
]

METRICS: dict[str, Metric] = {m.name: m for m in _ALL}
assert len(METRICS) == len(_ALL), "a metric is registered twice"


def known_names() -> list[str]:
    return list(METRICS)


def get(name: str) -> Metric:
    """The registered metric, or BadInput listing the known ones."""
    try:
        return METRICS[name]
    except KeyError:
        raise BadInput(f"unknown metric {name!r}; known metrics: {', '.join(known_names())}") from None


def resolve(name: str, columns_in_data: set[str] = frozenset()) -> Metric:
    """A registered metric, or a column the data has but the registry does not know.

    Benchmarks may report counters the schema does not list (docs/results-format.md copies them into
    columns of their own name); such a column can still be compared, but without a better direction.
    Anything else is BadInput listing the known metrics.
    """
    if name in METRICS:
        return METRICS[name]
    if name in columns_in_data:
        return Metric(name, "", None, "other")
    extra = sorted(columns_in_data - set(METRICS))
    also = f"; other numeric columns in the input: {', '.join(extra)}" if extra else ""
    raise BadInput(f"unknown metric {name!r}; known metrics: {', '.join(known_names())}{also}")
