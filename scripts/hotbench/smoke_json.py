"""`hotbench smoke --suite json`: hotbench_json end to end on the tiny corpus, in seconds.

Every registered family must produce a valid row on every dataset it applies to, and an
invalid dataset among valid ones must give error rows that name the file and the byte while
the valid datasets still run.
"""

import pathlib
import shutil
import tempfile

from . import runner, smoke

POSITIVE = ["real_time_ns", "cpu_time_ns", "input_mb_per_s", "documents_per_s", "input_bytes", "documents"]
BARE_POSITIVE = ["real_time_ns", "cpu_time_ns", "input_mb_per_s"]  # the bare loop sets bytes only, on purpose


def run_binary(binary: pathlib.Path, data: list[pathlib.Path], out: pathlib.Path) -> list[dict]:
    return smoke.run_binary(binary, [*[f"--hotbench_data={d}" for d in data], "--hotbench_bare=true"], out)


def check_rows(rows: list[dict], expected: list[str]) -> list[str]:
    problems = []
    seen = {r["benchmark"] for r in rows}
    problems += [f"{name}: no row" for name in expected if name not in seen]
    for r in rows:
        if r["status"] != "ok":
            problems.append(f"{r['benchmark']}: error: {r['error_message']}")
            continue
        for column in BARE_POSITIVE if r["task"] == "parse_bare" else POSITIVE:
            if not (isinstance(r.get(column), (int, float)) and r[column] > 0):
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a positive number")
        if r["task"] in ("serialize", "typed_encode") and not r.get("output_mb_per_s"):
            problems.append(f"{r['benchmark']}: no output_mb_per_s")
        if r["task"] in ("parse", "parse_only", "parse_bare", "serialize", "typed_decode", "typed_encode"):
            for finding in ("number_mismatches", "max_ulp_error", "out_of_range_numbers"):
                if r.get(finding) is None:
                    problems.append(f"{r['benchmark']}: no {finding} finding")
    return problems


def run(binary: pathlib.Path) -> tuple[int, list[str]]:
    """(rows that passed, problems found)."""
    tiny = runner.ensure_corpus("tiny")
    tiny_dir = tiny[0].parent
    problems = []
    with tempfile.TemporaryDirectory(prefix="hotbench-smoke-") as tmp:
        tmp = pathlib.Path(tmp)
        expected = runner.list_benchmarks(binary, [f"--hotbench_data={tiny_dir}", "--hotbench_bare=true"])
        rows = run_binary(binary, [tiny_dir], tmp / "tiny.json")
        problems += check_rows(rows, expected)
        passed = sum(r["status"] == "ok" for r in rows)
        tasks = {r["task"] for r in rows}
        for task in ("limit", "parse", "parse_only", "parse_bare", "serialize", "typed_decode", "typed_encode"):
            if task not in tasks:
                problems.append(f"no {task} rows at all")

        # Bad input: one invalid file among valid ones.
        mixed = tmp / "mixed"
        mixed.mkdir()
        shutil.copy(tiny_dir / "catalog.json", mixed / "catalog.json")
        (mixed / "broken.json").write_text('{"a": [1, 2,]}')
        rows = run_binary(binary, [mixed], tmp / "mixed.json")
        broken = [r for r in rows if r["dataset"] == "broken"]
        if not broken or any(r["status"] != "error" for r in broken):
            problems.append("the invalid dataset did not produce error rows")
        for r in broken:
            if "broken.json: line 1, column 13 (byte 12)" not in r["error_message"]:
                problems.append(f"{r['benchmark']}: error does not name the file and byte: {r['error_message']}")
        if not any(r["dataset"] == "catalog" and r["status"] == "ok" for r in rows):
            problems.append("the valid dataset next to an invalid one did not run")
    return passed, problems
