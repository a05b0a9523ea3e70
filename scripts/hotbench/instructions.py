"""Instruction counts: the deterministic metric behind the CI gate.

Wall-clock noise on 2-core shared machines is far larger than a 5 % regression, but
callgrind's instruction counts repeat exactly for the same binary and inputs. The suite
binary (build/release/counting: no AVX-512, which valgrind cannot decode) runs every selected
benchmark for a fixed number of iterations under
`valgrind --tool=callgrind --instr-atstart=no`; the harness starts instrumentation at the
top of the measured loop and dumps the counts under the benchmark's name at its end
(bench/harness/measure.cpp). Each dump's total, divided by the iterations, is
`instructions_per_op` for that benchmark. With the cache simulator on (`cache_sim`, cachesim.py) the dump's
misses give `estimated_cycles_per_op` as well.

Input: the suite binary, its arguments. Output: tidy rows (docs/results-format.md) whose time
metrics are empty (time under valgrind means nothing) and whose `instructions_per_op` is set.
"""

import json
import pathlib
import re
import shutil

from . import cachesim, describe, gbench, metrics, tidy
from .errors import HotbenchError

_TRIGGER = re.compile(r"^desc: Trigger: Client Request: (.+)$", re.M)


def valgrind() -> str:
    path = shutil.which("valgrind")
    if not path:
        raise HotbenchError("valgrind is not installed (Debian package: valgrind)")
    return path


def parse_dump(path: pathlib.Path) -> tuple[str, int] | None:
    """(benchmark name, instructions) from one callgrind dump; None for dumps not made by the harness."""
    parsed = parse_dump_events(path)
    return None if parsed is None else (parsed[0], parsed[1]["Ir"])


def parse_dump_events(path: pathlib.Path) -> tuple[str, dict[str, int]] | None:
    """(benchmark name, {event: total}) from one callgrind dump; None for dumps not made by the harness."""
    text = path.read_text(errors="replace")
    trigger = _TRIGGER.search(text)
    if not trigger:
        return None
    return trigger.group(1).strip(), cachesim.totals(text, str(path))


def count(binary: pathlib.Path, args: list[str], work_dir: pathlib.Path, raw_out: pathlib.Path,
          names: list[str] | None = None, bound_s: float | None = None,
          startup_s: float = 0, cache_sim: bool = False) -> tuple[list[dict], list[list[str]], list[str]]:
    """Runs the binary under callgrind; returns the benchmarks' tidy rows with instruction counts, the
    commands that ran, and the benchmarks killed for exceeding `bound_s` (bounded.py: each one an error
    row; the rest run on in a fresh process). `args` must fix the iteration count (--hotbench_iterations=N);
    `names`: what `args` select (listed when not given). `cache_sim`: also estimated cycles (cachesim.py)."""
    from . import bounded, runner  # runner imports this module

    if names is None:
        names = runner.list_benchmarks(binary, args, bound_s)
    # %p: every process (a fresh one after a kill) dumps into files of its own.
    prefix = work_dir / "callgrind.out.%p"
    tool = valgrind()

    def command_for(process_args: list[str], out: pathlib.Path) -> list[str]:
        # LD_BIND_NOW: the dynamic linker resolves every symbol at start. Lazily, the first call of a
        # library function (memcpy's in json/limit/memcpy) fell in the measured region of whichever
        # benchmark ran first in its process, so a row's count depended on the filter (975 against 666
        # instructions for json/limit/memcpy/geometry alone or after the other memcpy rows). In the
        # command, so that the result set's recorded command reproduces the count.
        return ["env", "LD_BIND_NOW=1", tool, "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={prefix}",
                *(cachesim.valgrind_options() if cache_sim else []), str(binary),
                *process_args, f"--benchmark_out={out}", "--benchmark_out_format=json", "--benchmark_color=false"]

    doc, commands, lost = bounded.run(command_for, args, names, bound_s or float("inf"),
                                      raw_out.with_name(raw_out.name + ".process"), startup_s=startup_s)
    raw_out.write_text(json.dumps(doc, indent=2) + "\n")
    counts = {}
    for dump in sorted(work_dir.glob("callgrind.out*")):
        parsed = parse_dump_events(dump)
        if parsed:
            counts[parsed[0]] = parsed[1]
    doc = gbench.load(raw_out)
    rows = []
    timed = timed_columns(binary)
    for row in tidy.rows_from_gbench(doc, run_id=""):
        for metric in timed:
            row.pop(metric, None)
        if row["status"] == "ok" and not tidy.is_untimed(row):  # a row without time has nothing to count
            name = next((n for n in counts if gbench.base_name({"name": n}) == row["benchmark"]), None)
            if name is None:
                row.update(status="error", error_message="callgrind produced no count for this benchmark")
            else:
                row["instructions_per_op"] = counts[name]["Ir"] / row["iterations"]
                estimate = cachesim.estimated_cycles(counts[name])
                if estimate is not None:
                    row[cachesim.METRIC] = estimate / row["iterations"]
        rows.append(row)
    return rows, commands, lost


def timed_columns(binary: pathlib.Path) -> set[str]:
    """The columns that are clock readings (time and throughput metrics, not exact counts, as the binary
    declares them): meaningless under valgrind. Google Benchmark's own timings at least, should the binary
    not describe itself."""
    try:
        description = describe.of_binary(binary)
        declared = metrics.of_descriptions({description["suite"]: description}).all()
    except (HotbenchError, OSError):
        declared = []
    return set(tidy.TIMINGS[1:]) | {m.name for m in declared if m.kind in ("time", "throughput") and not m.deterministic}
