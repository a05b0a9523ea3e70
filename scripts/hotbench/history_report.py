"""`hotbench history report -o FILE.html`: the history as one self-contained, offline HTML page.

Input: a History (history_changes.load: runs, series and their points, change points). Output: one page
(html_page.page: no external URL) with
- a search box and a "only series with change points" switch (a few lines of inline script of our own;
  a link to the page ending in #filter=WORDS opens it filtered);
- per suite, metric and machine, the geometric mean over its benchmarks of each value relative to the
  benchmark's first, run by run: the suite's trend in one line;
- per series, its trend: the median of each run's repetitions, the noise band (the lowest to the
  highest repetition of each run), every change point marked (a dashed line before its first run,
  its id, change and commit range in the table below and in the line's tooltip).
Charts are inline SVG drawn here; every text from the data is escaped.
"""

import math
import statistics

from . import atomic, history_changes
from .errors import HotbenchError
from .html_page import esc, page

WIDTH, HEIGHT, MARGIN = 720, 170, 46

# How a chart draws, in the page (under svg.trend) and in a standalone figure (report --figures) alike.
CHART_RULES = {
    ".band": "fill: #b7d3ee; fill-opacity: 0.6;",
    ".line": "fill: none; stroke: #0b4f8a; stroke-width: 1.5;",
    ".change": "stroke: #b3261e; stroke-width: 2; stroke-dasharray: 4 3;",  # html_page's --bad
    ".axis": "stroke: #888; stroke-width: 1;",
    "text": "font-size: 11px; fill: #333;",
}

CSS = """
.controls { position: sticky; top: 0; background: #fff; padding: 0.5em 0; border-bottom: 1px solid var(--line); }
.controls input[type=search] { width: 28em; font-size: 1em; padding: 0.2em 0.4em; }
section.series { margin: 1.2em 0 2em; }
section.series.hidden, section.suite-trend.hidden { display: none; }
svg.trend { max-width: 100%; height: auto; display: block; }
""" + "".join(f"svg.trend {selector} {{ {rule} }}\n" for selector, rule in CHART_RULES.items())

SCRIPT = """
(function () {
  var box = document.getElementById('filter'), only = document.getElementById('only-changes');
  var count = document.getElementById('shown');
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), shown = 0;
    document.querySelectorAll('section.series, section.suite-trend').forEach(function (s) {
      var name = s.getAttribute('data-name').toLowerCase();
      var ok = words.every(function (w) { return name.indexOf(w) >= 0; });
      if (s.classList.contains('series') && only.checked && s.getAttribute('data-changes') === '0') ok = false;
      s.classList.toggle('hidden', !ok);
      if (ok && s.classList.contains('series')) shown++;
    });
    count.textContent = shown;
  }
  if (location.hash.indexOf('#filter=') === 0) box.value = decodeURIComponent(location.hash.slice(8));
  box.addEventListener('input', apply);
  only.addEventListener('change', apply);
  apply();
})();
"""


def write(path, history: history_changes.History, db_name: str, figures=None) -> None:
    """The page at `path`; with `figures` (a folder), also each suite's trend as a standalone SVG file there
    (history-<suite>-<metric>.svg: for a README or a pull request, where a page's inline charts cannot go)."""
    for folder in (path.parent, figures):
        if folder is not None and not folder.is_dir():
            raise HotbenchError(f"{folder}: cannot write the report: no such folder")
    atomic.write_text(path, render(history, db_name))
    if figures is not None:
        for name, (svg, heading) in suite_charts(history).items():
            atomic.write_text(figures / f"history-{name}.svg", standalone(svg, heading))


# A standalone SVG file has no page around it: the chart's rules, a font, and its heading's.
FIGURE_STYLE = (" ".join(f"{selector} {{ {rule} }}" for selector, rule in CHART_RULES.items())
                + " text { font-family: sans-serif; } .heading { font-size: 13px; font-weight: bold; }")


def standalone(svg: str, heading: str) -> str:
    """An inline chart as an SVG file: its namespace, its style, a white background, a visible heading."""
    chart = svg.replace("<svg ", '<svg y="24" ', 1)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 24}" width="{WIDTH}" '
            f'height="{HEIGHT + 24}"><style>{FIGURE_STYLE}</style><rect width="100%" height="100%" fill="#fff"/>'
            f'<text class="heading" x="4" y="16">{esc(heading)}</text>'
            f'{chart}</svg>\n')


def render(history: history_changes.History, db_name: str) -> str:
    changes_by_series = {}
    for c in history.changes:
        changes_by_series.setdefault(c.series_key, []).append(c)
    new = sum(c.state == "new" for c in history.changes)
    body = [f"<header><h1>hotbench history</h1>\n<p class=\"muted\">{esc(db_name)} &middot; {len(history.runs)} runs "
            f"&middot; {len(history.series)} series &middot; {len(history.changes)} change point(s), {new} new</p>"
            "</header>",
            "<div class=\"controls\"><input type=\"search\" id=\"filter\" placeholder=\"filter: words of a benchmark, "
            "metric or machine\" aria-label=\"filter\"> <label><input type=\"checkbox\" id=\"only-changes\"> only "
            f"series with change points</label> <span class=\"muted\"><span id=\"shown\">{len(history.series)}"
            "</span> series shown</span></div>",
            suite_trends(history),
            "<h2 id=\"series\">Series</h2>"]
    body += [series_section(s, history, changes_by_series.get(s["series_key"], [])) for s in history.series]
    return page(f"hotbench history: {db_name}", body, CSS, SCRIPT)


def medians_and_bands(points) -> list[tuple[float, float, float]]:
    return [(statistics.median(v), min(v), max(v)) for _, v in points]


def series_section(s: dict, history, changes: list) -> str:
    points = history.points[s["series_key"]]
    commits = [history.runs[k]["commit_sha"] for k, _ in points]
    title = f"{s['benchmark']}" + (f" ({s['threads']} threads)" if s["threads"] != 1 else "")
    marks = [(c.index, f"{c.change_id}: {history_changes.change_text(c)} at {history_changes.commits_text(c)}")
             for c in changes]
    chart = svg_chart(medians_and_bands(points), marks, commits, f"{title} {s['metric']}")
    rows = "".join(
        f"<tr><td><code>{esc(c.change_id)}</code></td><td>{esc(c.state)}</td><td class=\"num\">"
        f"{esc(history_changes.change_text(c))}</td><td><code>{esc(history_changes.commits_text(c))}</code></td>"
        f"<td>{esc('; '.join(c.context_changes))}</td><td>{esc(c.note)}</td></tr>" for c in changes)
    table = ("<table><tr><th>change point</th><th>state</th><th>change [95 % CI] (median before -> after)</th>"
             f"<th>commits</th><th>also changed</th><th>note</th></tr>{rows}</table>") if changes else ""
    name = f"{s['benchmark']} {s['metric']} {s['machine']} {s['suite']}"
    return (f"<section class=\"series\" data-name=\"{esc(name)}\" data-changes=\"{len(changes)}\">"
            f"<h3>{esc(title)} &middot; {esc(s['metric'])}</h3><p class=\"muted\">{esc(s['machine'])} &middot; "
            f"{len(points)} runs</p>{chart}{table}</section>")


def suite_groups(history) -> dict:
    """(suite, metric, machine) -> its series."""
    groups = {}
    for s in history.series:
        groups.setdefault((s["suite"] or "(no suite)", s["metric"], s["machine"]), []).append(s)
    return groups


def suite_trend(history, members: list[dict], title: str) -> str | None:
    """The geometric mean of value / the series' first value, run by run, as a chart; each run where a series
    of the group has a change point is marked with how many do. None when no series has positive values."""
    logs = {}
    for s in members:
        medians = [(k, statistics.median(v)) for k, v in history.points[s["series_key"]]]
        if not medians or any(m <= 0 for _, m in medians):
            continue  # a ratio to the first value needs positive values
        first = medians[0][1]
        for run_key, m in medians:
            logs.setdefault(run_key, []).append(math.log(m / first))
    if not logs:
        return None
    run_keys = sorted(logs)
    values = [math.exp(statistics.fmean(logs[k])) for k in run_keys]
    commits = [history.runs[k]["commit_sha"] for k in run_keys]
    keys = {s["series_key"] for s in members}
    changed = {}
    for c in history.changes:
        if c.series_key in keys and c.run_key in logs:
            changed.setdefault(c.run_key, []).append(c)
    marks = []
    for k, cs in sorted(changed.items()):
        largest = sorted(cs, key=lambda c: -abs(c.change))[:5]
        marks.append((run_keys.index(k), f"{len(cs)} change point(s) before {history_changes.short(cs[0].commit_after)}"
                      f"{', the largest' if len(cs) > 5 else ''}: "
                      + ", ".join(f"{c.benchmark} {c.change * 100:+.2f} %" for c in largest)))
    return svg_chart([(v, v, v) for v in values], marks, commits, title, relative=True)


def suite_charts(history) -> dict:
    """File name stem -> (chart, heading) of each suite trend (the figures of `report --figures`)."""
    groups = suite_groups(history)
    machines = {}
    for suite, metric, machine in groups:
        machines.setdefault((suite, metric), []).append(machine)
    out = {}
    for (suite, metric, machine), members in sorted(groups.items()):
        heading = (f"{suite} {metric}: geometric mean of {len(members)} benchmarks relative to their first run, "
                   f"{len(history.runs)} runs")
        chart = suite_trend(history, members, heading)
        if chart is not None:
            # the machine in the name only when the suite and metric have series on several machines
            parts = (suite, metric, machine) if len(machines[(suite, metric)]) > 1 else (suite, metric)
            out["-".join("".join(ch if ch.isalnum() else "_" for ch in part) for part in parts)] = (
                chart, heading + (f" ({machine})" if len(parts) == 3 else ""))
    return out


def suite_trends(history) -> str:
    """Per suite x metric x machine: the geometric mean of value / the series' first value, run by run."""
    parts = ["<h2 id=\"suites\">Geometric mean per suite</h2>",
             "<p class=\"muted\">Each benchmark's median relative to its first run, the geometric mean over the "
             "suite's benchmarks measured in that run; a dashed line before each run where one of them has a change "
             "point.</p>"]
    for (suite, metric, machine), members in sorted(suite_groups(history).items()):
        chart = suite_trend(history, members, f"{suite} {metric} geometric mean")
        if chart is None:
            continue
        parts.append(f"<section class=\"suite-trend\" data-name=\"{esc(f'{suite} {metric} {machine}')}\">"
                     f"<h3>{esc(suite)} &middot; {esc(metric)}</h3><p class=\"muted\">{esc(machine)} &middot; "
                     f"{len(members)} benchmarks</p>{chart}</section>")
    return "\n".join(parts)


def svg_chart(points: list[tuple[float, float, float]], marks: list[tuple[int, str]], commits: list, title: str,
              relative: bool = False) -> str:
    """(median, low, high) per run as a line over its band; marks (index, text) as dashed lines. `relative`:
    the values are ratios to a first value, labelled as the change from it in %."""
    n = len(points)
    low = min(p[1] for p in points)
    high = max(p[2] for p in points)
    if high == low:
        low, high = low - (abs(low) * 0.01 or 1), high + (abs(high) * 0.01 or 1)

    def x(i: float) -> float:
        return MARGIN + (WIDTH - 2 * MARGIN) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return HEIGHT - 24 - (HEIGHT - 40) * (v - low) / (high - low)

    band = " ".join(f"{x(i):.1f},{y(p[2]):.1f}" for i, p in enumerate(points))
    band += " " + " ".join(f"{x(i):.1f},{y(p[1]):.1f}" for i, p in reversed(list(enumerate(points))))
    line = " ".join(f"{x(i):.1f},{y(p[0]):.1f}" for i, p in enumerate(points))
    parts = [f"<svg class=\"trend\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" "
             f"role=\"img\" aria-label=\"{esc(title)}\"><title>{esc(title)}</title>",
             f"<line class=\"axis\" x1=\"{MARGIN}\" y1=\"{HEIGHT - 24}\" x2=\"{WIDTH - MARGIN}\" y2=\"{HEIGHT - 24}\"/>",
             f"<polygon class=\"band\" points=\"{band}\"/>",
             f"<polyline class=\"line\" points=\"{line}\"><title>{esc(title)}</title></polyline>"]
    for index, text in marks:
        at = x(index - 0.5)
        parts.append(f"<line class=\"change\" x1=\"{at:.1f}\" y1=\"8\" x2=\"{at:.1f}\" y2=\"{HEIGHT - 24}\">"
                     f"<title>{esc(text)}</title></line>")
    label = (lambda v: f"{(v - 1) * 100:+.3g} %") if relative else (lambda v: f"{v:.4g}")
    parts.append(f"<text x=\"2\" y=\"{y(high) + 4:.1f}\">{esc(label(high))}</text>"
                 f"<text x=\"2\" y=\"{y(low):.1f}\">{esc(label(low))}</text>")
    if commits:
        parts.append(f"<text x=\"{MARGIN}\" y=\"{HEIGHT - 8}\">{esc(history_changes.short(commits[0]))}</text>"
                     f"<text x=\"{WIDTH - MARGIN}\" y=\"{HEIGHT - 8}\" text-anchor=\"end\">"
                     f"{esc(history_changes.short(commits[-1]))}</text>")
    return "".join(parts) + "</svg>"
