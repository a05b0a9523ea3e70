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
METRICS = ["iterations", "real_time_ns", "cpu_time_ns", "input_mb_per_s", "output_mb_per_s",
           "documents_per_s", "input_bytes", "output_bytes", "documents", "allocs_per_op",
           "alloc_bytes_per_op", "number_mismatches", "instructions_per_op"]
COLUMNS = IDENTITY + STATUS + METRICS

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
STRING_COLUMNS = {"run_id", "benchmark", "suite", "task", "library", "variant", "dataset", "params", "status",
                  "error_message", "label"}


def rows_from_gbench(doc: dict, run_id: str, process: int = 0) -> list[dict]:
    rows = []
    for entry in doc["benchmarks"]:
        if entry.get("run_type", "iteration") != "iteration":
            continue  # aggregates are recomputed from the repetitions
        name = gbench.base_name(entry)
        row = {"schema_version": SCHEMA_VERSION, "run_id": run_id, "benchmark": name, **gbench.split_name(name),
               "threads": int(entry.get("threads", 1)), "repetition": int(entry.get("repetition_index", 0)),
               "process": process, "label": entry.get("label", "")}
        if entry.get("error_occurred"):
            row.update(status="error", error_message=entry.get("error_message", "") or "unknown error")
            rows.append(row)
            continue
        unit = gbench.TIME_UNIT_NS[entry.get("time_unit", "ns")]
        row.update(status="ok", error_message="", iterations=entry["iterations"],
                   real_time_ns=entry["real_time"] * unit, cpu_time_ns=entry["cpu_time"] * unit)
        for key, value in entry.items():
            if key in _GBENCH_FIELDS or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            column, factor = _RENAMED.get(key, (key, 1.0))
            row[column] = value * factor
        rows.append(row)
    return rows


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
    path = pathlib.Path(path)
    text = read_input_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("schema_version", "benchmark", "status") if c not in header]
    if missing:
        raise BadInput(f"{path}: line 1: not a hotbench results CSV (missing column(s) {', '.join(missing)})")
    rows = []
    for line, raw in enumerate(reader, start=2):
        if None in raw or any(v is None for v in raw.values()):
            raise BadInput(f"{path}: line {line}: expected {len(header)} fields; truncated or malformed row")
        if raw["schema_version"] != str(SCHEMA_VERSION):
            raise BadInput(f"{path}: line {line}: schema version {raw['schema_version']!r}; "
                           f"this tool reads version {SCHEMA_VERSION}")
        if raw["status"] not in ("ok", "error"):
            raise BadInput(f"{path}: line {line}: status {raw['status']!r} is neither 'ok' nor 'error'")
        rows.append({key: _parse_value(path, line, key, value) for key, value in raw.items()})
    return rows


def _parse_value(path, line, key, value):
    if key in STRING_COLUMNS:
        return value
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadInput(f"{path}: line {line}: column {key!r}: {value!r} is not a number")
    return int(number) if key in INT_COLUMNS else number


def load_rows(path, allow_incomplete: bool = False) -> tuple[list[dict], dict]:
    """Rows and metadata from a result set directory, a tidy CSV, or a Google Benchmark JSON file."""
    path = pathlib.Path(path)
    if path.is_dir():
        if (path / "INCOMPLETE").exists() and not allow_incomplete:
            raise BadInput(f"{path}: this result set is marked INCOMPLETE (the run was interrupted or failed); "
                           "pass --allow-incomplete to read it anyway")
        if not (path / "results.csv").exists():
            raise BadInput(f"{path}: not a result set (no results.csv)")
        rows = read_csv(path / "results.csv")
        meta = {}
        if (path / "metadata.json").exists():
            try:
                meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as e:
                raise BadInput(f"{path / 'metadata.json'}: cannot read: {e}")
    elif path.suffix == ".json":
        doc = gbench.load(path)
        rows = rows_from_gbench(doc, run_id=path.stem)
        meta = {"benchmark_context": doc.get("context", {})}
    elif path.suffix == ".csv" or path.exists():
        rows = read_csv(path)
        meta = {}
    else:
        raise BadInput(f"{path}: no such file or result set")
    if not rows:
        raise BadInput(f"{path}: no benchmark rows")
    return rows, meta
