"""suites/json.py's figures: parse only beside parse + walk, from a tiny synthetic result set."""

from hotbench import plot
from hotbench.suites import json as suite_json


def row(task, library, variant, dataset, mb, status="ok", error=""):
    name = f"json/{task}/{library}{':' + variant if variant else ''}/{dataset}"
    return {"schema_version": 1, "run_id": "t", "benchmark": name, "suite": "json", "task": task,
            "library": library, "variant": variant, "dataset": dataset, "params": "", "threads": 1,
            "repetition": 0, "process": 0, "label": "", "status": status, "error_message": error,
            "iterations": 5, "real_time_ns": 1e6, "cpu_time_ns": 1e6, "input_mb_per_s": mb}


def synthetic_rows():
    rows = []
    for dataset in ("social", "geometry"):
        rows += [row("parse_only", "simdjson", "dom", dataset, 4000.0), row("parse", "simdjson", "dom", dataset, 2000.0),
                 row("parse_only", "nlohmann", "", dataset, 100.0), row("parse", "nlohmann", "", dataset, 95.0),
                 row("parse", "simdjson", "ondemand", dataset, 1500.0), row("limit", "memcpy", "", dataset, 9000.0)]
    rows.append(row("parse_only", "rapidjson", "", "social", None, "error", "3 of 9 numbers are wrong"))
    rows.append(row("parse", "rapidjson", "", "social", None, "error", "3 of 9 numbers are wrong"))
    return rows


def figures(rows):
    return {p.name: p for p in suite_json.plots(rows, plot.palette(plot.implementation(r) for r in rows), "")}


def test_parse_only_stands_beside_parse_for_each_library_that_builds_a_document():
    made = figures(synthetic_rows())
    assert set(made) == {"json_parse_vs_parse_only"}
    table = made["json_parse_vs_parse_only"].table
    cells = {(r[0], r[1]): r for r in table.rows}
    assert cells[("social", "simdjson:dom")][2:] == ["4,000", "2,000", "50%"]
    assert ("social", "simdjson:ondemand") not in cells  # lazy: no parse_only row, not in this figure
    assert cells[("social", "rapidjson")][2:4] == ["error", "error"]
    assert any("json/parse_only/rapidjson/social: 3 of 9 numbers are wrong" in e for e in made["json_parse_vs_parse_only"].errors)
    assert {d for d, _ in cells} == {"social", "geometry"}  # a panel per dataset, each with data


def test_no_figure_without_parse_only_rows():
    rows = [r for r in synthetic_rows() if r["task"] != "parse_only"]
    assert figures(rows) == {}


def test_build_plots_draws_it_with_the_task_figures():
    plots, _ = plot.build_plots(synthetic_rows(), {})
    names = [p.name for p in plots]
    # The pair figure, and each task's own bar chart (names are file stems: they must differ).
    assert {"json_parse", "json_parse_only", "json_parse_vs_parse_only"} <= set(names)
    assert len(names) == len(set(names))
