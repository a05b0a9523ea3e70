"""What is particular to the messaging suite on the Python side: its smoke checks (suites/__init__.py says how
they are found). It has no figures of its own yet; it gets the generic per-task figures.

Smoke: every ok throughput, fan_out and open_loop row carries its delivery counts, and `delivered + lost` is
what was sent (a message is either delivered or lost, never both, never neither; fan_out: to each subscriber,
so sent times `subscribers`); every throughput row carries its `producers` and `consumers`; every ok ping_pong and
open_loop row carries positive latency percentiles; settings a system cannot use are refused. The planted faults (drop, corrupt,
duplicate, reorder, never deliver), the server killed mid-row and the missing program are covered by the
suite's gtest (bench/messaging/tests/messaging_test.cpp).
"""

from __future__ import annotations

import pathlib

COUNTS = ["sent", "delivered", "lost", "duplicated", "reordered"]
LATENCY = ["p50_ns", "p99_ns", "p999_ns", "max_ns"]
POSITIVE = {"throughput": ["ops_per_s", "message_mb_per_s", "sent", "producers", "consumers"],
            "fan_out": ["ops_per_s", "sent", "subscribers"],
            "open_loop": ["ops_per_s", "sent", "rate", *LATENCY],
            "ping_pong": LATENCY}
COUNTED = ("throughput", "open_loop", "fan_out")  # the tasks with producers and consumers
BAD_SETTINGS = {"message_bytes=12": "'12' is not a multiple of 8",
                "transports=carrier_pigeon": "carrier_pigeon",
                "ends=2x2": "'2x2' is not producers/consumers"}


def smoke_checks(binary: pathlib.Path, rows: list[dict], tmp: pathlib.Path) -> list[str]:
    from .. import smoke

    problems = []
    for r in rows:
        if r["status"] != "ok":
            continue
        for column in POSITIVE.get(r["task"], []):
            if not (isinstance(r.get(column), (int, float)) and r[column] > 0):
                problems.append(f"{r['benchmark']}: {column} is {r.get(column)!r}, expected a positive number")
        if r["task"] in COUNTED:
            missing = [c for c in COUNTS if not isinstance(r.get(c), (int, float))]
            if missing:
                problems.append(f"{r['benchmark']}: no {', '.join(missing)} column")
            else:
                copies = r.get("subscribers", 1) if r["task"] == "fan_out" else 1
                if abs(r["delivered"] + r["lost"] - r["sent"] * copies) > 1e-9:
                    problems.append(f"{r['benchmark']}: delivered {r['delivered']} + lost {r['lost']} is not sent "
                                    f"{r['sent']}" + (f" x {copies} subscribers" if copies != 1 else ""))
    for setting, says in BAD_SETTINGS.items():
        problems += smoke.refused(binary, [f"--hotbench_set={setting}"], says)
    return problems
