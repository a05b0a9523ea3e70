"""What each serial format promised and did, drawn from real rows: fixtures/serial_outcomes is the result set
(results.csv and metadata.json, with the suite's recorded description) of the release binary's rows that
carry no time, `python3 -m hotbench run --suite serial --filter '^serial/(evolution|malformed)/'`
(docs/serial.md, Schema evolution). Also the generic rule for such rows: a row with `untimed` = 1 has no
timings in the tidy CSV, no per-task figure, and smoke holds it to that."""

import copy
import pathlib

import pytest

from hotbench import html_report, plot, smoke, tidy
from hotbench.suites import serial as suite_serial

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "serial_outcomes"


@pytest.fixture(scope="module")
def real():
    return tidy.load_rows(FIXTURE)


def figures(rows, meta):
    plots, notes = plot.build_plots(rows, meta, caption_in_figure=False)
    return {p.name: p for p in plots}, notes


def declared_words(meta, metric):
    """{code: words} as the recorded description declares them, read here on its own."""
    described = meta["suites"]["serial"]["description"]
    meaning = next(m["meaning"] for m in described["metrics"] if m["name"] == metric)
    pairs = meaning.partition("codes: ")[2].split("; ")
    return {int(p.split(" = ")[0]): p.split(" = ", 1)[1] for p in pairs}


def test_the_fixture_is_a_real_run_of_rows_that_carry_no_time(real):
    rows, meta = real
    assert {r["task"] for r in rows} == {"evolution", "malformed"}
    assert all(r["status"] == "ok" for r in rows)
    assert all(r["untimed"] == 1 and r.get("real_time_ns") is None and r.get("cpu_time_ns") is None for r in rows)
    implementations = {plot.implementation(r) for r in rows if r["task"] == "malformed"}
    assert {"protobuf", "flatbuffers", "capnproto:packed", "thrift:compact", "msgpack", "cereal:binary",
            "boost_serialization"} <= implementations
    assert meta["suites"]["serial"]["description"]["suite"] == "serial"


def test_the_evolution_table_says_what_each_row_says(real):
    rows, meta = real
    made, notes = figures(rows, meta)
    table = made["serial_evolution_outcomes"].table
    evolution = [r for r in rows if r["task"] == "evolution"]
    assert len(table.rows) == len({r["benchmark"] for r in evolution})
    words = {c: declared_words(meta, c) for c in ("old_reader_new_bytes", "new_reader_old_bytes",
                                                    "old_reader_promise", "new_reader_promise")}
    for r in evolution:
        mapping = plot.row_params(r).get("mapping", "")
        cells = next(t for t in table.rows if t[:3] == [plot.implementation(r), r["dataset"], mapping])
        assert cells[3:7] == [words["old_reader_new_bytes"][int(r["old_reader_new_bytes"])],
                              words["new_reader_old_bytes"][int(r["new_reader_old_bytes"])],
                              words["old_reader_promise"][int(r["old_reader_promise"])],
                              words["new_reader_promise"][int(r["new_reader_promise"])]]
        assert cells[7] == r["label"]
    by_name = {tuple(t[:3]): (t, k) for t, k in zip(table.rows, table.kinds)}
    protobuf, kind = by_name[("protobuf", "basket", "")]
    assert protobuf[3:7] == ["reads (extra field skipped)", "reads (default)", "promise", "promise"] and kind == "ok"
    collision, kind = by_name[("cereal:binary", "basket_collision", "")]
    assert collision[3] == "misread (wrong values, no error)" and collision[5] == "accident" and kind == "partial"
    assert "(decoded != reference)" in collision[7]
    adapter, _ = by_name[("msgpack", "basket", "")]
    assert adapter[3:7] == ["refused (error)", "refused (error)", "the suite's choice", "the suite's choice"]
    # no per-task figure of time for these rows: a note says why
    assert not {"serial_evolution", "serial_malformed"} & set(made)
    assert sorted(n for n in notes if "carry no time" in n) == [
        "serial/evolution: no per-task figure: its rows carry no time (untimed = 1: counts of outcomes)",
        "serial/malformed: no per-task figure: its rows carry no time (untimed = 1: counts of outcomes)"]


def test_a_broken_promise_is_red_and_a_failed_row_is_listed(real):
    rows, meta = real
    broken = copy.deepcopy(rows)
    protobuf = next(r for r in broken if r["task"] == "evolution" and r["library"] == "protobuf")
    protobuf["old_reader_new_bytes"] = 1.0  # refused, where protobuf promises to skip the field
    failed = dict(next(r for r in broken if r["task"] == "evolution" and r["library"] == "flatbuffers"))
    for column in ("old_reader_new_bytes", "new_reader_old_bytes", "old_reader_promise", "new_reader_promise"):
        failed.pop(column)
    failed.update(status="error", error_message="flatbuffers: v1 does not read its own bytes", label="")
    broken = [r for r in broken if r["benchmark"] != failed["benchmark"]] + [failed]
    made, _ = figures(broken, meta)
    evolution = made["serial_evolution_outcomes"]
    by_name = {tuple(t[:3]): k for t, k in zip(evolution.table.rows, evolution.table.kinds)}
    assert by_name[("protobuf", "basket", "")] == "error" and by_name[("flatbuffers", "basket", "")] == "error"
    texts = [t.get_text() for t in evolution.figure.axes[0].texts]
    assert "refused (error): promise (BROKEN)" in texts and "error: no outcome" in texts
    assert any("v1 does not read its own bytes" in e for e in evolution.errors)


def test_the_malformed_table_has_every_rows_counts(real):
    rows, meta = real
    made, _ = figures(rows, meta)
    malformed = made["serial_malformed_outcomes"]
    mine = [r for r in rows if r["task"] == "malformed"]
    assert len(malformed.table.rows) == len(mine) == len({r["benchmark"] for r in mine})  # one repetition each
    for r in mine:
        cells = next(t for t in malformed.table.rows if t[:2] == [plot.implementation(r), r["dataset"]])
        want = [plot.format_value(r[f"{kind}{suffix}"]) for kind in ("truncations", "bit_flips")
                for suffix in ("", "_refused", "_decode_refused", "_accepted")]
        assert cells[2:10] == want and cells[-1] == "ok"
        # every input refused (by validate, or by decode after it) or accepted as a value that survives its
        # round trip: nothing else on an ok row
        for kind in ("truncations", "bit_flips"):
            assert r[f"{kind}_refused"] + r[f"{kind}_decode_refused"] + r[f"{kind}_accepted"] == r[kind]
    # Cap'n Proto's validate (its traversal) checks the structure, not which kind of list a field points to
    capnp = next(r for r in mine if r["library"] == "capnproto" and r["variant"] == "")
    assert capnp["bit_flips_decode_refused"] > 0
    from test_plot_reference import empty_panels
    assert empty_panels([malformed, made["serial_evolution_outcomes"]]) == []


def test_the_report_shows_both_tables(real):
    rows, meta = real
    page = html_report.render_report(rows, meta, FIXTURE)
    assert "serial: schema evolution, what each format promised and did" in page
    assert "serial: malformed input, refused or read as a valid message" in page
    assert "misread (wrong values, no error)" in page


def test_a_row_with_untimed_has_no_timings_and_smoke_holds_it_to_that():
    entry = {"name": "s/t/l/d", "run_type": "iteration", "iterations": 1, "real_time": 120.0, "cpu_time": 110.0,
             "time_unit": "ns", "untimed": 1, "truncations": 10}
    untimed, = tidy.rows_from_gbench({"benchmarks": [entry]}, "r")
    timed, = tidy.rows_from_gbench({"benchmarks": [{**entry, "untimed": None}]}, "r")
    assert untimed.get("real_time_ns") is None and untimed["truncations"] == 10 and tidy.is_untimed(untimed)
    assert timed["real_time_ns"] == 120.0 and not tidy.is_untimed(timed)
    description = {"benchmarks": 1, "tasks": [{"name": "t", "benchmarks": 1}],
                   "metrics": [{"name": n} for n in ("iterations", "untimed", "truncations", "real_time_ns",
                                                     "cpu_time_ns")]}
    assert smoke.row_problems([untimed], ["s/t/l/d"], description, {}) == []
    assert smoke.row_problems([{**untimed, "real_time_ns": 5.0}], ["s/t/l/d"], description, {}) == [
        "s/t/l/d: carries no time (untimed = 1), yet has timings"]
