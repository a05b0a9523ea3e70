"""Metrics: what a column measures, its unit, which way is better, and how to talk about a change.

The suite binaries declare their metrics (`hotbench_<suite> --hotbench_describe`, field `metrics`: the
harness's own and the suite's); this module keeps no list of its own. A metric's declaration is taken, in
order, from:

1. the descriptions recorded in the result sets being read (metadata.json `suites.<name>.description`):
   the facts of the code that produced the figures;
2. the suite binaries built in build/release and build/release/counting (describe.built), for inputs that record
   none (a tidy CSV, a Google Benchmark JSON file, a result set of an older runner);
3. else a column of the data is a metric nobody declares (`declared` False): no unit, no better direction,
   compared as higher/lower and never gated; `compare` and `check` say so rather than guess.

`compare` and `check` use a Metric to know which way is better and which words to print:

- time-like and throughput metrics (`kind` "time" or "throughput") say `faster` / `slower`;
- other metrics with a better direction say `better` / `worse`;
- metrics with no better direction (sizes, iteration counts) say `higher` / `lower`.

`deterministic` marks metrics that are exact counts, identical in every repetition of an unchanged
program (instruction counts from callgrind, allocation counts from the untimed pass, ...). For those
a single repetition is enough to decide, provided the repetitions present are indeed identical
(see compare.required_repetitions).

Two suites may declare one name differently (cache `capacity` in entries, queue `capacity` in messages):
`Registry.get(name)` merges the declarations (units and meanings joined per suite; no better direction
unless all agree), `Registry.get(name, suite=...)` gives one suite's own.
"""

import contextvars
import functools
import inspect
from dataclasses import dataclass

from . import describe
from .errors import BadInput

LOWER, HIGHER = "lower", "higher"
KINDS = ("time", "throughput", "count", "size", "fraction", "other")
RECORDED = "the suite descriptions recorded in the result sets"
BUILT = "the suite binaries built in build/release and build/release/counting"


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    better: str | None  # LOWER, HIGHER, or None when neither direction is better (or it is unknown)
    kind: str  # one of KINDS
    deterministic: bool = False
    meaning: str = ""
    suites: tuple[str, ...] = ()  # the suites whose descriptions declare it
    declared: bool = True  # False: no description declares it, so its unit and direction are unknown

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
        if not self.declared:
            return "direction unknown"
        return f"{self.better} is better" if self.better else "no better direction"


def undeclared(name: str) -> Metric:
    """A column no description declares: compared without a direction."""
    return Metric(name, "", None, "other", declared=False)


def of_declaration(entry, suite: str, where: str) -> Metric:
    """One entry of a description's `metrics`; BadInput naming `where` when it is not one."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise BadInput(f"{where}: not a metric declaration (an object with a name)")
    better, kind = entry.get("better"), entry.get("kind", "other")
    if better not in (LOWER, HIGHER, None) or kind not in KINDS:
        raise BadInput(f"{where} ({entry['name'][:60]}): better must be lower, higher or null and kind one of "
                       f"{', '.join(KINDS)}; got better={better!r}, kind={kind!r}")
    unit, meaning = entry.get("unit", ""), entry.get("meaning", "")
    if not isinstance(unit, str) or not isinstance(meaning, str) or not isinstance(entry.get("deterministic", False), bool):
        raise BadInput(f"{where} ({entry['name'][:60]}): unit and meaning must be strings, deterministic true or false")
    return Metric(entry["name"], unit, better, kind, entry.get("deterministic", False), meaning, (suite,))


def declarations(descriptions, source: str = "description") -> list[Metric]:
    """Every metric each description declares, one Metric per (suite, name), in the descriptions' order;
    `descriptions` is {suite: description} or a list of (suite, description)."""
    out = []
    for suite, desc in descriptions.items() if isinstance(descriptions, dict) else descriptions:
        entries = desc.get("metrics") if isinstance(desc, dict) else None
        if not isinstance(entries, list):
            raise BadInput(f"{source}: the description of suite {suite!r} has no list of metrics")
        out += [of_declaration(e, suite, f"{source}: suite {suite!r}: metrics[{i}]") for i, e in enumerate(entries)]
    return out


def merged(declared: list[Metric]) -> Metric:
    """One Metric for the declarations of one name by several suites (or several result sets).

    Equal declarations (the harness's metrics, declared alike by every suite) collapse into one. Where they
    differ, units and meanings are joined naming their suites, the better direction is kept only if all
    agree, and the metric is deterministic only if all say so."""
    first = declared[0]
    suites = tuple(dict.fromkeys(s for m in declared for s in m.suites))

    def joined(field: str) -> str:
        by_value: dict[str, list[str]] = {}
        for m in declared:
            by_value.setdefault(getattr(m, field), []).extend(m.suites)
        if len(by_value) == 1:
            return next(iter(by_value))
        return "; ".join(f"{value or '?'} ({', '.join(dict.fromkeys(s))})" for value, s in by_value.items())

    better = first.better if all(m.better == first.better for m in declared) else None
    kind = first.kind if all(m.kind == first.kind for m in declared) else "other"
    return Metric(first.name, joined("unit"), better, kind, all(m.deterministic for m in declared),
                  joined("meaning"), suites)


class Registry:
    """The metrics some sources of descriptions declare. `layers` are (what they are, descriptions): the
    descriptions as declarations() takes them, or a function returning them, called on first need. A name
    is taken from the first layer declaring it."""

    def __init__(self, layers: list[tuple[str, object]]):
        self._layers = layers
        self._loaded: list[tuple[str, dict[str, list[Metric]]] | None] = [None] * len(layers)

    def _layer(self, i: int) -> tuple[str, dict[str, list[Metric]]]:
        if self._loaded[i] is None:
            what, descriptions = self._layers[i]
            if callable(descriptions):
                descriptions = descriptions()
            by_name: dict[str, list[Metric]] = {}
            for m in declarations(descriptions, what):
                by_name.setdefault(m.name, []).append(m)
            self._loaded[i] = (what, by_name)
        return self._loaded[i]

    def _layers_loaded(self):
        return (self._layer(i) for i in range(len(self._layers)))

    def lookup(self, name: str, suite: str | None = None) -> Metric | None:
        """The declared metric (one suite's declaration when `suite` is given), or None."""
        for _, by_name in self._layers_loaded():
            found = [m for m in by_name.get(name, []) if suite is None or suite in m.suites]
            if found:
                return merged(found)
        return None

    def known_names(self) -> list[str]:
        return list(dict.fromkeys(n for _, by_name in self._layers_loaded() for n in by_name))

    def all(self) -> list[Metric]:
        """Every declared metric, merged per name, in declaration order."""
        return [self.lookup(n) for n in self.known_names()]

    @property
    def empty(self) -> bool:
        return not self.known_names()

    @property
    def consulted(self) -> str:
        """What was read, for messages: "the suite descriptions recorded in ... or the suite binaries ..."."""
        return " or ".join(what for what, _ in self._layers) or "no suite description"

    def _unknown(self, name: str, extra: str = "") -> BadInput:
        known = self.known_names()
        listed = f"known metrics: {', '.join(known)}" if known else f"no metric is known: {self.not_found_text()}"
        return BadInput(f"unknown metric {name!r}; {listed}{extra}")

    def not_found_text(self) -> str:
        return f"{self.consulted} declare none" if self._layers else "no suite description to read"

    def get(self, name: str, suite: str | None = None) -> Metric:
        """The declared metric, or BadInput listing the known ones."""
        found = self.lookup(name, suite)
        if found is None:
            raise self._unknown(name)
        return found

    def resolve(self, name: str, columns_in_data=frozenset(), suite: str | None = None) -> Metric:
        """A declared metric, or a numeric column of the data no description declares (`declared` False:
        compared without a better direction). Anything else is BadInput listing the known metrics."""
        found = self.lookup(name, suite)
        if found is not None:
            return found
        if name in columns_in_data:
            return undeclared(name)
        extra = sorted(set(columns_in_data) - set(self.known_names()))
        raise self._unknown(name, f"; other numeric columns in the input: {', '.join(extra)}" if extra else "")


def of_descriptions(descriptions: dict[str, dict], what: str = "the given suite descriptions") -> Registry:
    return Registry([(what, descriptions)])


def for_results(*metas: dict) -> Registry:
    """The registry for reading these result sets: what they record, then the built binaries. A suite
    recorded by several result sets contributes each one's declarations (merged where they differ)."""
    pairs = [(suite, d) for m in metas if isinstance(m, dict) for suite, d in describe.recorded(m).items()]
    layers = [(RECORDED, pairs)] if pairs else []
    layers.append((BUILT, describe.all_built))
    return Registry(layers)


def default() -> Registry:
    """The registry when no result set is at hand (or inside `reading(meta)`, that result set's)."""
    return _CURRENT.get() or Registry([(BUILT, describe.all_built)])


_CURRENT: contextvars.ContextVar[Registry | None] = contextvars.ContextVar("hotbench_metrics", default=None)


def reading(meta_parameter: str = "meta"):
    """Decorator: while the function runs, `default()` is the registry of the result set passed as its
    `meta_parameter` (plots, reports and summaries look metrics up deep below their entry point)."""
    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            meta = signature.bind_partial(*args, **kwargs).arguments.get(meta_parameter)
            token = _CURRENT.set(for_results(meta) if isinstance(meta, dict) else None)
            try:
                return function(*args, **kwargs)
            finally:
                _CURRENT.reset(token)
        return wrapper
    return decorate


def get(name: str, suite: str | None = None) -> Metric:
    return default().get(name, suite)


def resolve(name: str, columns_in_data=frozenset(), suite: str | None = None) -> Metric:
    return default().resolve(name, columns_in_data, suite)


def known_names() -> list[str]:
    return default().known_names()
