"""The skeleton of hotbench's self-contained HTML pages: one style sheet, escaping, the page around a body.

Input: a title, the body's parts (HTML already escaped), optionally more CSS and one inline script.
Output: the whole page as text: no external URL at all (no CDN, no web font, no link), so it can be
mailed, archived or opened offline. Used by the result-set report (html_report.py) and the history's
(history_report.py).
"""

import html

# Every style the page uses; system fonts only, so nothing is fetched.
CSS = """
:root { --bad: #b3261e; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4e0; --good: #1e6b35;
        --good-bg: #e8f5ec; --line: #d6d6d6; --muted: #555; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0 auto;
       max-width: 1280px; padding: 1.2em 1.6em 4em; color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.6em; margin: 0.2em 0; }
h2 { font-size: 1.3em; margin-top: 2em; border-bottom: 2px solid var(--line); padding-bottom: 0.2em; }
h3 { font-size: 1.1em; margin-top: 1.6em; }
nav a { margin-right: 1em; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid var(--line); padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.error td { background: var(--bad-bg); }
tr.partial td, tr.finding td { background: var(--warn-bg); }
tr.reference td { color: var(--muted); font-style: italic; }
table.answers { font-size: 0.8em; }
table.answers th, table.answers td { padding: 0.2em 0.4em; }
.banner { padding: 0.8em 1em; border-radius: 6px; margin: 1em 0; font-weight: 600; }
.banner.bad { background: var(--bad-bg); color: var(--bad); border: 2px solid var(--bad); }
.banner.warn { background: var(--warn-bg); color: var(--warn); border: 2px solid var(--warn); }
.banner.good { background: var(--good-bg); color: var(--good); border: 2px solid var(--good); }
section.errors { border: 3px solid var(--bad); border-radius: 6px; padding: 0 1em 0.6em; }
section.errors h2 { color: var(--bad); border: none; margin-top: 0.6em; }
figure { margin: 1em 0 2em; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9em; color: #333; max-width: 75em; }
figcaption ul.errors { color: var(--bad); margin: 0.3em 0; }
details > summary { cursor: pointer; color: #0b4f8a; margin: 0.4em 0; }
.muted { color: var(--muted); }
.status-ok { color: var(--good); font-weight: 600; }
.status-error { color: var(--bad); font-weight: 600; }
.status-partial, .status-finding { color: var(--warn); font-weight: 600; }
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: list[str], css: str = "", script: str = "") -> str:
    """The page: `body`'s non-empty parts in order; `script` (our own, inline) runs at the end of the body."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}{css}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part)
            + (f"\n<script>{script}</script>" if script else "") + "\n</body>\n</html>\n")
