"""What a result set records so that its figures can be reproduced (docs/results-format.md)."""

import hashlib
import os
import pathlib
import platform
import subprocess

from . import describe
from .errors import EXIT_INTERNAL, HotbenchError

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The one table of dependencies (its header says the columns).
DEPENDENCIES = ROOT / "cmake" / "dependencies.tsv"
# Where CMake unpacks a `deb` row's package, writing the .deb's file name (<package>_<version>_<arch>.deb)
# into SOURCE (cmake/Dependencies.cmake).
THIRD_PARTY = ROOT / "build" / "third_party"


def recorded_packages(table: pathlib.Path = DEPENDENCIES) -> dict:
    """Package -> where its version comes from ("dpkg" or "deb"), for the rows whose versions decide the
    figures (the version column is not "-")."""
    packages = {}
    for line in table.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 5:
            raise HotbenchError(f"{table}: row {fields[0]!r}: {len(fields)} tab-separated columns, not 5",
                                EXIT_INTERNAL)
        if fields[4] != "-":
            packages[fields[0]] = fields[4]
    return packages


def sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def git_state(where: pathlib.Path = ROOT) -> dict:
    """The commit checked out at `where` (this checkout, or any folder inside another one, such as the
    build folder of a paired run) and whether its tracked files differ from it."""
    def git(*args):
        return subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=False)

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


def debian_packages(table: pathlib.Path = DEPENDENCIES, third_party: pathlib.Path = THIRD_PARTY) -> dict:
    packages = recorded_packages(table)
    installed = [name for name, source in packages.items() if source == "dpkg"]
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n", *installed],
                            capture_output=True, text=True, check=False)
    versions = {}
    for line in result.stdout.splitlines():
        name, _, version = line.partition("\t")
        if version:
            versions[name] = version
    for name in (name for name, source in packages.items() if source == "deb"):
        try:
            parts = (third_party / name / "SOURCE").read_text().strip().split("_")
        except OSError:
            continue
        if len(parts) == 3 and parts[0] == name:
            versions[name + " (headers unpacked)"] = parts[1]
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


# Dispatching libraries record the kernel they chose at run time: part of what ran, beside the versions.
RUNTIME_CHOICES = ("simdjson_active_implementation", "simdjson_ondemand_implementation")


def libraries(context: dict) -> dict:
    """{Debian package: version} the binary was built with (context `hotbench_libraries`,
    "pkg=version;pkg=version"), and the kernels dispatching libraries chose. Contexts of older binaries
    recorded one `<name>_version` entry per library instead: read as {name: version}."""
    out = {}
    listed = context.get("hotbench_libraries")
    if isinstance(listed, str):
        for pair in listed.split(";"):
            package, _, version = pair.partition("=")
            if package.strip() and version:
                out[package.strip()] = version
    out.update((k.removesuffix("_version"), context[k]) for k in context if k.endswith("_version"))
    out.update((k, context[k]) for k in RUNTIME_CHOICES if k in context)
    return out


def datasets(files: list[tuple[pathlib.Path, str]]) -> list[dict]:
    """The data files a run read, each with its dataset name (the suite's: describe.dataset_name)."""
    return [{"name": name, "path": os.path.relpath(p, ROOT) if p.is_relative_to(ROOT) else str(p),
             "bytes": p.stat().st_size, "sha256": sha256(p)} for p, name in files]


# The workload's own inputs that are not a suite's setting: context entries -> how a difference is named.
# A suite's settings are read from its description (`settings`, each with `selects`), see workload().
WORKLOAD_CONTEXT = {
    "hotbench_fixed_iterations": "fixed iterations",  # instruction counting: per-op counts amortize set-up
    "hotbench_servers": "servers",  # how a suite starts its servers (command line, configuration)
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


def workload(suite: str, context: dict, command=None, description: dict | None = None) -> dict:
    """The workload fields of one suite's run: {"<suite> seed": "42", "<suite> settings": "...", ...}.

    Only for contexts our binaries wrote (`hotbench_suite`): an injected slowdown absent from such a context
    was not injected. A field a run does not record is left out (comparability notes it as not checked).

    `description` (the suite's, see describe.of_suite) says which settings only select benchmarks (`selects`:
    visible in the names, so compared by name) and which change the work behind a name. Of the latter, an
    effective value the binary records as context `<suite>_<key>` (cache_seed) is compared as `<suite> <key>`,
    defaults included, and left out of `<suite> settings`. Without a description every given setting is part
    of `<suite> settings`: a run with a different setting is refused, not silently compared."""
    if not isinstance(context, dict) or "hotbench_suite" not in context:
        return {}
    out = {f"{suite} {name}": str(context[key]) for key, name in WORKLOAD_CONTEXT.items() if key in context}
    declared = [s for s in (description or {}).get("settings", []) if isinstance(s, dict) and isinstance(s.get("key"), str)]
    not_fingerprinted = {s["key"] for s in declared if s.get("selects")}
    for s in declared:
        effective = f"{suite}_{s['key']}"
        if not s.get("selects") and effective in context:
            out[f"{suite} {s['key']}"] = str(context[effective])
            not_fingerprinted.add(s["key"])
    out[f"{suite} injected slowdown"] = str(context.get("hotbench_injected_slowdown", "none"))
    settings = settings_of(context, command)
    if settings is not None:
        chosen = {k: v for k, v in settings.items() if k not in not_fingerprinted}
        out[f"{suite} settings"] = ", ".join(f"{k}={v}" for k, v in sorted(chosen.items())) or "(defaults)"
    return out


def workloads(meta: dict) -> dict:
    """workload() of every suite a result set or a Google Benchmark JSON file records, each with the suite's
    description the result set records, else the built binary's (describe.of_suite)."""
    out = {}
    suites = meta.get("suites")
    if isinstance(suites, dict):
        for name, suite in suites.items():
            if isinstance(suite, dict):
                context = suite.get("benchmark_context") or {}
                out.update(workload(name, context, suite.get("command"), _description(name, context, meta)))
    context = meta.get("benchmark_context")
    if isinstance(context, dict) and isinstance(context.get("hotbench_suite"), str):
        name = context["hotbench_suite"]
        out.update(workload(name, context, description=_description(name, context, meta)))
    return out


def _description(suite: str, context: dict, meta: dict) -> dict | None:
    if not isinstance(context, dict) or "hotbench_suite" not in context:
        return None  # workload() reads nothing of it: no need to run a binary
    return describe.of_suite(suite, meta)


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
