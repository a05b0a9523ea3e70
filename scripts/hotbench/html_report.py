"""`hotbench report INPUT -o FILE.html`: one self-contained HTML page per result.

The page needs nothing but itself: CSS is inline, figures are inline SVG drawn by plot.py in
memory, and there is no external URL at all (no CDN, no web font, no link), so it can be mailed,
archived or opened offline and shows the same thing forever. Everything that comes from the data
(benchmark names, error messages, metadata) is HTML-escaped.

Order of the page: title and verdict, errors (every error row, prominent), findings
(number_mismatches > 0), then one section per suite (json, cache, queue, then any other suite
alphabetically), each opening with its answers (per task and group: the best implementation, the
runner-up, the ratio between them, each one's distance to the task's floor; summary.py) followed
by the suite's figures, each with its caption and the table behind it; then the validation status
of every benchmark, and the run's metadata (machine, build, libraries, datasets with sha256, git).
"""

import json
import pathlib
import re
import statistics

from . import atomic, metrics, plot, summary
from .html_page import esc, page
from .errors import HotbenchError

def write_report(path, rows: list[dict], meta: dict, source) -> None:
    path = pathlib.Path(path)
    if not path.parent.is_dir():
        raise HotbenchError(f"{path}: cannot write the report: no folder {path.parent}")
    atomic.write_text(path, render_report(rows, meta, source))


@metrics.reading("meta")
def render_report(rows: list[dict], meta: dict, source) -> str:
    statuses = benchmark_statuses(rows)
    plots, notes, problem = make_plots(rows, meta, source)
    answers = summary.answers(rows)
    body = [
        heading(rows, meta, source, suites_of(plots, answers)),
        verdict(rows, statuses, meta),
        errors_section(rows),
        findings_section(statuses),
        figures_section(plots, notes, problem, answers),
        validation_section(statuses),
        metadata_section(meta, source),
    ]
    return page(page_title(rows, meta, source), body)


# ---------------------------------------------------------------------------------------------
# What the page is about


def run_id(rows: list[dict], meta: dict, source) -> str:
    ids = sorted({r.get("run_id") for r in rows if r.get("run_id")})
    if meta.get("run_id"):
        return meta["run_id"]
    if len(ids) == 1:
        return ids[0]
    return ", ".join(ids) if ids else str(source)


def page_title(rows, meta, source) -> str:
    return f"hotbench report: {run_id(rows, meta, source)}"


def heading(rows, meta, source, suites: list[str]) -> str:
    sections = [("errors", "Errors") if any(is_error(r) for r in rows) else None, ("findings", "Findings"),
                *[(suite_anchor(s), s) for s in suites], ("validation", "Validation"), ("metadata", "Metadata")]
    links = " ".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in filter(None, sections))
    return (f"<header><h1>{esc(page_title(rows, meta, source))}</h1>\n"
            f"<p class=\"muted\">source: <code>{esc(source)}</code> &middot; {esc(plot.provenance(meta, rows))}</p>\n"
            f"<nav>{links}</nav></header>")


def is_error(row: dict) -> bool:
    return row.get("status") == "error"


def benchmark_statuses(rows: list[dict]) -> list[dict]:
    """One entry per benchmark (and thread count), in the input's order."""
    statuses = {}
    for r in rows:
        entry = statuses.setdefault((r.get("benchmark"), r.get("threads")), {
            "benchmark": r.get("benchmark"), "threads": r.get("threads"), "ok": 0, "errors": [], "mismatches": []})
        if is_error(r):
            entry["errors"].append(r.get("error_message") or "unknown error")
        else:
            entry["ok"] += 1
            if plot.is_number(r.get("number_mismatches")):
                entry["mismatches"].append(r["number_mismatches"])
    for entry in statuses.values():
        entry["status"] = status_word(entry)
    return list(statuses.values())


def status_word(entry: dict) -> str:
    if entry["errors"]:
        return "error" if not entry["ok"] else "partial"
    if any(m > 0 for m in entry["mismatches"]):
        return "finding"
    return "ok"


def verdict(rows, statuses, meta) -> str:
    banners = []
    failed = [s for s in statuses if s["errors"]]
    error_rows = sum(1 for r in rows if is_error(r))
    if failed:
        partly = sum(1 for s in failed if s["ok"])
        how = f" ({partly} of them in some repetitions only)" if partly else ""
        banners.append(("bad", f"{len(failed)} of {len(statuses)} benchmarks failed{how}: {error_rows} error rows, "
                               "left out of every median and figure; see Errors below."))
    else:
        banners.append(("good", f"All {len(statuses)} benchmarks passed validation ({len(rows)} rows)."))
    findings = [s for s in statuses if s["status"] == "finding"]
    if findings:
        banners.append(("warn", f"{len(findings)} benchmarks report number mismatches (numbers not correctly "
                                "rounded): a finding, not an error; see Findings."))
    if meta.get("complete") is False:
        banners.append(("bad", "This result set is INCOMPLETE: the run was interrupted or failed."))
    if (meta.get("git") or {}).get("dirty"):
        banners.append(("warn", "Built from a working tree with uncommitted changes (git dirty)."))
    return "\n".join(f'<div class="banner {kind}">{esc(text)}</div>' for kind, text in banners)


# ---------------------------------------------------------------------------------------------
# Errors and findings


def table(headers: list[str] | None, rows: list[list], classes: list[str] | None = None,
          numeric: set[int] = frozenset(), css_class: str = "") -> str:
    """An HTML table; cells are escaped here, so callers pass raw values. No headers: key-value rows."""
    head = "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead>\n" if headers else ""
    lines = []
    for i, cells in enumerate(rows):
        css = f' class="{esc(classes[i])}"' if classes and classes[i] else ""
        tds = "".join(f'<td class="num">{esc(c)}</td>' if j in numeric else f"<td>{esc(c)}</td>"
                      for j, c in enumerate(cells))
        lines.append(f"<tr{css}>{tds}</tr>")
    opening = f'<table class="{esc(css_class)}">' if css_class else "<table>"
    return f"{opening}\n{head}<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table>"


def errors_section(rows: list[dict]) -> str:
    errors = [r for r in rows if is_error(r)]
    if not errors:
        return ""
    listed = [[r.get("benchmark"), r.get("threads"), r.get("repetition"), r.get("process"),
               r.get("error_message") or "unknown error"] for r in errors]
    return ('<section class="errors" id="errors">\n'
            f"<h2>Errors: {len(errors)} error rows</h2>\n"
            "<p>These repetitions failed validation or their library failed; they are not in any median. "
            "The message names the file and the place when the input is at fault.</p>\n"
            + table(["benchmark", "threads", "repetition", "process", "message"], listed, ["error"] * len(listed),
                    numeric={1, 2, 3})
            + "\n</section>")


def findings_section(statuses: list[dict]) -> str:
    found = [s for s in statuses if any(m > 0 for m in s["mismatches"])]
    intro = ("<p><code>number_mismatches</code>: numbers whose parsed value differs from the correctly rounded "
             "one. A finding about the library's accuracy, not an error: the benchmark still counts.</p>")
    if not found:
        return (f'<section id="findings"><h2>Findings</h2>\n{intro}\n'
                "<p>No benchmark reports number mismatches.</p></section>")
    listed = [[s["benchmark"], s["threads"], plot.format_value(statistics.median(s["mismatches"])),
               plot.format_value(max(s["mismatches"])), len(s["mismatches"])] for s in found]
    return (f'<section id="findings"><h2>Findings: {len(found)} benchmarks with number mismatches</h2>\n{intro}\n'
            + table(["benchmark", "threads", "median mismatches", "max mismatches", "repetitions"], listed,
                    ["finding"] * len(listed), numeric={1, 2, 3, 4})
            + "</section>")


def validation_section(statuses: list[dict]) -> str:
    counts = {}
    for s in statuses:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    words = {"ok": "ok", "finding": "ok with number mismatches", "partial": "partly failed", "error": "failed"}
    summary = ", ".join(f"{counts[k]} {words[k]}" for k in words if k in counts)
    listed = [[s["benchmark"], s["threads"], s["status"], s["ok"], len(s["errors"]),
               plot.format_value(max(s["mismatches"])) if s["mismatches"] else "",
               s["errors"][0] if s["errors"] else ""] for s in statuses]
    classes = [{"error": "error", "partial": "partial", "finding": "finding"}.get(s["status"], "") for s in statuses]
    is_open = " open" if any(s["errors"] for s in statuses) else ""
    return ('<section id="validation"><h2>Validation status per benchmark</h2>\n'
            f"<details{is_open}><summary>{len(statuses)} benchmarks: {esc(summary)}</summary>\n"
            + table(["benchmark", "threads", "status", "ok repetitions", "error repetitions", "number mismatches (max)",
                     "first error"], listed, classes, numeric={1, 3, 4, 5})
            + "</details></section>")


# ---------------------------------------------------------------------------------------------
# Figures


def make_plots(rows, meta, source):
    """(plots, notes, problem): problem explains why there is no figure at all (every row failed)."""
    try:
        plots, notes = plot.build_plots(rows, meta, source=source, caption_in_figure=False)
        return plots, notes, None
    except plot.NothingToPlot as e:
        return [], [], str(e)


def suites_of(plots, answers: dict) -> list[str]:
    """Every suite with an answer or a figure, in suites.ORDER order, then alphabetically."""
    return sorted({p.suite for p in plots} | set(answers), key=plot.suite_rank)


def suite_anchor(suite: str) -> str:
    return f"suite-{re.sub(r'[^A-Za-z0-9_-]', '-', suite)}"


def figures_section(plots, notes, problem, answers: dict) -> str:
    """One section per suite: its answers first, then its figures."""
    parts = ['<div id="figures">']
    if problem:
        parts.append(f'<div class="banner bad">{esc(problem)}</div>')
    index = 0
    for suite in suites_of(plots, answers):
        parts.append(f'<section id="{esc(suite_anchor(suite))}"><h2>{esc(suite)}</h2>')
        parts.append(answers_html(suite, answers.get(suite, [])))
        for note in notes:
            if note.startswith(f"{suite}/"):
                parts.append(f'<p class="muted">{esc(note)}</p>')
        for p in plots:
            if p.suite == suite:
                parts.append(figure_html(p, index))
                index += 1
        parts.append("</section>")
    parts.append("</div>")
    return "\n".join(parts)


def short_unit(metric: str) -> str:
    """The unit to write after a value in a narrow cell: "MB/s", "op/s", "ns/op"; none for a fraction."""
    unit = re.split(r"[,(]", plot.describe(metric)[1])[0].strip()  # "MB/s (10^6 B/s)" -> "MB/s"
    if unit in ("", "fraction"):
        return ""
    return unit.replace("operations/s", "op/s").replace(" per operation", "/op")


def with_unit(value, metric: str) -> str:
    if value is None:
        return ""
    unit = short_unit(metric)
    return f"{plot.format_value(value)} {unit}".strip()


def times(factor) -> str:
    return "" if factor is None else f"\u00d7{factor:.2f}"


def answers_html(suite: str, answers: list) -> str:
    """The suite's answers as one compact table (summary.py says how groups and floors are chosen)."""
    if not answers:
        return f'<p class="muted">{esc(suite)}: no task has a value to rank.</p>'
    listed, classes = [], []
    for i, a in enumerate(answers):
        first_of_task = i == 0 or answers[i - 1].task != a.task  # task and metric once, the rows below are its
        floor = ""
        if a.floor:
            floor = f"{a.floor.name}: {with_unit(a.floor.median, a.metric)}"
        errors = f"{a.error_rows} of {a.rows}" if a.error_rows else "0"
        metric = f"{plot.describe(a.metric)[0]}, " + (f"{a.better} is better" if a.better else "no better direction")
        is_floor = a.floor_note == "is the floor"  # floors of different kinds: ranked, but not raced
        listed.append([a.task if first_of_task else "", a.group, metric if first_of_task else "",
                       a.best.name if a.best else "(no ok row)", with_unit(a.best.median, a.metric) if a.best else "",
                       a.runner_up.name if a.runner_up else "", with_unit(a.runner_up.median, a.metric)
                       if a.runner_up else "", "" if is_floor else times(a.ratio), floor or a.floor_note,
                       times(a.to_floor(a.best)), times(a.to_floor(a.runner_up)), errors])
        classes.append("error" if a.error_rows and not a.best else "partial" if a.error_rows else
                       "reference" if a.floor_note == "is the floor" else "")
    why = {}  # one line per kind of floor, naming the tasks it bounds
    for (s, task), spec in summary.FLOORS.items():
        if s == suite and any(a.task == task for a in answers):
            why.setdefault(spec.why, []).append(task)
    floors = "; ".join(f"{', '.join(tasks)}: {text}" for text, tasks in why.items())
    return ("<h3>Answers</h3>\n<p>Per task and group of comparable rows (same dataset, thread count and workload "
            "parameters; the group names only the parameters that differ between a task's groups): the best "
            "implementation by the median over ok repetitions of the task's main metric, the runner-up, and how "
            "many times the best beats it (\u00d7). Floor: the bound of that task measured in the same run; "
            "\u201cto floor\u201d says how many times the floor beats each one (\u00d71.00 = at the floor). "
            "Error rows are left out of every median and counted in the last column.</p>\n"
            + table(["task", "group", "metric", "best", "value", "runner-up", "value", "best \u00f7 runner-up",
                     "floor", "best to floor", "runner-up to floor", "error rows"],
                    listed, classes, numeric={4, 6, 7, 9, 10}, css_class="answers")
            + (f'\n<p class="muted">Floors: {esc(floors)}. Tasks not listed have no floor.</p>' if floors else ""))


def figure_html(p: plot.Plot, index: int) -> str:
    errors = ""
    if p.errors:
        errors = '<ul class="errors">' + "".join(f"<li>{esc(e)}</li>" for e in p.errors) + "</ul>"
    numeric = {i for i, c in enumerate(p.table.columns) if c.split(" ")[0] in ("median", "min", "max", "n")}
    return (f'<h3 id="{esc(p.name)}">{esc(p.title)}</h3>\n<figure>\n{inline_svg(p, index)}\n'
            f"<figcaption><p>{esc(p.description)}</p>{errors}<p class=\"muted\">{esc(p.provenance)}</p>"
            "</figcaption>\n</figure>\n"
            f"<details><summary>Table behind this figure ({len(p.table.rows)} rows)</summary>\n"
            + table(p.table.columns, p.table.rows, p.table.kinds, numeric) + "</details>")


_BEFORE_SVG = re.compile(r"\A.*?(?=<svg\b)", re.S)  # XML declaration and DOCTYPE (which names a w3.org URL)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_METADATA = re.compile(r"<metadata\b.*?</metadata>", re.S)
_ID_REF = re.compile(r'(\bid="|href="#|url\(#)([^")]+)')


def inline_svg(p: plot.Plot, index: int) -> str:
    """The figure as an <svg> element for the page. matplotlib names its definitions (glyphs, clip
    paths) the same in every figure, so ids get a per-figure prefix to stay unique in the page."""
    svg = plot.render(p, "svg").decode("utf-8")
    svg = _BEFORE_SVG.sub("", svg, count=1)
    svg = _METADATA.sub("", _COMMENT.sub("", svg))
    svg = _ID_REF.sub(lambda m: f"{m.group(1)}f{index}-{m.group(2)}", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(p.title)}" ', 1).strip()


# ---------------------------------------------------------------------------------------------
# Metadata


def metadata_section(meta: dict, source) -> str:
    parts = ['<section id="metadata"><h2>Metadata</h2>']
    if not meta:
        parts.append(f"<p>No metadata: <code>{esc(source)}</code> is not a result set (a tidy CSV carries only "
                     "the measurements).</p></section>")
        return "\n".join(parts)
    run_keys = ["run_id", "complete", "started_utc", "finished_utc", "profile", "command", "benchmark_args"]
    parts.append(key_values("Run", {k: meta[k] for k in run_keys if k in meta}))
    parts.append(key_values("Git", meta.get("git")))
    machine = dict(meta.get("machine") or {})
    if "caches" in machine:
        machine["caches"] = caches_text(machine["caches"])
    parts.append(key_values("Machine", machine))
    parts.append(key_values("Build", meta.get("build")))
    parts.append(key_values("Libraries", meta.get("libraries")))
    parts.append(key_values("Debian packages", meta.get("debian_packages")))
    parts.append(datasets_table(meta.get("datasets")))
    known = set(run_keys) | {"git", "machine", "build", "libraries", "debian_packages", "datasets", "schema_version"}
    rest = {k: v for k, v in meta.items() if k not in known}
    if rest:
        parts.append("<details><summary>Everything else in the metadata (Google Benchmark context, suite "
                     "commands)</summary>\n<pre class=\"mono\">" + esc(json.dumps(rest, indent=2, sort_keys=True))
                     + "</pre></details>")
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def key_values(title: str, values: dict | None) -> str:
    if not values:
        return ""
    rows = [[key, value_text(value)] for key, value in values.items()]
    return f"<h3>{esc(title)}</h3>\n" + table(None, rows)


def value_text(value) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if value is None:
        return "unknown"
    return str(value)


def caches_text(caches) -> str:
    if not isinstance(caches, list):
        return value_text(caches)
    words = []
    for c in caches:
        if isinstance(c, dict) and isinstance(c.get("size"), (int, float)):
            shared = f", shared by {c['num_sharing']}" if c.get("num_sharing", 1) > 1 else ""
            words.append(f"L{c.get('level')} {str(c.get('type', '')).lower()} {c['size'] / 1024:g} KiB{shared}")
    return "; ".join(words) if words else value_text(caches)


def datasets_table(datasets) -> str:
    if not datasets:
        return ""
    rows = [[d.get("name"), d.get("path"), plot.format_value(d.get("bytes")) if plot.is_number(d.get("bytes")) else "",
             d.get("sha256")] for d in datasets if isinstance(d, dict)]
    return "<h3>Datasets</h3>\n" + table(["name", "path", "bytes", "sha256"], rows, numeric={2})
