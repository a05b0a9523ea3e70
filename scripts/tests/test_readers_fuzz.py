"""Every reader turns any byte string into a result or one BadInput line naming the file and the place.

Property-based (hypothesis, derandomized so CI sees the same examples every time): random bytes, and
mutations of the valid fixture files: truncation, byte flips, non-UTF-8 bytes, deep nesting `[[[[...`,
huge and non-finite numbers (1e400, a 400-digit integer, NaN, Infinity), and for CSV duplicated,
missing and empty header columns and nan/inf/1e400 in numeric columns. The readers are
gbench.load (Google Benchmark JSON), tidy.read_csv (the tidy CSV), tidy.read_metadata and
tidy.load_rows (a result set: metadata.json + results.csv; raw/*.json are Google Benchmark JSON).
Beyond the readers, `compare` and `report --aggregate` must exit 0 or 3 on whatever was read, never
5 (a crash caught by cli.py) and never a traceback.

Old code failed these with RecursionError, OverflowError (threads: 1e400), ValueError (int(nan) in an
integer CSV column, a 5000-digit integer) and csv.Error (a NUL byte) escaping as tracebacks.
"""

import json
import pathlib
import re
import tempfile

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hotbench import cli, compare, gbench, tidy
from hotbench.errors import BadInput

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
GBENCH_FILES = [FIXTURES / "gbench-1.7.1-repetitions.json", FIXTURES / "gbench-1.7.1-error-row.json",
                FIXTURES / "compare" / "gbench-run1.json"]
CSV_FILE = FIXTURES / "plot" / "results.csv"
META_FILE = FIXTURES / "plot" / "metadata.json"

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FUZZ_CLI = settings(FUZZ, max_examples=60)

# Tokens planted in place of a number or a cell.
BAD_NUMBERS = [b"1e400", b"-1e400", b"NaN", b"Infinity", b"-Infinity", b"9" * 400, b"9" * 5000, b"-1", b"0.5",
               b"1e-400", b"true", b"null", b'"7"', b"[]", b"{}"]
BAD_CELLS = [b"nan", b"inf", b"-inf", b"1e400", b"NaN", b"9" * 5000, b"3.5", b"-1", b"0x10", b"", b"\x00",
             b'"', b'"unterminated', b"1_000", b"\xff\xfe", b"\xed\xa0\x80"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """scratch(prefix): a new folder for one example. tempfile's, inside one folder of pytest's: pytest 7.2
    numbers each folder it makes by listing every one made before, and the examples make some 1,300 of
    them (8 CPU-s of listing for this file and every file after it)."""
    root = tmp_path_factory.mktemp("readers-fuzz")
    return lambda prefix: pathlib.Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=root))


def check_reader(reader, path: pathlib.Path, data: bytes):
    """The property: a result, or BadInput that is one line starting with the file's name."""
    path.write_bytes(data)
    try:
        return reader(path)
    except BadInput as e:
        message = str(e)
        assert message.startswith(str(path)), message
        assert "\n" not in message and len(message) < 2000, message
        return None


# ---------------------------------------------------------------- mutations

@st.composite
def mutated(draw, original: bytes, numbers=BAD_NUMBERS, csv_like=False):
    """One or a few edits of a valid file."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "number", "nest", "non-utf8", "delete"]
                                    + (["header-dup", "header-drop", "header-empty", "cell"] if csv_like else [])))
        n = len(data)
        at = draw(st.integers(0, max(n - 1, 0)))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip" and n:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "non-utf8":
            data[at:at] = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"]))
        elif kind == "nest":
            depth = draw(st.sampled_from([10, 1000, 100_000]))
            data[at:at] = b"[" * depth + (b"]" * depth if draw(st.booleans()) else b"")
        elif kind == "number":
            spans = [m.span() for m in re.finditer(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", bytes(data))]
            if spans:
                lo, hi = draw(st.sampled_from(spans))
                data[lo:hi] = draw(st.sampled_from(numbers))
        elif kind == "cell":
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(1, max(len(lines) - 1, 1))) if len(lines) > 1 else 0
            cells = lines[i].split(b",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(numbers))
            lines[i] = b",".join(cells)
            data = bytearray(b"\n".join(lines))
        elif kind.startswith("header"):
            head, sep, rest = bytes(data).partition(b"\n")
            cols = head.split(b",")
            j = draw(st.integers(0, len(cols) - 1))
            if kind == "header-dup":
                cols.insert(draw(st.integers(0, len(cols))), cols[j])
            elif kind == "header-drop":
                del cols[j]
            else:
                cols[j] = b""
            data = bytearray(b",".join(cols) + sep + rest)
    return bytes(data)


# ---------------------------------------------------------------- Google Benchmark JSON

@FUZZ
@given(data=st.binary(max_size=400))
@example(data=b"[" * 100_000)  # RecursionError on the old reader
@example(data=b'{"benchmarks": [{"name": "x", "run_type": "iteration", "threads": 1e400, '
              b'"real_time": 1, "cpu_time": 1, "iterations": 1}]}')  # OverflowError on the old reader
@example(data=b'{"benchmarks": [], "context": ' + b"9" * 5000 + b"}")  # ValueError (int digits)
@example(data=b'{"benchmarks": [{"name": "\\ud800", "real_time": 1, "cpu_time": 1, "iterations": 1}]}')
def test_gbench_random_bytes(scratch, data):
    check_reader(gbench.load, scratch("g") / "raw.json", data)


@pytest.mark.parametrize("fixture", GBENCH_FILES, ids=lambda p: p.name)
def test_gbench_mutations(scratch, fixture):
    @FUZZ
    @given(data=mutated(fixture.read_bytes()))
    def prop(data):
        doc = check_reader(gbench.load, scratch("g") / "raw.json", data)
        if doc is not None:  # accepted documents turn into rows without surprises
            for row in tidy.rows_from_gbench(doc, run_id="x"):
                assert isinstance(row["threads"], int) and isinstance(row["benchmark"], str)
    prop()


@pytest.mark.parametrize("text, place", [
    ('{"benchmarks": [' + "[" * 50_000, "nested too deeply"),
    ('{"benchmarks": [{"name": "b", "threads": 1e400, "real_time": 1, "cpu_time": 1, "iterations": 1}]}',
     r"benchmarks\[0\] \(b\): threads: expected a whole number"),
    ('{"benchmarks": [{"name": "b", "real_time": NaN, "cpu_time": 1, "iterations": 1}]}',
     r"benchmarks\[0\] \(b\): 'real_time' must be finite"),
    ('{"benchmarks": [{"name": "b", "real_time": 1, "cpu_time": 1, "iterations": ' + "9" * 400 + "}]}",
     r"benchmarks\[0\] \(b\): 'iterations' must be finite"),
    ('{"benchmarks": [], "context": []}', "context: expected an object"),
    ('{"benchmarks": [{"name": "b", "label": 5}]}', r"benchmarks\[0\] \(b\): 'label' must be a string"),
    ('{"benchmarks": [{"name": "\\udc00"}]}', r"benchmarks\[0\]\.name: a string with an unpaired surrogate"),
    ('{"benchmarks": [], "x": ' + "1" * 5000 + "}", "invalid JSON: Exceeds the limit"),
])
def test_gbench_names_the_place(tmp_path, text, place):
    path = tmp_path / "raw.json"
    path.write_text(text)
    with pytest.raises(BadInput, match=re.escape(str(path)) + ": .*" + place):
        gbench.load(path)


def test_gbench_non_finite_counter_is_an_empty_cell_not_a_crash(tmp_path):
    path = tmp_path / "raw.json"
    path.write_text('{"benchmarks": [{"name": "b", "real_time": 1, "cpu_time": 1, "iterations": 1, '
                    '"bytes_per_second": Infinity, "huge": ' + "9" * 400 + ', "ok": 2}]}')
    (row,) = tidy.rows_from_gbench(gbench.load(path), run_id="x")
    assert "input_mb_per_s" not in row and "huge" not in row and row["ok"] == 2


def test_gbench_counter_may_not_overwrite_a_column(tmp_path):
    path = tmp_path / "raw.json"
    path.write_text('{"benchmarks": [{"name": "b", "real_time": 1, "cpu_time": 1, "iterations": 1, "status": 3}]}')
    with pytest.raises(BadInput, match="a counter named 'status' would overwrite"):
        tidy.load_rows(path)


# ---------------------------------------------------------------- tidy CSV

@FUZZ
@given(data=st.binary(max_size=400))
@example(data=b"schema_version,benchmark,status,threads\n1,b,ok,inf\n")  # OverflowError on the old reader
@example(data=b"schema_version,benchmark,status,threads\n1,b,ok,nan\n")  # ValueError on the old reader
@example(data=b'schema_version,benchmark,status\n1,"' + b"x" * 200_000 + b'",ok\n')  # csv.Error on the old reader
def test_csv_random_bytes(scratch, data):
    check_reader(tidy.read_csv, scratch("c") / "results.csv", data)


@FUZZ
@given(data=mutated(CSV_FILE.read_bytes(), BAD_CELLS, csv_like=True))
def test_csv_mutations(scratch, data):
    rows = check_reader(tidy.read_csv, scratch("c") / "results.csv", data)
    for row in rows or []:
        assert set(tidy.IDENTITY + tidy.STATUS) <= set(row)
        for key, value in row.items():
            if key in tidy.INT_COLUMNS:
                assert value is None or isinstance(value, int)
            elif key not in tidy.STRING_COLUMNS:
                assert value is None or (isinstance(value, float) and abs(value) < float("inf"))


@pytest.mark.parametrize("text, place", [
    ("schema_version,benchmark,status,threads\n1,b,ok,inf\n", "line 2: column 'threads': 'inf' is not a whole"),
    ("schema_version,benchmark,status,threads\n1,b,ok,1e400\n", "line 2: column 'threads': '1e400' is not a whole"),
    ("schema_version,benchmark,status,process\n1,b,ok,nan\n", "line 2: column 'process': 'nan' is not a whole"),
    ("schema_version,benchmark,status,real_time_ns\n1,b,ok,1\n1,b,ok,nan\n",
     "line 3: column 'real_time_ns': 'nan' is not a finite number"),
    ("schema_version,benchmark,status,real_time_ns\n1,b,ok,1e400\n", "line 2: column 'real_time_ns': '1e400' is not a finite"),
    ("schema_version,benchmark,status,status\n1,b,ok,ok\n", "line 1, column 4: column 'status' appears twice"),
    ("schema_version,benchmark,,status\n1,b,x,ok\n", "line 1, column 3: an empty column name"),
    ("schema_version,benchmark,status\n1,b,ok\n1,\"" + "x" * 200_000 + "\",ok\n", "line 3: not CSV (field larger"),
    ("schema_version,benchmark\n1,b\n", "line 1: not a hotbench results CSV"),
])
def test_csv_names_the_place(tmp_path, text, place):
    path = tmp_path / "results.csv"
    path.write_text(text)
    with pytest.raises(BadInput, match=re.escape(f"{path}: {place}")):
        tidy.read_csv(path)


def test_csv_keeps_normal_input_and_fills_missing_columns(tmp_path):
    rows = tidy.read_csv(CSV_FILE)
    assert rows and all(isinstance(r["threads"], int) for r in rows)
    assert all(isinstance(r["real_time_ns"], float) for r in rows if r["status"] == "ok")
    path = tmp_path / "r.csv"
    path.write_text("\ufeffschema_version,benchmark,status,threads,x\n1,b,ok,2.0,\n")
    (row,) = tidy.read_csv(path)
    assert row["threads"] == 2 and row["x"] is None and row["suite"] == "" and row["process"] is None


# ---------------------------------------------------------------- result sets (metadata.json + results.csv)

@FUZZ
@given(data=mutated(META_FILE.read_bytes()))
@example(data=json.dumps({"datasets": [{"name": "x", "sha256": 5}]}).encode())  # TypeError on slicing an int
@example(data=b'{"machine": ' + b"[" * 100_000)
def test_metadata_mutations(scratch, data):
    check_reader(tidy.read_metadata, scratch("m") / "metadata.json", data)


@pytest.mark.parametrize("meta, place", [
    ({"datasets": [{"name": "x", "sha256": 5}]}, "datasets[0].sha256: expected a string"),
    ({"suites": {"cache": {"benchmark_context": []}}}, "suites.cache.benchmark_context: expected an object"),
    ({"machine": "xeon"}, "machine: expected an object"),
    ([1, 2], "top level: expected an object"),
])
def test_metadata_names_the_json_path(tmp_path, meta, place):
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(meta))
    with pytest.raises(BadInput, match=re.escape(f"{path}: {place}")):
        tidy.read_metadata(path)


def result_set(root: pathlib.Path, csv_bytes: bytes, meta_bytes: bytes) -> pathlib.Path:
    root.mkdir()
    (root / "results.csv").write_bytes(csv_bytes)
    (root / "metadata.json").write_bytes(meta_bytes)
    return root


def exit_code_of(capsys, *argv) -> int:
    code = cli.main(list(map(str, argv)))
    _, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 3:
        assert len(err.strip().splitlines()) == 1, err
    return code


@FUZZ_CLI
@given(csv_bytes=mutated(CSV_FILE.read_bytes(), BAD_CELLS, csv_like=True), meta_bytes=mutated(META_FILE.read_bytes()),
       which=st.sampled_from(["csv", "meta", "both"]))
def test_result_set_through_compare_and_report(scratch, capsys, csv_bytes, meta_bytes, which):
    good_csv, good_meta = CSV_FILE.read_bytes(), META_FILE.read_bytes()
    root = scratch("rs")
    a = result_set(root / "a", good_csv, good_meta)
    b = result_set(root / "b", csv_bytes if which != "meta" else good_csv, meta_bytes if which != "csv" else good_meta)
    assert exit_code_of(capsys, "compare", a, b, "--force") in (0, 3)
    assert exit_code_of(capsys, "report", b, "--aggregate") in (0, 3)


@FUZZ_CLI
@given(data=mutated(GBENCH_FILES[2].read_bytes()))
def test_gbench_through_compare_and_report(scratch, capsys, data):
    path = scratch("g") / "raw.json"
    path.write_bytes(data)
    assert exit_code_of(capsys, "compare", GBENCH_FILES[2], path, "--force") in (0, 3)
    assert exit_code_of(capsys, "report", path, "--aggregate") in (0, 3)


# ---------------------------------------------------------------- the A/A noise floor (compare --noise-floor)

@FUZZ
@given(data=mutated(b"benchmark,aa_pairs,max_abs_log_ratio,p95_abs_ratio_change\n"
                    b"json/parse/boost_json/orders,13,0.4930,0.3492\njson/parse/nlohmann/social,13,0.5350,0.4631\n",
                    BAD_CELLS, csv_like=True))
def test_noise_floor_mutations(scratch, data):
    floor = check_reader(compare.noise_floor, scratch("n") / "noise_floor.csv", data)
    assert floor is None or all(0 <= v < float("inf") for v in floor.values())
