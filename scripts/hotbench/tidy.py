"""Raw Google Benchmark JSON -> the tidy CSV of docs/results-format.md, and back.

`rows_from_gbench` turns one raw document into rows (one per benchmark per repetition);
`write_csv` / `read_csv` store them; `load_rows` reads whatever a user points at: a result set
directory, a tidy CSV, or a plain Google Benchmark JSON file.
"""

import csv
import io
import json
import math
import pathlib

from . import SCHEMA_VERSION, atomic, gbench
from .errors import BadInput, read_input_text

IDENTITY = ["schema_version", "run_id", "benchmark", "suite", "task", "library", "variant", "dataset",
            "params", "threads", "repetition", "process"]
STATUS = ["status", "error_message", "label"]
# The metric columns made from Google Benchmark's own fields, in every ok row (the times empty in a row that
# carries no time, below). The others are the counters the benchmarks report, each in a column of its own
# name (the suites declare them: metrics.py), after these in alphabetical order.
TIMINGS = ["iterations", "real_time_ns", "cpu_time_ns"]
# The harness's counter of a row that carries no time (bench/harness/case.h, Clock::none): its figures are
# counts of what its check found, and Google Benchmark's time of its empty loop is no measurement.
UNTIMED = "untimed"
COLUMNS = IDENTITY + STATUS + TIMINGS

# Raw counter name -> (column, factor). Everything else is copied under its own name.
_RENAMED = {
    "bytes_per_second": ("input_mb_per_s", 1e-6),
    "output_bytes_per_second": ("output_mb_per_s", 1e-6),
    "documents_per_second": ("documents_per_s", 1.0),
}
_GBENCH_FIELDS = {"name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
                  "repetition_index", "threads", "iterations", "real_time", "cpu_time", "time_unit", "label",
                  "error_occurred", "error_message", "aggregate_name", "aggregate_unit"}
INT_COLUMNS = {"schema_version", "threads", "repetition", "process"}
_NOT_COUNTERS = set(IDENTITY) | set(STATUS) | set(TIMINGS)
STRING_COLUMNS = {"run_id", "benchmark", "suite", "task", "library", "variant", "dataset", "params", "status",
                  "error_message", "label"}


def rows_from_gbench(doc: dict, run_id: str, process: int = 0, source="") -> list[dict]:
    """Rows of a document gbench.load accepted; `source` names it in errors."""
    rows = []
    for entry in doc["benchmarks"]:
        if entry.get("run_type", "iteration") != "iteration":
            continue  # aggregates are recomputed from the repetitions
        name = gbench.base_name(entry)
        row = {"schema_version": SCHEMA_VERSION, "run_id": run_id, "benchmark": name, **gbench.split_name(name),
               # gbench.load checked both are whole numbers in range
               "threads": int(entry.get("threads", 1)), "repetition": int(entry.get("repetition_index", 0)),
               "process": process, "label": entry.get("label", "")}
        if entry.get("error_occurred"):
            row.update(status="error", error_message=entry.get("error_message", "") or "unknown error")
            rows.append(row)
            continue
        unit = gbench.TIME_UNIT_NS[entry.get("time_unit", "ns")]
        row.update(status="ok", error_message="", iterations=entry["iterations"])
        if entry.get(UNTIMED) != 1:
            row.update(real_time_ns=entry["real_time"] * unit, cpu_time_ns=entry["cpu_time"] * unit)
        for key, value in entry.items():
            if key in _GBENCH_FIELDS or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            column, factor = _RENAMED.get(key, (key, 1.0))
            if column in _NOT_COUNTERS or not column.strip():
                raise BadInput(f"{source}: benchmarks ({entry['name'][:200]}): a counter named {key!r} "
                               "would overwrite a column of the tidy CSV")
            value = _finite(value)
            if value is not None:  # NaN, inf (1e400) or an integer beyond float: no figure, the cell stays empty
                row[column] = value * factor
        rows.append(row)
    return rows


def is_untimed(row: dict) -> bool:
    """A row that carries no time: no figure, answer or gate reads a time from it."""
    return row.get(UNTIMED) == 1


def _finite(value) -> float | int | None:
    try:
        return value if math.isfinite(value) else None
    except OverflowError:  # an int too large for a float
        return None


def format_value(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    return str(value)


def to_csv_text(rows: list[dict]) -> str:
    extra = sorted({k for r in rows for k in r} - set(COLUMNS))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS + extra, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: format_value(r.get(k)) for k in COLUMNS + extra})
    return out.getvalue()


def write_csv(path: pathlib.Path, rows: list[dict]) -> None:
    atomic.write_text(path, to_csv_text(rows))


def read_csv(path: pathlib.Path) -> list[dict]:
    """The rows of a tidy CSV. Every row has every identity and status column (a column the file lacks
    reads as "" for text, None for numbers); numbers are finite floats, whole-number columns ints.
    Anything else is BadInput naming the file, the line and the column."""
    path = pathlib.Path(path)
    text = read_input_text(path).removeprefix("\ufeff")  # a byte-order mark some editors write
    reader = csv.reader(io.StringIO(text))
    line = 1
    try:
        header = next(reader, [])
        _check_header(path, header)
        rows = []
        for fields in reader:
            line = reader.line_num
            if not fields:
                continue  # a blank line (DictReader skips them too)
            if len(fields) != len(header):
                raise BadInput(f"{path}: line {line}: expected {len(header)} fields, found {len(fields)}; "
                               "truncated or malformed row")
            rows.append(_row(path, line, header, fields))
    except csv.Error as e:  # a NUL byte, a field beyond csv.field_size_limit(), an unterminated quote...
        raise BadInput(f"{path}: line {reader.line_num or line}: not CSV ({e})") from None
    return rows


def _check_header(path, header: list[str]) -> None:
    missing = [c for c in ("schema_version", "benchmark", "status") if c not in header]
    if missing:
        raise BadInput(f"{path}: line 1: not a hotbench results CSV (missing column(s) {', '.join(missing)})")
    seen = set()
    for column, name in enumerate(header, start=1):
        if not name.strip():
            raise BadInput(f"{path}: line 1, column {column}: an empty column name")
        if name in seen:
            raise BadInput(f"{path}: line 1, column {column}: column {name[:100]!r} appears twice")
        seen.add(name)


def _row(path, line: int, header: list[str], fields: list[str]) -> dict:
    raw = dict(zip(header, fields))
    if raw["schema_version"] != str(SCHEMA_VERSION):
        raise BadInput(f"{path}: line {line}: schema version {raw['schema_version'][:40]!r}; "
                       f"this tool reads version {SCHEMA_VERSION}")
    if raw["status"] not in ("ok", "error"):
        raise BadInput(f"{path}: line {line}: status {raw['status'][:40]!r} is neither 'ok' nor 'error'")
    row = {key: None if key in INT_COLUMNS else "" for key in IDENTITY + STATUS}
    row.update((key, _parse_value(path, line, key, value)) for key, value in raw.items())
    return row


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


# Whole-number columns and their ranges (gbench.MAX_THREADS: a larger count is corrupt input).
_INT_RANGES = {"schema_version": (0, gbench.MAX_INDEX), "threads": (1, gbench.MAX_THREADS),
               "repetition": (0, gbench.MAX_INDEX), "process": (0, gbench.MAX_INDEX)}


def _parse_value(path, line, key, value):
    if key in STRING_COLUMNS:
        return value
    if value == "":
        return None
    where = f"{path}: line {line}: column {key[:100]!r}"
    if key in INT_COLUMNS:
        low, high = _INT_RANGES[key]
        number = _float_or_none(value)  # "3" or "3.0" (a spreadsheet's export), never "3.5", "nan" or "1e400"
        if number is None or not math.isfinite(number) or number != int(number) or not low <= number <= high:
            raise BadInput(f"{where}: {value[:40]!r} is not a whole number from {low} to {high}")
        return int(number)
    number = _float_or_none(value)
    if number is None:
        raise BadInput(f"{where}: {value[:40]!r} is not a number")
    if not math.isfinite(number):  # nan, inf, 1e400: the writer leaves such cells empty
        raise BadInput(f"{where}: {value[:40]!r} is not a finite number")
    return number


# The layout of metadata.json (docs/results-format.md) as far as any tool reads it: key -> type, a nested
# layout, or [layout] for a list of them; "*" stands for any key. Every value may also be null (unknown).
# Keys not listed are free-form and carried along unread.
_METADATA_LAYOUT = {
    "schema_version": int, "run_id": str, "complete": bool, "started_utc": str, "finished_utc": str,
    "command": [str], "profile": str, "benchmark_args": [str], "git": {"commit": str, "dirty": bool},
    "machine": {"cpu_model": str, "logical_cpus": int, "caches": list, "kernel": str, "hostname_hash": str},
    "build": {"binary": str, "build_type": str, "cxx_flags": str, "compiler": str, "benchmark_library_build_type": str},
    "libraries": dict, "debian_packages": dict,
    "datasets": [{"name": str, "path": str, "bytes": int, "sha256": str}],
    "suites": {"*": {"command": [str], "processes": int, "benchmark_context": dict, "description": dict}},
}
_TYPE_NAMES = {int: "a whole number", str: "a string", bool: "true or false", list: "a list", dict: "an object"}


def read_metadata(path: pathlib.Path) -> dict:
    """A result set's metadata.json: BadInput naming the file and the JSON path of anything out of layout."""
    meta = gbench.parse_json_text(path, read_input_text(path))
    _check_layout(path, meta, _METADATA_LAYOUT, "")
    return meta


def _check_layout(path, value, layout, where: str) -> None:
    if value is None and where:
        return
    if isinstance(layout, dict):
        if not isinstance(value, dict):
            raise BadInput(f"{path}: {where or 'top level'}: expected an object: not the metadata layout of docs/results-format.md")
        for key, item in value.items():
            sub = layout.get(key, layout.get("*"))
            if sub is not None:
                _check_layout(path, item, sub, f"{where}.{key}" if where else key)
    elif isinstance(layout, list):
        if not isinstance(value, list):
            raise BadInput(f"{path}: {where}: expected a list: not the metadata layout of docs/results-format.md")
        for i, item in enumerate(value):
            _check_layout(path, item, layout[0], f"{where}[{i}]")
    elif not isinstance(value, layout) or (layout is int and isinstance(value, bool)):
        raise BadInput(f"{path}: {where}: expected {_TYPE_NAMES[layout]}, got {json.dumps(value)[:60]}: "
                       "not the metadata layout of docs/results-format.md")


def load_rows(path, allow_incomplete: bool = False) -> tuple[list[dict], dict]:
    """Rows and metadata from a result set directory, a tidy CSV, or a Google Benchmark JSON file."""
    path = pathlib.Path(path)
    try:
        return _load_rows(path, allow_incomplete)
    except OSError as e:  # a path too long, a folder we may not list, an I/O error...
        raise BadInput(f"{path}: cannot read: {e.strerror or e}") from None


def _load_rows(path: pathlib.Path, allow_incomplete: bool) -> tuple[list[dict], dict]:
    if path.is_dir():
        if (path / "INCOMPLETE").exists() and not allow_incomplete:
            raise BadInput(f"{path}: this result set is marked INCOMPLETE (the run was interrupted or failed); "
                           "pass --allow-incomplete to read it anyway")
        if not (path / "results.csv").exists():
            raise BadInput(f"{path}: not a result set (no results.csv)")
        rows = read_csv(path / "results.csv")
        meta = read_metadata(path / "metadata.json") if (path / "metadata.json").exists() else {}
    elif path.suffix == ".json":
        doc = gbench.load(path)
        rows = rows_from_gbench(doc, run_id=path.stem, source=path)
        meta = {"benchmark_context": doc.get("context", {})}
    elif path.suffix == ".csv" or path.exists():
        rows = read_csv(path)
        meta = {}
    else:
        raise BadInput(f"{path}: no such file or result set")
    if not rows:
        raise BadInput(f"{path}: no benchmark rows")
    return rows, meta
