"""What a result set records so that its figures can be reproduced (docs/results-format.md)."""

import hashlib
import os
import pathlib
import platform
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Debian packages whose versions decide the figures.
PACKAGES = ["libbenchmark-dev", "libboost1.81-dev", "libboost-json1.81-dev", "rapidjson-dev", "libsimdjson-dev",
            "nlohmann-json3-dev", "libabsl-dev", "libtbb-dev", "libconcurrentqueue-dev", "libreaderwriterqueue-dev",
            "libxenium-dev", "libcds-dev", "g++-12", "valgrind"]
# atomic_queue's headers are unpacked from its .deb at configure time (cmake/Dependencies.cmake), which
# writes the package file's name here: libatomic-queue-dev_<version>_all.deb.
ATOMIC_QUEUE_SOURCE = ROOT / "build" / "third_party" / "atomic-queue" / "SOURCE"


def sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def git_state() -> dict:
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def cpu_model() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def debian_packages() -> dict:
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n", *PACKAGES],
                            capture_output=True, text=True, check=False)
    versions = {}
    for line in result.stdout.splitlines():
        name, _, version = line.partition("\t")
        if version:
            versions[name] = version
    try:
        parts = ATOMIC_QUEUE_SOURCE.read_text().strip().split("_")
        if len(parts) == 3:
            versions[parts[0] + " (headers unpacked)"] = parts[1]
    except OSError:
        pass
    return versions


def machine(context: dict) -> dict:
    return {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "mhz": context.get("mhz_per_cpu"),
        "caches": context.get("caches", []),
        "kernel": f"{platform.system()} {platform.release()} {platform.machine()}",
        "hostname_hash": hashlib.sha256(platform.node().encode()).hexdigest()[:12],
    }


def build(context: dict, binary: pathlib.Path) -> dict:
    return {
        "binary": str(binary),
        "build_type": context.get("hotbench_build_type"),
        "cxx_flags": context.get("hotbench_cxx_flags"),
        "compiler": context.get("hotbench_compiler"),
        "benchmark_library_build_type": context.get("library_build_type"),
    }


def libraries(context: dict) -> dict:
    """Library versions the binary reports (`<name>_version` context entries) and the simdjson kernels."""
    keys = [k for k in context if k.endswith("_version")]
    keys += ["simdjson_active_implementation", "simdjson_ondemand_implementation"]
    return {k.removesuffix("_version"): context[k] for k in keys if k in context}


def datasets(paths: list[pathlib.Path]) -> list[dict]:
    return [{"name": p.stem, "path": os.path.relpath(p, ROOT) if p.is_relative_to(ROOT) else str(p),
             "bytes": p.stat().st_size, "sha256": sha256(p)} for p in paths]


# The workload's own inputs, beyond the benchmark's name and the dataset files (whose hashes are compared
# separately): context entries the binaries record -> how a difference is named. Two runs that differ in
# any of them did different work under the same benchmark names.
WORKLOAD_CONTEXT = {
    "cache_seed": "seed", "cache_keys": "key count", "cache_requests": "request count",
    "hotbench_fixed_iterations": "fixed iterations",  # instruction counting: per-op counts amortize set-up
}
# --hotbench_set keys that only choose which benchmarks run, each visible in the names of the benchmarks it
# selects (policy, map, capacity=..., threads=..., message_bytes=..., wait=..., pinned=..., batch=..., rate=...),
# or that are recorded above as effective values (seed, keys, requests). Any other key, including one a suite
# adds later, is part of the fingerprint: a run with a different setting is refused, not silently compared.
SELECTION_SETTINGS = {
    "cache": {"policies", "maps", "tasks", "floor_levels", "workloads", "capacities", "threads", "value_bytes",
              "seed", "keys", "requests"},
    "queue": {"queues", "tasks", "threads", "message_bytes", "capacities", "wait", "pin", "batch", "rate"},
}


def settings_of(context: dict, command) -> dict | None:
    """The suite's --hotbench_set KEY=VALUE settings (the last of a repeated key wins, as in the binaries):
    from the binary's own `hotbench_settings` context entry, else from the recorded command line; None when
    neither is recorded (Google Benchmark JSON of an older binary)."""
    if isinstance(context.get("hotbench_settings"), str):
        pairs = [p for p in context["hotbench_settings"].split(";") if p]
    elif isinstance(command, list) and command:
        pairs = [a.removeprefix("--hotbench_set=") for a in command
                 if isinstance(a, str) and a.startswith("--hotbench_set=")]
    else:
        return None
    return dict(p.partition("=")[::2] for p in pairs)


def workload(suite: str, context: dict, command=None) -> dict:
    """The workload fields of one suite's run: {"<suite> seed": "42", "<suite> settings": "...", ...}.

    Only for contexts our binaries wrote (`hotbench_suite`): an injected slowdown absent from such a context
    was not injected. A field a run does not record is left out (comparability notes it as not checked)."""
    if not isinstance(context, dict) or "hotbench_suite" not in context:
        return {}
    out = {f"{suite} {name}": str(context[key]) for key, name in WORKLOAD_CONTEXT.items() if key in context}
    out[f"{suite} injected slowdown"] = str(context.get("hotbench_injected_slowdown", "none"))
    settings = settings_of(context, command)
    if settings is not None:
        chosen = {k: v for k, v in settings.items() if k not in SELECTION_SETTINGS.get(suite, set())}
        out[f"{suite} settings"] = ", ".join(f"{k}={v}" for k, v in sorted(chosen.items())) or "(defaults)"
    return out


def workloads(meta: dict) -> dict:
    """workload() of every suite a result set or a Google Benchmark JSON file records."""
    out = {}
    suites = meta.get("suites")
    if isinstance(suites, dict):
        for name, suite in suites.items():
            if isinstance(suite, dict):
                out.update(workload(name, suite.get("benchmark_context") or {}, suite.get("command")))
    context = meta.get("benchmark_context")
    if isinstance(context, dict) and isinstance(context.get("hotbench_suite"), str):
        out.update(workload(context["hotbench_suite"], context))
    return out


def fingerprint(meta: dict) -> dict:
    """What must be equal for two result sets' figures to be comparable.

    Instruction counts do not depend on the CPU model, only on the code that ran: the binary's
    build and the kernels that dispatching libraries chose (in `libraries`). Under valgrind,
    which hides AVX-512, any AVX2 machine picks the same kernels, so an instruction-count
    baseline made on one machine of the class gates another. `workload` is the workload's own
    inputs (seed, request and key counts, settings, an injected slowdown), per suite."""
    m, b = meta.get("machine", {}), meta.get("build", {})
    fp = {"cpu_model": m.get("cpu_model"), "compiler": b.get("compiler"), "cxx_flags": b.get("cxx_flags"),
          "build_type": b.get("build_type"), "libraries": meta.get("libraries"), "workload": workloads(meta) or None}
    if meta.get("profile") == "instructions":
        del fp["cpu_model"]
    return fp
