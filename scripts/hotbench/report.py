"""`hotbench report`: any result (result set, tidy CSV, Google Benchmark JSON) -> the tidy CSV,
its aggregates (--aggregate, one row per benchmark), or a self-contained HTML report (-o FILE.html)."""

import pathlib
import sys

from . import atomic, cli, tidy


def add_arguments(p):
    p.add_argument("input", type=pathlib.Path, help="a result set directory, a tidy CSV or Google Benchmark JSON")
    cli.add_output(p, "write here (atomically) instead of stdout: a FILE ending in .html gets the self-contained "
                      "HTML report, any other the CSV (default: the CSV on stdout)", dest="output",
                   formats={".html": "html", ".htm": "html", "": "output"})
    p.add_argument("--allow-incomplete", action="store_true", help="read a result set marked INCOMPLETE")
    p.add_argument("--aggregate", action="store_true",
                   help="one row per benchmark: median, min, max, mean, cv and n of every metric")
    cli.add_deprecated(p, "--html", dest="html", instead="-o FILE.html")


def main(args) -> int:
    rows, meta = tidy.load_rows(args.input, allow_incomplete=args.allow_incomplete)
    if args.html:
        from . import html_report
        html_report.write_report(args.html, rows, meta, source=args.input)
        return 0
    if args.aggregate:
        from . import aggregate
        text = aggregate.to_csv_text(aggregate.aggregate_rows(rows))
    else:
        text = tidy.to_csv_text(rows)
    if args.output:
        atomic.write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
