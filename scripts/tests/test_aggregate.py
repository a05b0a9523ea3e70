"""aggregate.py: one row per (benchmark, threads), and `report --aggregate`."""

import csv
import io
import json
import pathlib

import pytest

from hotbench import aggregate, cli, tidy

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "compare"
GBENCH = FIXTURES / "gbench-run1.json"


def gb_aggregate(doc, name, statistic, key="real_time"):
    return next(b[key] for b in doc["benchmarks"] if b["name"] == f"{name}_{statistic}")


def test_matches_google_benchmarks_own_aggregates():
    rows, _ = tidy.load_rows(GBENCH)
    agg = {r["benchmark"]: r for r in aggregate.aggregate_rows(rows)}
    doc = json.loads(GBENCH.read_text())
    name = "json/parse/rapidjson/catalog"
    r = agg[name]
    assert (r["n"], r["errors"], r["status"]) == (3, 0, "ok")
    assert r["real_time_ns_median"] == pytest.approx(gb_aggregate(doc, name, "median"))
    assert r["real_time_ns_mean"] == pytest.approx(gb_aggregate(doc, name, "mean"))
    assert r["real_time_ns_cv"] == pytest.approx(gb_aggregate(doc, name, "cv"))
    assert r["input_mb_per_s_median"] == pytest.approx(gb_aggregate(doc, name, "median", "bytes_per_second") / 1e6)
    assert r["allocs_per_op_cv"] == 0.0
    assert r["real_time_ns_min"] <= r["real_time_ns_median"] <= r["real_time_ns_max"]


def test_error_rows_are_counted_not_dropped():
    rows, _ = tidy.load_rows(GBENCH)
    broken = next(r for r in aggregate.aggregate_rows(rows) if r["benchmark"] == "json/parse/nlohmann/broken")
    assert (broken["n"], broken["errors"], broken["status"]) == (0, 3, "error")
    assert "broken.json" in broken["error_message"]
    assert not any(k.endswith("_median") for k in broken)


def row(benchmark, threads, rep, value, status="ok"):
    return {"schema_version": 1, "run_id": "r", "benchmark": benchmark, "threads": threads, "repetition": rep,
            "status": status, "error_message": "" if status == "ok" else "boom",
            "real_time_ns": value if status == "ok" else None}


def test_groups_by_benchmark_and_threads_in_order_of_appearance():
    rows = [row("b", 1, 0, 10.0), row("a", 1, 0, 5.0), row("b", 2, 0, 20.0), row("b", 1, 1, 12.0),
            row("b", 2, 1, 0.0, status="error")]
    agg = aggregate.aggregate_rows(rows)
    assert [(r["benchmark"], r["threads"]) for r in agg] == [("b", 1), ("a", 1), ("b", 2)]
    assert agg[0]["real_time_ns_median"] == 11.0 and agg[0]["n"] == 2
    assert agg[1]["real_time_ns_cv"] is None  # one repetition: no spread
    assert (agg[2]["n"], agg[2]["errors"]) == (1, 1)


def test_csv_column_order():
    rows, _ = tidy.load_rows(GBENCH)
    text = aggregate.to_csv_text(aggregate.aggregate_rows(rows))
    header = next(csv.reader(io.StringIO(text)))
    assert header[:14] == aggregate.IDENTITY + aggregate.COUNTS
    i = header.index("real_time_ns_median")
    assert header[i:i + 5] == [f"real_time_ns_{s}" for s in aggregate.STATISTICS]
    assert "repetition" not in header


def test_report_aggregate_writes_one_row_per_benchmark(tmp_path, capsys):
    out = tmp_path / "agg.csv"
    assert cli.main(["report", "--aggregate", str(GBENCH), "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["benchmark"] for r in rows] == ["json/parse/nlohmann/broken", "json/parse/rapidjson/catalog"]
    assert rows[1]["n"] == "3" and rows[0]["errors"] == "3"
    assert float(rows[1]["real_time_ns_median"]) > 0
