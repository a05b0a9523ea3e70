"""Estimated cycles: callgrind's cache simulator, weighted the usual way.

With `--cache-sim=yes` callgrind counts, besides the instructions executed (Ir), the misses of a
simulated first-level instruction and data cache (I1mr, D1mr, D1mw) and of a simulated last-level
cache (ILmr, DLmr, DLmw: accesses that went to memory). The estimate KCachegrind and the cachegrind
documentation use weighs them as

    estimated cycles = Ir + 10 x (I1mr + D1mr + D1mw) + 100 x (ILmr + DLmr + DLmw)

It is an estimate, named so (`estimated_cycles_per_op`): no pipeline, no prefetcher, no TLB, one
fixed cache geometry. What it is for: a change that keeps the instruction count but touches memory
in a worse order shows up in it, deterministically, where the instruction count says nothing.

The simulated caches are fixed here (GEOMETRY), not read from the machine's CPUID as callgrind does by
default: on a virtual machine CPUID reports whatever the host has, and the same code counted on two
machines of the class must give the same figures.
"""

import re

from .errors import EXIT_FAILED, HotbenchError

# size in bytes, associativity, line size: a common x86-64 core (32 KiB 8-way L1s, an 8 MiB 16-way
# last level). Recorded in the metadata of every result set counted with the simulator.
GEOMETRY = {"I1": (32768, 8, 64), "D1": (32768, 8, 64), "LL": (8388608, 16, 64)}
L1_MISS_CYCLES, LL_MISS_CYCLES = 10, 100
L1_MISSES, LL_MISSES = ("I1mr", "D1mr", "D1mw"), ("ILmr", "DLmr", "DLmw")
METRIC = "estimated_cycles_per_op"

_EVENTS = re.compile(r"^events:\s*(.+)$", re.M)
_TOTALS = re.compile(r"^totals:\s*(.+)$", re.M)  # the "summary:" line can read 0


def valgrind_options() -> list[str]:
    """callgrind's options for the simulation with this module's fixed geometry."""
    return ["--cache-sim=yes"] + [f"--{level}={','.join(map(str, g))}" for level, g in GEOMETRY.items()]


def described() -> dict:
    """The simulation as a result set's metadata records it."""
    return {"geometry": {level: {"bytes": g[0], "ways": g[1], "line_bytes": g[2]} for level, g in GEOMETRY.items()},
            "weights": {"instruction": 1, "L1 miss": L1_MISS_CYCLES, "LL miss": LL_MISS_CYCLES}}


def totals(text: str, where: str) -> dict[str, int]:
    """{event: total} of one callgrind dump (Ir alone without the simulator); an event a dump leaves
    out at the end of its totals line is 0, as callgrind writes them."""
    events, total = _EVENTS.search(text), _TOTALS.search(text)
    if not total:
        raise HotbenchError(f"{where}: a callgrind dump without a total", EXIT_FAILED)
    names = events.group(1).split() if events else ["Ir"]
    values = [int(v) for v in total.group(1).split()]
    return {name: (values[i] if i < len(values) else 0) for i, name in enumerate(names)}


def estimated_cycles(events: dict[str, int]) -> int | None:
    """The estimate from one dump's totals; None when the dump has no cache simulation."""
    if not all(e in events for e in L1_MISSES + LL_MISSES):
        return None
    return (events["Ir"] + L1_MISS_CYCLES * sum(events[e] for e in L1_MISSES)
            + LL_MISS_CYCLES * sum(events[e] for e in LL_MISSES))
