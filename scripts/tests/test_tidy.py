"""Raw Google Benchmark JSON (1.7.1, quirks included) -> the tidy CSV, and reading it back."""

import json
import pathlib

import pytest

from hotbench import cli, gbench, tidy
from hotbench.errors import BadInput

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def test_rows_skip_aggregates_and_keep_repetitions():
    doc = gbench.load(FIXTURES / "gbench-1.7.1-repetitions.json")
    rows = tidy.rows_from_gbench(doc, run_id="r")
    assert len(rows) == 4 * 3  # four benchmarks x three repetitions; mean/median/stddev/cv dropped
    assert {r["repetition"] for r in rows} == {0, 1, 2}
    r = next(r for r in rows if r["benchmark"] == "json/parse/simdjson:dom/social")
    assert (r["suite"], r["task"], r["library"], r["variant"], r["dataset"]) == (
        "json", "parse", "simdjson", "dom", "social")
    assert r["status"] == "ok" and r["real_time_ns"] > 0
    assert r["input_mb_per_s"] == pytest.approx(r["input_bytes"] / r["real_time_ns"] * 1e3, rel=0.02)
    assert r["label"].startswith("kernel=")
    assert r["number_mismatches"] == 0


def test_error_rows_are_kept_without_figures():
    rows = tidy.rows_from_gbench(gbench.load(FIXTURES / "gbench-1.7.1-error-row.json"), run_id="r")
    broken = [r for r in rows if r["dataset"] == "broken"]
    assert broken and broken[0]["status"] == "error"
    assert "broken.json: line 1, column 4 (byte 3)" in broken[0]["error_message"]
    assert broken[0].get("real_time_ns") is None
    assert any(r["dataset"] == "catalog" and r["status"] == "ok" for r in rows)


def test_time_units_are_converted_to_ns():
    doc = {"benchmarks": [{"name": "BM_x/threads:2", "run_name": "BM_x/threads:2", "run_type": "iteration",
                           "threads": 2, "iterations": 10, "real_time": 1.5, "cpu_time": 3.0, "time_unit": "ms",
                           "items_per_second": 5.0}]}
    (row,) = tidy.rows_from_gbench(doc, run_id="r")
    assert row["benchmark"] == "BM_x" and row["threads"] == 2 and row["suite"] == ""
    assert row["real_time_ns"] == 1.5e6 and row["cpu_time_ns"] == 3e6
    assert row["items_per_second"] == 5.0  # a foreign counter keeps its name


def test_base_name_strips_google_benchmark_suffixes():
    assert gbench.base_name({"name": "json/parse/x/y/iterations:100/repeats:3"}) == "json/parse/x/y"
    assert gbench.base_name({"name": "a/b/min_time:0.500/real_time"}) == "a/b"


def test_csv_round_trip(tmp_path):
    rows = tidy.rows_from_gbench(gbench.load(FIXTURES / "gbench-1.7.1-repetitions.json"), run_id="r")
    path = tmp_path / "results.csv"
    tidy.write_csv(path, rows)
    back = tidy.read_csv(path)
    assert len(back) == len(rows)
    for a, b in zip(rows, back):
        assert b["benchmark"] == a["benchmark"] and b["repetition"] == a["repetition"]
        assert b["real_time_ns"] == pytest.approx(a["real_time_ns"])
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"),
    ('{"benchmarks": [', "invalid JSON"),
    ('{"context": {}}', "not Google Benchmark JSON"),
    ('{"benchmarks": [{"name": "x", "run_type": "iteration"}]}', "missing or non-numeric 'real_time'"),
])
def test_bad_json_names_the_file_and_problem(tmp_path, content, message):
    path = tmp_path / "raw.json"
    path.write_text(content)
    with pytest.raises(BadInput, match=message) as e:
        tidy.load_rows(path)
    assert str(path) in str(e.value)


@pytest.mark.parametrize("content, message", [
    ("a,b\n1,2\n", "missing column"),
    ("schema_version,benchmark,status,real_time_ns\n2,x,ok,1\n", "schema version '2'"),
    ("schema_version,benchmark,status,real_time_ns\n1,x,ok,fast\n", "line 2: column 'real_time_ns'"),
    ("schema_version,benchmark,status,real_time_ns\n1,x,ok\n", "line 2: expected 4 fields"),
    ("schema_version,benchmark,status,real_time_ns\n1,x,maybe,1\n", "neither 'ok' nor 'error'"),
    ("schema_version,benchmark,status,real_time_ns\n", "no benchmark rows"),
])
def test_bad_csv_names_the_file_line_and_problem(tmp_path, content, message):
    path = tmp_path / "results.csv"
    path.write_text(content)
    with pytest.raises(BadInput, match=message):
        tidy.load_rows(path)


def test_incomplete_result_set_is_refused_unless_allowed(tmp_path):
    rows = tidy.rows_from_gbench(gbench.load(FIXTURES / "gbench-1.7.1-repetitions.json"), run_id="r")
    tidy.write_csv(tmp_path / "results.csv", rows)
    (tmp_path / "INCOMPLETE").write_text("")
    with pytest.raises(BadInput, match="INCOMPLETE"):
        tidy.load_rows(tmp_path)
    assert len(tidy.load_rows(tmp_path, allow_incomplete=True)[0]) == len(rows)


def test_report_cli_converts_plain_google_benchmark_json(tmp_path, capsys):
    out = tmp_path / "tidy.csv"
    assert cli.main(["report", str(FIXTURES / "gbench-1.7.1-repetitions.json"), "-o", str(out)]) == 0
    assert len(tidy.read_csv(out)) == 12


def test_report_cli_bad_input_is_one_line_and_exit_3(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert cli.main(["report", str(bad)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("hotbench: error: ") and str(bad) in err and "Traceback" not in err
    assert err.count("\n") == 1
