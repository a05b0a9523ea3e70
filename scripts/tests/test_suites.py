"""suites/: a suite's own Python is found by its name, and a suite without any still runs and draws."""

from hotbench import plot, suites


def test_a_suite_module_is_found_by_name_and_none_is_fine():
    assert suites.module("cache").__name__ == "hotbench.suites.cache"
    for name in ("nosuch", "a.b", "../x", "__init__", ""):
        assert suites.module(name) is None


def test_suite_order_is_the_readers_then_alphabetical():
    assert suites.ordered(["zeta", "queue", "alpha", "json", "cache"]) == ["json", "cache", "queue", "alpha", "zeta"]


def test_a_suite_without_a_module_gets_the_generic_figures_only():
    rows = [{"schema_version": 1, "run_id": "t", "benchmark": f"toy/put/x/d{i}", "suite": "toy", "task": "put",
             "library": "x", "variant": "", "dataset": f"d{i}", "params": "", "threads": 1, "repetition": 0,
             "process": 0, "label": "", "status": "ok", "error_message": "", "ops_per_s": 1.0 + i} for i in range(2)]
    assert plot.suite_plots(rows, plot.palette(["x"]), "") == []
    plots, notes = plot.build_plots(rows, {})
    assert [p.name for p in plots] == ["toy_put"] and notes == []
