"""The Python side's code particular to one suite: `suites/<suite>.py`, found by the suite's name.

The facts of a suite (its tasks, implementations, metrics, settings, data suffixes, gate subset) come
from its binary (describe.py); a module here holds only what the binary cannot say: figures of its own
and smoke checks of its own. A suite without a module gets the generic figures and the generic smoke.
Everything a module defines is optional:

    plots(rows, colours, facts) -> list[plot.Plot]
        figures particular to the suite (plot.build_plots adds them after the per-task figures)
    smoke_arguments(tmp: pathlib.Path) -> list[str]
        arguments of the smoke run (small settings, data files it writes into `tmp`, broken ones included)
    SMOKE_BAD_DATASETS: dict[str, str]
        dataset -> text its error rows must contain: the deliberately broken files of smoke_arguments
    smoke_checks(binary, rows, tmp) -> list[str]
        problems found by the suite's own checks of the smoke run's rows (and any refusals it tries)
"""

import importlib
import types

# Suites in the order a reader meets them (a run, the figures, the report's sections); any other suite
# follows, alphabetically, so a new suite needs no entry here to be run or shown.
ORDER = ["json", "cache", "queue"]


def rank(suite: str) -> tuple:
    """Sort key of a suite: ORDER first, then the others alphabetically."""
    return (ORDER.index(suite), "") if suite in ORDER else (len(ORDER), suite)


def ordered(names) -> list[str]:
    return sorted(names, key=rank)


def module(suite: str) -> types.ModuleType | None:
    """suites/<suite>.py, or None when the suite has none (a suite name read from a result file may be
    anything: only a plain identifier can name a module here)."""
    if not suite.isidentifier() or suite.startswith("_"):
        return None
    try:
        return importlib.import_module(f"{__name__}.{suite}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{suite}":
            raise  # the module exists and imports something missing: a bug to show, not "no module"
        return None
