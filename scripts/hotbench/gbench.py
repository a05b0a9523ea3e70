"""Reading Google Benchmark JSON output (ours or anyone's), quirks of 1.7.1 included.

Input: the file written by `--benchmark_out=F --benchmark_out_format=json`.
Output: the parsed document, checked enough that later steps can trust its shape.
"""

import json
import pathlib
import re

from .errors import BadInput, read_input_text

# Suffixes Google Benchmark appends to a benchmark's name for its own settings; they are
# not part of what the benchmark measures, so they are not part of its identity.
_RUN_SUFFIX = re.compile(
    r"/(?:iterations:\d+|repeats:\d+|threads:\d+|min_time:[0-9.]+s?|min_warmup_time:[0-9.]+|"
    r"real_time|manual_time|process_time)$"
)

TIME_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path: pathlib.Path) -> dict:
    path = pathlib.Path(path)
    text = read_input_text(path)
    if not text.strip():
        raise BadInput(f"{path}: the file is empty")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"{path}: line {e.lineno}, column {e.colno}: invalid JSON ({e.msg}); truncated file?")
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise BadInput(f"{path}: not Google Benchmark JSON output (no 'benchmarks' list)")
    for i, b in enumerate(doc["benchmarks"]):
        if not isinstance(b, dict) or not isinstance(b.get("name"), str):
            raise BadInput(f"{path}: benchmarks[{i}]: an entry without a 'name'")
        if not b.get("error_occurred") and b.get("run_type", "iteration") == "iteration":
            for key in ("real_time", "cpu_time", "iterations"):
                if not isinstance(b.get(key), (int, float)):
                    raise BadInput(f"{path}: benchmarks[{i}] ({b['name']}): missing or non-numeric '{key}'")
            if b.get("time_unit", "ns") not in TIME_UNIT_NS:
                raise BadInput(f"{path}: benchmarks[{i}] ({b['name']}): unknown time_unit {b.get('time_unit')!r}")
    doc.setdefault("context", {})
    return doc


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
