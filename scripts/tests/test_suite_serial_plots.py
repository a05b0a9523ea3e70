"""suites/serial.py's figures: wire bytes against decode and encode time with the Pareto front, from a tiny
synthetic result set (formats with and without compression, a dominated point, an error row)."""

import pathlib

import pytest

from hotbench import plot
from hotbench.suites import serial as suite_serial


def row(task, library, variant, dataset, us, size, compression=None, repetition=0, raw=None):
    params = f"compression={compression}" if compression else ""
    name = f"serial/{task}/{library}{':' + variant if variant else ''}/{dataset}" + (f"/{params}" if params else "")
    r = {"schema_version": 1, "run_id": "t", "benchmark": name, "suite": "serial", "task": task, "library": library,
         "variant": variant, "dataset": dataset, "params": params, "threads": 1, "repetition": repetition,
         "process": 0, "label": f"{compression} level 3" if compression else "", "status": "ok", "error_message": "",
         "iterations": 5, "real_time_ns": 1e6, "cpu_time_ns": 1e6, "documents_per_s": 1e6 / us,
         "wire_bytes_per_message": size}
    if raw is not None:
        r["raw_bytes_per_message"] = raw
    return r


# decode (us per message, bytes per message) for orders: protobuf+zstd is the smallest, flatbuffers the
# fastest, msgpack between them on both; cereal is slower and larger than msgpack: dominated.
DECODE = {("protobuf", "", None): (6.0, 1373), ("protobuf", "", "zstd"): (9.0, 1060),
          ("flatbuffers", "", None): (1.5, 2090), ("msgpack", "", None): (2.4, 1302),
          ("cereal", "binary", None): (2.5, 1664), ("flatbuffers", "", "lz4"): (1.9, 1603)}


def synthetic_rows():
    rows = []
    for (library, variant, compression), (us, size) in DECODE.items():
        for rep, jitter in enumerate((0.9, 1.0, 1.2)):  # the median is the middle repetition
            raw = 1373 if library == "protobuf" else 2090
            rows.append(row("decode", library, variant, "orders", us * jitter, size, compression, rep,
                            raw if compression else None))
            rows.append(row("encode", library, variant, "orders", us * jitter / 2, size, compression, rep,
                            raw if compression else None))
    rows.append(row("decode", "protobuf", "", "events", 3.0, 600))
    failed = row("decode", "thrift", "compact", "orders", 1.0, 1.0)
    failed.update(status="error", error_message="orders line 3: total: 1 != 2 (decoded != reference)",
                  documents_per_s=None, wire_bytes_per_message=None)
    rows.append(failed)
    return rows


def test_the_front_is_the_points_no_other_beats_in_both():
    points = [(6.0, 1373), (9.0, 1060), (1.5, 2090), (2.4, 1302), (2.5, 1664), (1.9, 1603), (2.4, 1302), (9.0, 2000)]
    front = suite_serial.pareto_front(points)
    assert [points[i] for i in front] == [(1.5, 2090), (1.9, 1603), (2.4, 1302), (2.4, 1302), (9.0, 1060)]
    assert 4 not in front and 0 not in front and 7 not in front  # dominated: larger and slower than another
    assert suite_serial.pareto_front([]) == []


def test_size_against_decode_and_encode_time_with_the_front():
    rows = synthetic_rows()
    made = {p.name: p for p in suite_serial.plots(rows, plot.palette(plot.implementation(r) for r in rows), "")}
    assert set(made) == {"serial_size_vs_decode", "serial_size_vs_encode"}
    decode = made["serial_size_vs_decode"]
    cells = {(r[0], r[1], r[2]): r for r in decode.table.rows}
    assert cells[("orders", "protobuf", "zstd")][3:] == ["9", "1,060", "yes"]  # the smallest
    assert cells[("orders", "flatbuffers", "none")][5] == "yes"  # the fastest
    assert cells[("orders", "cereal:binary", "none")][5] == ""  # msgpack is smaller and faster
    assert cells[("orders", "protobuf", "none")][5] == ""  # msgpack again
    assert cells[("events", "protobuf", "none")][5] == "yes"  # alone in its panel
    assert [ax.get_title() for ax in decode.figure.axes] == ["events", "orders"]
    assert any("serial/decode/thrift:compact/orders: orders line 3" in e for e in decode.errors)
    labels = {t.get_text() for ax in decode.figure.axes for t in ax.texts}
    assert {"protobuf+zstd", "flatbuffers+lz4", "msgpack"} <= labels


def test_build_plots_includes_the_serial_figures_with_data_in_every_panel():
    from test_plot_reference import empty_panels

    plots, _ = plot.build_plots(synthetic_rows(), {}, caption_in_figure=False)
    serial = [p for p in plots if p.name.startswith("serial_size_vs_")]
    assert len(serial) == 2 and empty_panels(serial) == []
    # In the per-task bars a format with and without a codec shares its colour: the hatch tells them apart.
    bars = next(p for p in plots if p.name == "serial_decode")
    box = bars.figure.axes[0].get_legend()
    handles = getattr(box, "legend_handles", None) or box.legendHandles  # the name before matplotlib 3.7
    legend = {t.get_text(): h.get_hatch() or "" for t, h in zip(box.get_texts(), handles)}
    assert legend["protobuf"] == "" and legend["protobuf compression=zstd"] not in ("", None)
    assert legend["flatbuffers compression=lz4"] != ""


def test_smoke_checks_want_the_raw_size_on_compressed_rows_only():
    good = [row("decode", "protobuf", "", "orders", 6.0, 1060, "zstd", raw=1373), row("decode", "protobuf", "", "orders", 6.0, 1373)]
    assert suite_serial.size_problems(good) == []
    missing = row("decode", "protobuf", "", "orders", 6.0, 1060, "lz4")
    extra = row("decode", "msgpack", "", "orders", 2.0, 1302, raw=1302)
    problems = suite_serial.size_problems([missing, extra])
    assert len(problems) == 2
    assert "compression=lz4: compressed, but raw_bytes_per_message is None" in problems[0]
    assert "not compressed, yet it has raw_bytes_per_message" in problems[1]


SERIAL_BINARY = pathlib.Path(__file__).resolve().parents[2] / "build" / "release" / "hotbench_serial"


@pytest.mark.skipif(not SERIAL_BINARY.exists(), reason="needs build/release/hotbench_serial")
def test_smoke_runs_the_bare_rows_and_holds_them_to_their_harness_twins(tmp_path):
    """The bare rows run (--hotbench_bare) and must report what their harness twins report; a twin missing
    from the smoke run, or reporting another size, is a problem."""
    assert len(suite_serial.bare_problems(SERIAL_BINARY, [], tmp_path)) == 2  # no twin for either row
    twin = {"benchmark": "serial/encode/flatbuffers/orders", "status": "ok", "wire_bytes_per_message": 1.0,
            "documents": 300.0, "input_bytes": 300.0}
    problems = suite_serial.bare_problems(SERIAL_BINARY, [twin], tmp_path)
    assert any(p.startswith("serial/encode_bare/flatbuffers/orders: wire_bytes_per_message") for p in problems)
    assert any(p.startswith("serial/decode_bare/flatbuffers/orders: no ok row") for p in problems)
