"""Every figure of the committed reference run has data in every panel, and the suites come in the
reader's order (json, cache, queue, then others alphabetically). The figures are built by
plot.build_plots, the code both `hotbench plot` and the HTML report draw with."""

import math
import pathlib
import warnings

import pytest

from hotbench import plot, tidy

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "results" / "reference"


def finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):  # None (a point at no x), masked values
        return False


def has_data(ax) -> bool:
    """A line with at least one finite point, a bar (or a hatched error slot), or a collection
    (error bars, hlines) with a finite vertex. Text alone (a title, "error") is not data."""
    for line in ax.lines:
        if any(finite(x) and finite(y) for x, y in zip(line.get_xdata(), line.get_ydata())):
            return True
    for patch in ax.patches:
        box = patch.get_path().get_extents(patch.get_patch_transform())
        if all(finite(v) for v in (box.x0, box.x1, box.y0, box.y1)):
            return True
    for collection in ax.collections:
        for path in collection.get_paths():
            if any(finite(x) and finite(y) for x, y in path.vertices):
                return True
    return False


def empty_panels(plots) -> list[str]:
    return [f"{p.name}: panel {ax.get_title() or i}" for p in plots for i, ax in enumerate(p.figure.axes)
            if not has_data(ax)]


@pytest.fixture(scope="module")
def reference_plots():
    rows, meta = tidy.load_rows(REFERENCE)
    return plot.build_plots(rows, meta, source=REFERENCE)


def test_every_panel_of_the_reference_run_has_data(reference_plots):
    plots, notes = reference_plots
    assert len(plots) > 20 and notes == []
    assert empty_panels(plots) == []


def test_reference_figures_come_suite_by_suite_in_the_readers_order(reference_plots):
    suites = [p.suite for p in reference_plots[0]]
    assert suites == sorted(suites, key=["json", "cache", "queue"].index)
    assert [p.name for p in reference_plots[0]][:1] == ["json_parse"]
    assert all(p.name.startswith(p.suite + "_") for p in reference_plots[0])


def test_the_checker_sees_a_point_at_no_x_as_empty():
    """The old cache/floor figure drew pointer-chase rows (no capacity) at x=None: invisible, yet a line."""
    figure = plot.new_figure(4, 3)
    ax = figure.add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # matplotlib sizing an all-NaN error bar
        ax.errorbar([None], [5.0], yerr=[[1.0], [1.0]])
    assert not has_data(ax)
    ax.plot([1.0, 2.0], [float("nan"), 3.0])
    assert has_data(ax)


def row(task, library, dataset, repetition=0, **values):
    params = "/".join(f"{k}={values[k]}" for k in ("capacity", "bytes") if k in values)
    r = {"schema_version": 1, "run_id": "t", "benchmark": f"s/{task}/{library}/{dataset}/{params}", "suite": "s",
         "task": task, "library": library, "variant": "", "dataset": dataset, "params": params, "threads": 1,
         "repetition": repetition, "process": 0, "label": "", "status": "ok", "error_message": ""}
    r.update(values)
    return r


def test_rows_without_the_curve_key_get_their_own_figure_not_empty_panels():
    """Planted: map lookups swept over capacity next to pointer chases that have no capacity (the
    cache suite's floor task). The old code drew one empty panel per pointer-chase dataset."""
    rows = [row("floor", "raw_lookup", "resident", capacity=c, ns_per_op=c / 100) for c in (1024, 65536)]
    rows += [row("floor", "pointer_chase", level, bytes=b, ns_per_op=ns)
             for level, b, ns in (("l1", 24576, 2.5), ("dram", 1 << 28, 190.0))]
    plots, _ = plot.build_plots(rows, {}, caption_in_figure=False)
    assert empty_panels(plots) == []
    curve, bars = plots
    assert (curve.name, [ax.get_title() for ax in curve.figure.axes]) == ("s_floor", ["resident"])
    assert bars.name == "s_floor_without_capacity" and "without capacity" in bars.title
    assert {r[0] for r in bars.table.rows} == {"l1", "dram"}  # every pointer-chase row is drawn somewhere


def test_a_dataset_without_values_gets_no_panel_but_a_failed_one_keeps_its_panel():
    rows = [row("sweep", "a", "d1", capacity=c, ops_per_s=1.0) for c in (1, 2)]
    rows += [row("sweep", "a", "d2", capacity=c) for c in (1, 2)]  # ok rows, but no ops_per_s
    failed = row("sweep", "a", "d3", capacity=1)
    failed.update(status="error", error_message="checksum mismatch")
    plots, _ = plot.build_plots(rows + [failed], {}, caption_in_figure=False)
    assert [ax.get_title() for ax in plots[0].figure.axes] == ["d1", "d3"]  # d3: its failure is named


def test_suites_other_than_the_known_three_follow_alphabetically():
    rows = [dict(row("t", "a", "d", ops_per_s=1.0), suite=s) for s in ("zeta", "queue", "alpha", "json", "cache")]
    plots, _ = plot.build_plots(rows, {}, caption_in_figure=False)
    assert [p.suite for p in plots] == ["json", "cache", "queue", "alpha", "zeta"]
