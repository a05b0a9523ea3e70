"""`hotbench describe`: what the suite binaries say about themselves (`hotbench_<suite> --hotbench_describe`):
each suite's tasks, metrics and settings. `--markdown` prints the metric and setting tables of
docs/results-format.md, which a test keeps equal to what the binaries describe.

Input: a suite binary (or a build folder of them, or a result set's metadata.json, which records the
description of every suite it ran). Output: the description as a dict, whose fields are documented in
docs/adding.md ("What a suite binary describes"): suite, title, profile, tasks (name, what, benchmarks,
implementations, datasets), metrics (name, unit, better, kind, deterministic, meaning, from), settings
(key, type, default, accepts, help, selects), data (suffixes, default), libraries, gate (filter).

The Python side keeps no list of suites, metrics or settings of its own: it reads them from here.
"""

import functools
import json
import pathlib
import subprocess
import sys

from .errors import EXIT_INTERNAL, EXIT_USAGE, BadInput, HotbenchError

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Where the tools look for suite binaries when an input records no description (release first: the
# counting twins describe the same suites, and may be the only ones a machine has built, for the gate).
BUILD_DIRS = (ROOT / "build" / "release", ROOT / "build" / "release" / "counting")
BINARY_PREFIX = "hotbench_"
DESCRIBE_TIMEOUT_S = 60


def data_suffix(path: pathlib.Path, suffixes) -> str:
    """The longest of a suite's data suffixes the file's name ends with ("" for none), as the binaries'
    harness decides it (bench/harness/describe.cpp): a suffix may have several dots
    (".oracleGeneral.bin.zst"), so pathlib's `suffix` (the last one) would not do."""
    name = pathlib.Path(path).name
    return max((s for s in suffixes if len(name) > len(s) and name.endswith(s)), key=len, default="")


def dataset_name(path: pathlib.Path, suffixes) -> str:
    """The dataset name of a data file in its rows: its file name without its data suffix."""
    suffix = data_suffix(path, suffixes)
    return pathlib.Path(path).name[: -len(suffix)] if suffix else pathlib.Path(path).stem


def _run(binary: str, arguments: list[str], timeout_s: float) -> dict:
    try:
        result = subprocess.run([binary, "--hotbench_describe", *arguments], capture_output=True, text=True,
                                timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise HotbenchError(f"{binary} did not describe itself within {timeout_s:g} s", EXIT_INTERNAL)
    if result.returncode != 0:
        raise HotbenchError(f"{binary} --hotbench_describe exited with {result.returncode}: "
                            f"{result.stderr.strip()[-300:]}", EXIT_INTERNAL)
    try:
        desc = json.loads(result.stdout)
    except json.JSONDecodeError as e:
        raise HotbenchError(f"{binary} --hotbench_describe printed invalid JSON: {e}", EXIT_INTERNAL)
    if not isinstance(desc, dict) or desc.get("describe_version") != 1 or not isinstance(desc.get("suite"), str):
        raise HotbenchError(f"{binary} --hotbench_describe: not a version-1 suite description", EXIT_INTERNAL)
    return desc


@functools.lru_cache(maxsize=None)
def _describe(binary: str, mtime_ns: int, profile: str) -> dict:
    return _run(binary, [f"--hotbench_profile={profile}"], DESCRIBE_TIMEOUT_S)


def of_binary(binary: pathlib.Path, profile: str = "default") -> dict:
    """The binary's description for a profile (quick, default, full)."""
    binary = pathlib.Path(binary)
    return _describe(str(binary), binary.stat().st_mtime_ns, profile)


def of_arguments(binary: pathlib.Path, arguments: list[str], timeout_s: float = DESCRIBE_TIMEOUT_S) -> dict:
    """The description of one particular run: `arguments` are the run's --hotbench_profile, --hotbench_set
    and --hotbench_data flags, which decide what the tasks count (not cached: data files change)."""
    return _run(str(binary), list(arguments), timeout_s)


def built(build_dir: pathlib.Path) -> dict[str, pathlib.Path]:
    """{suite name: binary} of the suite binaries in a build folder: every executable hotbench_<name> that is
    not a test binary (hotbench_<name>_tests). The suite's name is the binary's, checked by its description."""
    found = {}
    build_dir = pathlib.Path(build_dir)
    if not build_dir.is_dir():
        return found
    for path in sorted(build_dir.glob(BINARY_PREFIX + "*")):
        name = path.name[len(BINARY_PREFIX):]
        if not path.is_file() or not (path.stat().st_mode & 0o111) or name.endswith("_tests") or "." in name:
            continue
        found[name] = path
    return found


def recorded(meta: dict, source: str = "metadata.json") -> dict[str, dict]:
    """{suite: description} a result set's metadata records (`suites.<name>.description`)."""
    out = {}
    suites = meta.get("suites") if isinstance(meta, dict) else None
    for name, suite in suites.items() if isinstance(suites, dict) else ():
        desc = suite.get("description") if isinstance(suite, dict) else None
        if desc is None:
            continue
        if not isinstance(desc, dict) or not isinstance(desc.get("metrics"), list):
            raise BadInput(f"{source}: suites.{name}.description: not a suite description (no list of metrics)")
        out[name] = desc
    return out


def all_built(build_dirs=None, profile: str = "default") -> dict[str, dict]:
    """{suite: description} of the suite binaries built in `build_dirs` (default BUILD_DIRS; the first folder
    having a suite wins). A binary that cannot describe itself (built before --hotbench_describe, or broken)
    is left out: what it would declare is then unknown, which the callers say."""
    out = {}
    for build_dir in BUILD_DIRS if build_dirs is None else build_dirs:
        for suite, binary in built(build_dir).items():
            if suite in out:
                continue
            try:
                out[suite] = of_binary(binary, profile)
            except (HotbenchError, OSError):
                continue
    return out


def of_suite(suite: str, meta: dict | None = None) -> dict | None:
    """One suite's description: the one `meta` records, else the built binary's, else None."""
    return recorded(meta or {}).get(suite) or all_built().get(suite)


# ---------------------------------------------------------------- `hotbench describe`

# The generated regions of docs/results-format.md: one per suite, and one for the harness's metrics.
DOC = ROOT / "docs" / "results-format.md"
HARNESS = "harness"


def begin_marker(part: str) -> str:
    return f"<!-- generated by `./hotbench describe --markdown`: {part} -->"


def end_marker(part: str) -> str:
    return f"<!-- end of generated: {part} -->"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _metric_table(metrics) -> list[str]:
    lines = ["| column | unit | better | kind | deterministic | meaning |", "| --- | --- | --- | --- | --- | --- |"]
    for m in metrics:
        lines.append(f"| `{_cell(m.name)}` | {_cell(m.unit)} | {m.better or ''} | {m.kind} | "
                     f"{'yes' if m.deterministic else ''} | {_cell(m.meaning)} |")
    return lines


def harness_metrics(descriptions: dict[str, dict]):
    """The harness's metrics (`from: harness`), declared alike by every suite: merged per name."""
    from . import metrics
    harness = {suite: dict(d, metrics=[m for m in d["metrics"] if m.get("from") == HARNESS])
               for suite, d in descriptions.items()}
    return metrics.of_descriptions(harness).all()


def suite_metrics(description: dict):
    from . import metrics
    own = [m for m in description["metrics"] if m.get("from") != HARNESS]
    return metrics.of_descriptions({description["suite"]: dict(description, metrics=own)}).all()


def markdown_parts(descriptions: dict[str, dict]) -> dict[str, str]:
    """{part: markdown}: "harness" (the metrics every suite has), then each suite's metrics and settings."""
    parts = {}
    if descriptions:
        parts[HARNESS] = "\n".join(_metric_table(harness_metrics(descriptions))) + "\n"
    for suite, d in descriptions.items():
        lines = [f"`{suite}`: {_cell(d.get('title', ''))}", "", "Metrics of its own:", ""]
        lines += _metric_table(suite_metrics(d))
        settings = d.get("settings", [])
        if not settings:
            lines += ["", "No settings."]
        else:
            lines += ["", f"Settings (`run --set {suite}.KEY=VALUE`):", "",
                      "| key | type | default | accepts | selects | what |", "| --- | --- | --- | --- | --- | --- |"]
        for st in settings:
            lines.append(f"| `{_cell(st['key'])}` | {st.get('type', '')} | `{_cell(st.get('default', ''))}` | "
                         f"{_cell(st.get('accepts', ''))} | {'yes' if st.get('selects') else ''} | "
                         f"{_cell(st.get('help', ''))} |")
        parts[suite] = "\n".join(lines) + "\n"
    return parts


def documented(descriptions: dict[str, dict]) -> dict[str, dict]:
    """The suites docs/results-format.md documents: those of the default run (not a test fixture suite)."""
    return {s: d for s, d in descriptions.items() if d.get("default_run", True)}


def markdown(descriptions: dict[str, dict]) -> str:
    """Every part between its markers, as docs/results-format.md holds it."""
    return "\n".join(f"{begin_marker(part)}\n{text}{end_marker(part)}\n" for part, text in markdown_parts(descriptions).items())


def documented_parts(text: str) -> dict[str, str]:
    """{part: markdown} of the generated regions of a document (the inverse of markdown())."""
    parts = {}
    for line in text.splitlines():
        if line.startswith("<!-- generated by `./hotbench describe --markdown`: "):
            part = line.removeprefix("<!-- generated by `./hotbench describe --markdown`: ").removesuffix(" -->")
            start = text.index(line) + len(line) + 1
            end = text.find(end_marker(part), start)
            if end >= 0:
                parts[part] = text[start:end]
    return parts


def updated_document(document: str, descriptions: dict[str, dict]) -> str:
    """`document` with each generated region it has replaced by what the descriptions say now; a part
    without a region in it is an error (where it goes is for a person to decide)."""
    for part, text in markdown_parts(descriptions).items():
        begin, end = begin_marker(part), end_marker(part)
        start = document.find(begin + "\n")
        stop = document.find(end, start)
        if start < 0 or stop < 0:
            raise HotbenchError(f"{DOC}: no generated region for {part}: add the lines {begin} and {end} where its "
                                "tables belong", EXIT_USAGE)
        start += len(begin) + 1
        document = document[:start] + text + document[stop:]
    return document


def text(descriptions: dict[str, dict]) -> str:
    """The plain-text listing: per suite its tasks, its metrics and its settings."""
    out = []
    for suite, d in descriptions.items():
        out.append(f"{suite}: {d.get('title', '')} ({d.get('benchmarks', '?')} benchmarks, profile {d.get('profile')})")
        out.append("  tasks:")
        for t in d.get("tasks", []):
            out.append(f"    {t['name']:<18} {t.get('benchmarks', 0):>4}  {t.get('what', '')}")
        out.append("  metrics (name, unit, better, kind, deterministic, from):")
        for m in d.get("metrics", []):
            out.append(f"    {m['name']:<22} {m.get('unit', ''):<32} {m.get('better') or '-':<7}"
                       f"{m.get('kind', ''):<11}{'exact' if m.get('deterministic') else '':<6}{m.get('from', '')}")
        out.append("  settings (key=default; * selects benchmarks only):")
        for st in d.get("settings", []):
            out.append(f"    {'*' if st.get('selects') else ' '} {st['key']}={st.get('default', '')}  "
                       f"{st.get('help', '')} ({st.get('accepts', '')})")
        libraries = d.get("libraries") or {}
        if libraries:
            out.append("  libraries: " + ", ".join(f"{k} {v}" for k, v in libraries.items()))
    return "\n".join(out) + "\n"


def add_arguments(p):
    p.add_argument("--suite", metavar="NAME", action="append",
                   help="only this suite (repeatable; default: every suite binary built)")
    p.add_argument("--build-dir", metavar="DIR", type=pathlib.Path, default=ROOT / "build" / "release",
                   help="where the suite binaries are")
    p.add_argument("--profile", choices=("quick", "default", "full"), default="default",
                   help="the profile whose tasks are listed (benchmark counts differ)")
    p.add_argument("--markdown", action="store_true",
                   help="the metric and setting tables of docs/results-format.md, between their markers")
    p.add_argument("--json", action="store_true", help="the descriptions as JSON, {suite: description}")
    p.add_argument("--update-doc", action="store_true",
                   help=f"rewrite the generated tables of {DOC.relative_to(ROOT)} from the binaries (atomically)")


def main(args) -> int:
    binaries = built(args.build_dir)
    if not binaries:
        raise HotbenchError(f"{args.build_dir}: no suite binary (hotbench_<suite>) built here; build them with "
                            "`cmake --preset release && cmake --build build/release`", EXIT_USAGE)
    wanted = args.suite or list(binaries)
    unknown = [s for s in wanted if s not in binaries]
    if unknown:
        raise HotbenchError(f"no suite binary for {', '.join(unknown)} in {args.build_dir} "
                            f"(built: {', '.join(binaries)})", EXIT_USAGE)
    descriptions = {s: of_binary(binaries[s], args.profile) for s in wanted}
    if not args.suite:
        descriptions = documented(descriptions)
    if args.update_doc:
        from . import atomic
        atomic.write_text(DOC, updated_document(DOC.read_text(), descriptions))
        print(f"{DOC.relative_to(ROOT)}: tables of {', '.join(markdown_parts(descriptions))} updated")
    elif args.json:
        sys.stdout.write(json.dumps(descriptions, indent=2) + "\n")
    elif args.markdown:
        sys.stdout.write(markdown(descriptions))
    else:
        sys.stdout.write(text(descriptions))
    return 0
