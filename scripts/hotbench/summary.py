"""The answer a reader came for, per suite: for each task and group of comparable rows, the best
implementation, the runner-up, the ratio between them, and each one's distance to the task's floor.

- Metric: the task's main metric (plot.main_metric, the same the figures draw), its better
  direction as the suites declare it (plot.describe -> metrics.py), the median over the ok repetitions.
  Error rows are left out of every median and counted per group.
- Group (like with like): one task's rows of one dataset (workload), one thread count and one set of
  workload parameters. Parameters that configure an implementation rather than the workload (a
  queue's `capacity` and `wait` strategy) are not part of the group; they name the competitor
  instead ("moodycamel_bcq (wait=block)"), so a spinning and a blocking variant of one queue compete.
- Floor: FLOORS below, the only place that says which rows bound which task. A task without an entry
  has "no floor": none is invented.
"""

import dataclasses

from . import plot


@dataclasses.dataclass(frozen=True)
class Floor:
    """The rows that bound a task: `task` rows of the same suite passing `match(task_row, floor_row)`;
    their `metric` (None: the task's own metric) is compared with the task's metric. When several
    floor rows match, the best of them (by median) is the floor."""
    task: str
    match: object
    metric: str | None
    why: str


def _same_dataset(row, floor_row):
    return plot.dataset_of(row) == plot.dataset_of(floor_row)


def _same_map_size_and_values(row, floor_row):
    p, f = plot.row_params(row), plot.row_params(floor_row)
    return (floor_row.get("library") == "raw_lookup" and p.get("capacity") == f.get("capacity")
            and p.get("value_bytes") is not None and p.get("value_bytes") == f.get("value_bytes"))


def _cache_line_same_message(row, floor_row):
    return (floor_row.get("library") == "cache_line"
            and plot.row_params(row).get("message_bytes") == plot.row_params(floor_row).get("message_bytes"))


_MEMCPY = ("memcpy of the same dataset (json/limit): any parser reads, and any serializer writes, at least "
           "those bytes once; memcpy's input MB/s is also its output MB/s")
# (suite, task) -> the floor of that task. Why each pairing is fair:
FLOORS = {
    # parsing reads the whole input; nothing that reads it can beat copying it
    ("json", "parse"): Floor("limit", _same_dataset, "input_mb_per_s", _MEMCPY),
    ("json", "parse_only"): Floor("limit", _same_dataset, "input_mb_per_s", _MEMCPY),
    ("json", "parse_bare"): Floor("limit", _same_dataset, "input_mb_per_s", _MEMCPY),
    ("json", "typed_decode"): Floor("limit", _same_dataset, "input_mb_per_s", _MEMCPY),
    # serializing writes about the document's bytes; copying them is the least writing can cost
    ("json", "serialize"): Floor("limit", _same_dataset, "input_mb_per_s", _MEMCPY),
    ("json", "typed_encode"): Floor("limit", _same_dataset, "input_mb_per_s", _MEMCPY),
    # an all-hit request is at least a lookup in a map of the same number of keys with values of the
    # same size, read by the same request stream (cache/floor raw_lookup): the fastest map is the floor
    ("cache", "hit"): Floor("floor", _same_map_size_and_values, None,
                            "a bare lookup (raw_lookup, fastest map) at the same capacity and value size"),
    # a round trip through any queue is at least one cache line going to the other core and back
    ("queue", "ping_pong"): Floor("floor", _cache_line_same_message, "p50_ns",
                                  "raw cache-line ping-pong p50 at the same message size (queue/floor cache_line)"),
}
# Tasks that are floors of others: their rows are shown as "the floor" rather than raced.
FLOOR_TASKS = {(suite, f.task) for (suite, _), f in FLOORS.items()}

# Parameters that configure an implementation, not the workload: competitors, not groups.
CONFIG_PARAMS = {"queue": ("capacity", "wait")}


@dataclasses.dataclass
class Entry:
    name: str  # implementation [config]
    median: float


@dataclasses.dataclass
class Answer:
    """One line of a suite's table."""
    suite: str
    task: str
    group: str
    metric: str
    better: str | None
    ranked: list  # Entry, best first
    error_rows: int
    rows: int
    floor: Entry | None = None
    floor_note: str = "no floor"

    @property
    def best(self):
        return self.ranked[0] if self.ranked else None

    @property
    def runner_up(self):
        return self.ranked[1] if len(self.ranked) > 1 else None

    def factor(self, worse: float, better: float) -> float | None:
        """How many times `better` beats `worse` on this metric (>= 1 when better is better)."""
        if worse is None or better is None or worse <= 0 or better <= 0:
            return None
        return better / worse if self.better == "higher" else worse / better

    @property
    def ratio(self):
        """best over runner-up, as "best is so many times better"."""
        if not (self.best and self.runner_up):
            return None
        return self.factor(self.runner_up.median, self.best.median)

    def to_floor(self, entry: Entry | None):
        """How many times the floor beats this entry (1 = at the floor)."""
        if not (entry and self.floor):
            return None
        return self.factor(entry.median, self.floor.median)


def group_key(row: dict) -> tuple:
    config = CONFIG_PARAMS.get(plot.suite_and_task(row)[0], ())
    params = tuple((k, v) for k, v in plot.row_params(row).items() if k not in config)
    return (plot.dataset_of(row), row.get("threads"), params)


def group_text(key: tuple, shown: set) -> str:
    """The dataset and the parameters in `shown` (those that tell this task's groups apart)."""
    dataset, threads, params = key
    words = [dataset or "(no dataset)", *[f"{k}={v}" for k, v in params if k in shown]]
    if threads not in (None, 1) and not any(k == "threads" for k, _ in params):
        words.append(f"threads={plot.format_key(threads)}")
    return " ".join(words)


def varying_params(keys) -> set:
    """Parameters whose value differs between groups: the others are the same for the whole task
    (batch size, pinning) and would only lengthen every line; the figures' tables have them all."""
    names = {k for _, _, params in keys for k, _ in params}
    if len(keys) == 1:
        return names
    return {k for k in names if len({dict(params).get(k) for _, _, params in keys}) > 1}


def competitor(row: dict) -> str:
    config = [f"{k}={v}" for k, v in plot.row_params(row).items() if k in CONFIG_PARAMS.get(row.get("suite"), ())]
    return plot.implementation(row) + (f" ({', '.join(config)})" if config else "")


def ranking(rows: list[dict], metric: str, better: str | None) -> list[Entry]:
    cells = plot.collect([r for r in rows if r.get("status") != "error"], metric, competitor)
    entries = [Entry(name, s.median) for name, s in cells.items() if s.values]
    if better == "higher":
        entries.sort(key=lambda e: (-e.median, e.name))
    else:
        entries.sort(key=lambda e: (e.median, e.name))
    return entries


def find_floor(suite: str, task: str, group_rows: list[dict], task_rows: dict, metric: str):
    """(floor Entry or None, what it is): the best matching floor row of FLOORS[(suite, task)]."""
    spec = FLOORS.get((suite, task))
    if (suite, task) in FLOOR_TASKS:
        return None, "is the floor"
    if spec is None:
        return None, "no floor"
    candidates = [f for f in task_rows.get((suite, spec.task), []) if any(spec.match(r, f) for r in group_rows)]
    floor_metric = spec.metric or metric
    found = ranking(candidates, floor_metric, plot.describe(floor_metric)[2])
    if not found:
        return None, f"no floor rows in this input ({spec.why})"
    return found[0], spec.why


def answers(rows: list[dict]) -> dict:
    """suite -> [Answer], suites in suites.ORDER order then alphabetical, tasks in figure order
    (floor tasks last)."""
    task_rows = plot.by_task(rows)
    result = {}
    # the figures' order, floors last: they are the yardstick, not the race
    for (suite, task), rows_of_task in sorted(task_rows.items(),
                                              key=lambda kv: (plot.suite_rank(kv[0][0]), kv[0] in FLOOR_TASKS)):
        metric = plot.main_metric(task, rows_of_task, None)
        if metric is None:
            continue
        better = plot.describe(metric)[2]
        groups = {}
        for r in rows_of_task:
            groups.setdefault(group_key(r), []).append(r)
        shown = varying_params(list(groups))
        for key in sorted(groups, key=lambda k: (k[0], k[1] or 0, _numeric_params(k[2]))):
            group_rows = groups[key]
            answer = Answer(suite, task, group_text(key, shown), metric, better, ranking(group_rows, metric, better),
                            sum(1 for r in group_rows if r.get("status") == "error"), len(group_rows))
            answer.floor, answer.floor_note = find_floor(suite, task, group_rows, task_rows, metric)
            result.setdefault(suite, []).append(answer)
    return result


def _numeric_params(params: tuple) -> tuple:
    """Sort capacity=100 before capacity=1000 before capacity=20000."""
    def number(v):
        try:
            return (0, float(v), "")
        except ValueError:
            return (1, 0.0, v)
    return tuple((k, number(v)) for k, v in params)
