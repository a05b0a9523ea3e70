"""`hotbench plot`: figures from the small fixture (json suite, 3 repetitions, error rows) and from a
synthetic CSV with thread counts and latency percentiles."""

import pathlib

import pytest

from hotbench import cli, plot, tidy

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "plot"  # a result set: results.csv + metadata.json
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def rows_of_fixture():
    return tidy.load_rows(FIXTURE)


def plot_named(plots, name):
    return next(p for p in plots if p.name == name)


@pytest.fixture(scope="module")
def fixture_plots():
    """The fixture's figures, drawn once for the tests that only look at them."""
    rows, meta = rows_of_fixture()
    return plot.build_plots(rows, meta)[0]


def synthetic_rows():
    """A queue-like suite: throughput against threads (1..8), two message sizes (one per dataset),
    latency percentiles, and a thread count at which one implementation always fails."""
    rows = []
    for library in ("ring", "locked"):
        for dataset, message_bytes in (("small", 64), ("large", 4096)):
            for threads in (1, 2, 4, 8):
                for repetition in range(3):
                    row = {"schema_version": 1, "run_id": "synthetic", "suite": "queue", "task": "spsc",
                           "benchmark": f"queue/spsc/{library}/{dataset}", "library": library, "variant": "",
                           "dataset": dataset, "threads": threads, "repetition": repetition, "process": 0,
                           "label": "", "message_bytes": message_bytes}
                    if library == "locked" and threads == 8:
                        row.update(status="error", error_message="timed out waiting for the consumer")
                    else:
                        rate = (2e6 if library == "ring" else 5e5) * threads ** 0.7 * (1 + 0.02 * repetition)
                        row.update(status="ok", error_message="", iterations=10, real_time_ns=1e9 / rate,
                                   cpu_time_ns=1e9 / rate, documents_per_s=rate, p50_ns=100.0 * threads,
                                   p99_ns=800.0 * threads, p999_ns=5000.0 * threads)
                    rows.append(row)
    return rows


def test_fixture_gives_png_and_svg_per_task(tmp_path, capsys):
    assert cli.main(["plot", str(FIXTURE), "-o", str(tmp_path)]) == 0
    for name in ("json_parse", "json_serialize", "json_limit"):
        png, svg = tmp_path / f"{name}.png", tmp_path / f"{name}.svg"
        assert png.read_bytes().startswith(PNG_MAGIC)
        assert png.stat().st_size > 10_000
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text and text.rstrip().endswith("</svg>")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"json_{t}.{f}" for t in ("parse", "serialize", "limit") for f in ("png", "svg"))
    assert "failed benchmark(s)" in capsys.readouterr().err


def test_format_option_and_default_out_dir(tmp_path):
    csv = tmp_path / "results.csv"
    csv.write_bytes((FIXTURE / "results.csv").read_bytes())
    assert cli.main(["plot", str(csv), "--format", "svg"]) == 0
    assert sorted(p.name for p in (tmp_path / "results-plots").iterdir()) == [
        "json_limit.svg", "json_parse.svg", "json_serialize.svg"]


def test_bad_format_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["plot", str(FIXTURE), "-o", str(tmp_path), "--format", "png,jpeg"]) == 4
    assert "--format" in capsys.readouterr().err


def test_bars_are_medians_sorted_best_first_with_min_max(fixture_plots):
    parse = plot_named(fixture_plots, "json_parse")
    small = [r for r in parse.table.rows if r[0] == "small"]
    assert [r[1] for r in small] == ["simdjson:dom", "rapidjson", "boost_json", "nlohmann", "memcpy (reference)"]
    simdjson = small[0]
    assert simdjson[2:6] == ["1,500", "1,455", "1,545", "3"]  # median, min, max, n over 3 repetitions
    assert parse.table.columns[2] == "median [MB/s (10^6 B/s)]"  # the unit as declared (conftest.SYNTHETIC)
    assert "higher is better" in parse.figure.axes[0].get_ylabel()
    assert "min to max" in parse.description and "memcpy" in parse.description


def test_memcpy_is_drawn_as_reference_on_a_log_axis(fixture_plots):
    ax = plot_named(fixture_plots, "json_parse").figure.axes[0]
    assert ax.get_yscale() == "log"  # memcpy is 20-300x faster than the parsers
    assert any(t.get_text().startswith("memcpy 30,000") for t in ax.texts)
    # memcpy writes as many bytes as it reads: its input MB/s bounds serialize's output MB/s too
    serialize = plot_named(fixture_plots, "json_serialize")
    assert "memcpy" in serialize.description
    assert any(t.get_text().startswith("memcpy 30,000") for t in serialize.figure.axes[0].texts)


def test_error_rows_are_marked_and_listed_not_dropped(fixture_plots):
    parse = plot_named(fixture_plots, "json_parse")
    assert any(t.get_text() == "nlohmann: error" for t in parse.figure.axes[0].texts)  # large: every repetition
    assert any(t.get_text() == "!" for t in parse.figure.axes[0].texts)  # rapidjson/large: one of three
    assert parse.errors == [
        "json/parse/rapidjson/large: parse error at byte 1234 of data/large.json: Invalid value (1 of 3 repetitions)",
        "json/parse/nlohmann/large: data/large.json: byte 1234: syntax error while parsing value"]
    kinds = dict(zip((tuple(r[:2]) for r in parse.table.rows), parse.table.kinds))
    assert kinds[("large", "nlohmann")] == "error" and kinds[("large", "rapidjson")] == "partial"


def test_caption_carries_cpu_compiler_commit_and_date(fixture_plots):
    parse = plot_named(fixture_plots, "json_parse")
    caption = "\n".join(t.get_text() for t in parse.figure.texts)
    for fact in ("Intel(R) Xeon(R) Processor", "compiler 12.2.0", "commit bf35954ce1 (dirty)",
                 "2026-11-21 00:00:00 UTC"):
        assert fact in caption.replace("\n  ", " ")
    assert "Errors:" in caption


def test_metric_override():
    rows, meta = rows_of_fixture()
    plots, _ = plot.build_plots(rows, meta, metric="real_time_ns", caption_in_figure=False)
    assert [p.name for p in plots] == ["json_parse", "json_serialize", "json_limit"]
    parse = plot_named(plots, "json_parse")
    assert "lower is better" in parse.figure.axes[0].get_ylabel()
    assert parse.table.rows[0][1] == "simdjson:dom"  # lower is better: the fastest is still first


@pytest.mark.parametrize("metric, words", [
    ("bogus_per_s", "unknown metric 'bogus_per_s'"),
    ("instructions_per_op", "metric 'instructions_per_op' has no values"),
    ("dataset", "identity column"),
])
def test_bad_metric_exits_3_with_one_line(tmp_path, capsys, metric, words):
    assert cli.main(["plot", str(FIXTURE), "-o", str(tmp_path / "out"), "--metric", metric]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "input_mb_per_s" in err
    assert not (tmp_path / "out").exists()


def test_input_without_plottable_rows_is_a_clear_error(tmp_path, capsys):
    rows, _ = rows_of_fixture()
    errors_only = [r for r in rows if r["status"] == "error"]
    csv = tmp_path / "errors.csv"
    tidy.write_csv(csv, errors_only)
    assert cli.main(["plot", str(csv), "-o", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert "nothing to plot: all 4 rows are error rows" in err and err.count("\n") == 1


def test_curves_against_threads_and_latency_percentiles(tmp_path):
    csv = tmp_path / "queue.csv"
    tidy.write_csv(csv, synthetic_rows())
    assert cli.main(["plot", str(csv), "-o", str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["queue_spsc.png", "queue_spsc.svg", "queue_spsc_latency.png", "queue_spsc_latency.svg"]

    rows, meta = tidy.load_rows(csv)
    plots, _ = plot.build_plots(rows, meta)
    curves = plot_named(plots, "queue_spsc")
    ax = curves.figure.axes[0]
    assert ax.get_xlabel() == "threads" and ax.get_xscale() == "log"  # 1..8 threads on a log2 axis
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "4", "8"]
    assert "documents_per_s (synthetic) [documents/s]" in ax.get_ylabel() and "higher is better" in ax.get_ylabel()
    assert len(curves.errors) == 2 and all("threads=8" in e for e in curves.errors)
    assert [r[:3] for r in curves.table.rows[:2]] == [["large", "locked", "1"], ["large", "locked", "2"]]

    latency = plot_named(plots, "queue_spsc_latency")
    lax = latency.figure.axes[0]
    assert [t.get_text() for t in lax.get_xticklabels()] == ["p50", "p99", "p99.9"]
    assert lax.get_yscale() == "log" and "lower is better" in lax.get_ylabel()
    legend = [t.get_text() for t in latency.figure.legends[0].get_texts()]
    assert "ring, threads=4" in legend  # threads vary within a dataset: one line per thread count


def test_second_varying_key_splits_lines():
    rows = synthetic_rows()
    for r in rows:  # both message sizes in one dataset: each becomes its own line
        r["dataset"] = "mixed"
    plots, _ = plot.build_plots(rows, {})
    legend = [t.get_text() for t in plot_named(plots, "queue_spsc").figure.legends[0].get_texts()]
    assert legend == ["locked, message_bytes=4096", "locked, message_bytes=64",
                      "ring, message_bytes=4096", "ring, message_bytes=64"]


@pytest.mark.parametrize("column, value", [("p50_ns", 50), ("p99_ns", 99), ("p999_ns", 99.9),
                                           ("p99_9_ns", 99.9), ("p99.99_ns", 99.99), ("p100_ns", 100)])
def test_percentile_columns(column, value):
    assert plot.percentile_value(column) == value


def test_data_text_is_not_mathtext(tmp_path):
    rows, meta = rows_of_fixture()
    for r in rows:
        if r["library"] == "nlohmann":
            r["library"] = "price$in$dollars"  # an odd number of `$` would break mathtext parsing
            r["error_message"] = r["error_message"] and "costs $5"
    plots, _ = plot.build_plots(rows, meta)
    for p in plots:
        assert plot.render(p, "png").startswith(PNG_MAGIC)


def test_figures_are_legible_sizes(fixture_plots):
    for p in fixture_plots:
        width, height = p.figure.get_size_inches()
        assert 7 <= width <= 18 and 4 <= height <= 12
