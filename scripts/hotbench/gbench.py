"""Reading Google Benchmark JSON output (ours or anyone's), quirks of 1.7.1 included.

Input: the file written by `--benchmark_out=F --benchmark_out_format=json`.
Output: the parsed document, checked enough that later steps can trust its shape: every
iteration row has a string name, finite non-negative times and iterations, a known time unit, and
whole-number `threads` / `repetition_index` in range. Anything else (any byte string at all) is
BadInput naming the file and the place: line and column for JSON syntax, `benchmarks[i]` and the
field for content. Google Benchmark 1.7.1 writes `NaN` for the cv of a constant aggregate, so the
JSON extensions NaN/Infinity are accepted, but only where no figure is read from them (aggregates,
counters: a non-finite counter is left out of the row, as an empty cell).
"""

import json
import math
import pathlib
import re

from .errors import BadInput, read_input_text

# A bare task's rows (`--overhead`: the same loop without the harness, bench/harness/bare.h) are named
# <task>_bare; overhead.py pairs them with their harness twins, the serial smoke checks compare them.
BARE_SUFFIX = "_bare"


def harness_task(task: str) -> str | None:
    """The task whose harness rows a bare task's rows are twins of (parse_bare -> parse), else None."""
    return task[:-len(BARE_SUFFIX)] if task.endswith(BARE_SUFFIX) and len(task) > len(BARE_SUFFIX) else None


# Suffixes Google Benchmark appends to a benchmark's name for its own settings; they are
# not part of what the benchmark measures, so they are not part of its identity.
_RUN_SUFFIX = re.compile(
    r"/(?:iterations:\d+|repeats:\d+|threads:\d+|min_time:[0-9.]+s?|min_warmup_time:[0-9.]+|"
    r"real_time|manual_time|process_time)$"
)

TIME_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
MAX_THREADS = 1 << 16  # far above any machine; larger values are corrupt input, not a benchmark
MAX_INDEX = 1 << 31  # repetition_index and other counts kept as Python ints in rows

# A \uD800-\uDFFF escape: json.loads turns it into a lone surrogate, which no output can encode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_json_text(path: pathlib.Path, text: str):
    """json.loads with every failure as BadInput naming the file and the place."""
    if not text.strip():
        raise BadInput(f"{path}: the file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: line {e.lineno}, column {e.colno}: invalid JSON ({e.msg}); truncated file?") from None
    except RecursionError:
        raise BadInput(f"{path}: JSON nested too deeply to be benchmark output") from None
    except ValueError as e:  # an integer of more than 4300 digits (int_max_str_digits)
        raise BadInput(f"{path}: invalid JSON: {e}") from None
    if _SURROGATE_ESCAPE.search(text):
        _check_strings(path, doc)
    return doc


def _check_strings(path, doc) -> None:
    """Every string (keys too) must be valid Unicode: a lone surrogate escape cannot be printed or written."""
    stack = [(doc, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                stack += [(k, where or "top level"), (v, f"{where}.{k}" if where else k)]
        elif isinstance(value, list):
            stack += [(v, f"{where}[{i}]") for i, v in enumerate(value)]
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BadInput(f"{path}: {where or 'top level'}: a string with an unpaired surrogate escape "
                               "(\\ud800-\\udfff): not valid Unicode") from None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value) -> bool:
    """A finite number; an integer too large for a float (JSON allows 400 digits) is not."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _whole(path, where, value, low: int, high: int) -> int:
    """A whole number in [low, high]; 1.0 is accepted, 1.5, 1e400, NaN and strings are not."""
    if not _is_number(value) or not _finite(value) or value != int(value) or not low <= value <= high:
        raise BadInput(f"{path}: {where}: expected a whole number from {low} to {high}, got {value!r}"[:400])
    return int(value)


def load(path: pathlib.Path) -> dict:
    path = pathlib.Path(path)
    doc = parse_json_text(path, read_input_text(path))
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise BadInput(f"{path}: not Google Benchmark JSON output (no 'benchmarks' list)")
    if not isinstance(doc.setdefault("context", {}), dict):
        raise BadInput(f"{path}: context: expected an object")
    for i, b in enumerate(doc["benchmarks"]):
        _check_entry(path, i, b)
    return doc


def _check_entry(path, i: int, b) -> None:
    if not isinstance(b, dict) or not isinstance(b.get("name"), str) or not b["name"]:
        raise BadInput(f"{path}: benchmarks[{i}]: an entry without a 'name'")
    where = f"benchmarks[{i}] ({b['name'][:200]})"
    for key in ("run_name", "run_type", "label", "error_message", "aggregate_name", "time_unit"):
        if key in b and not isinstance(b[key], str):
            raise BadInput(f"{path}: {where}: '{key}' must be a string, got {type(b[key]).__name__}")
    if "error_occurred" in b and not isinstance(b["error_occurred"], bool):
        raise BadInput(f"{path}: {where}: 'error_occurred' must be true or false")
    if b.get("run_type", "iteration") != "iteration":
        return  # an aggregate: recomputed from the repetitions, never read
    if "threads" in b:
        _whole(path, f"{where}: threads", b["threads"], 1, MAX_THREADS)
    if "repetition_index" in b:
        _whole(path, f"{where}: repetition_index", b["repetition_index"], 0, MAX_INDEX)
    if b.get("error_occurred"):
        return
    for key in ("real_time", "cpu_time", "iterations"):
        value = b.get(key)
        if not _is_number(value):
            raise BadInput(f"{path}: {where}: missing or non-numeric '{key}'")
        if not (_finite(value) and value >= 0):
            raise BadInput(f"{path}: {where}: '{key}' must be finite and non-negative, got {value!r}")
    if b.get("time_unit", "ns") not in TIME_UNIT_NS:
        raise BadInput(f"{path}: {where}: unknown time_unit {b.get('time_unit')!r}"[:400])


def base_name(entry: dict) -> str:
    """The benchmark's identity: its run name without Google Benchmark's own suffixes."""
    name = entry.get("run_name") or entry["name"]
    while True:
        stripped = _RUN_SUFFIX.sub("", name)
        if stripped == name:
            return name
        name = stripped


_PARAM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[^/=]+$")


def split_name(name: str) -> dict:
    """suite/task/library[:variant]/dataset[/key=value...] for hotbench's names (the parameters of a
    sweep, e.g. capacity=1024, go to `params` as written); a foreign name keeps only `benchmark`."""
    parts = name.split("/")
    if len(parts) >= 4 and all(parts) and all(_PARAM.match(p) for p in parts[4:]):
        suite, task, implementation, dataset = parts[:4]
        library, _, variant = implementation.partition(":")
        return {"suite": suite, "task": task, "library": library, "variant": variant, "dataset": dataset,
                "params": "/".join(parts[4:])}
    return {"suite": "", "task": "", "library": "", "variant": "", "dataset": "", "params": ""}
