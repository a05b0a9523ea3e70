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


def fingerprint(meta: dict) -> dict:
    """What must be equal for two result sets' figures to be comparable.

    Instruction counts do not depend on the CPU model, only on the code that ran: the binary's
    build and the kernels that dispatching libraries chose (in `libraries`). Under valgrind,
    which hides AVX-512, any AVX2 machine picks the same kernels, so an instruction-count
    baseline made on one machine of the class gates another."""
    m, b = meta.get("machine", {}), meta.get("build", {})
    fp = {"cpu_model": m.get("cpu_model"), "compiler": b.get("compiler"), "cxx_flags": b.get("cxx_flags"),
          "build_type": b.get("build_type"), "libraries": meta.get("libraries")}
    if meta.get("profile") == "instructions":
        del fp["cpu_model"]
    return fp
