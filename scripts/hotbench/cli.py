"""The single entry point: `python3 -m hotbench <subcommand>` (./hotbench wraps it).

Exit codes: 0 success; 1 the work ran and found a problem (error rows, a regression);
2 unresolved (the gate could not decide); 3 unreadable, invalid or incomparable input files;
4 usage error (bad flags or names, unusable folders; nothing ran); 5 set-up failure or a bug
in hotbench (one line; HOTBENCH_DEBUG=1 shows the traceback); 130 interrupted.
"""

import argparse
import importlib
import os
import pathlib
import sys
import traceback

from .errors import EXIT_INTERNAL, EXIT_USAGE, HotbenchError


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; 2 means "unresolved" here, so usage errors exit 4."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")

# name -> (module, one-line help). Each module has add_arguments(parser) and main(args) -> exit code.
SUBCOMMANDS = {
    "run": ("runner", "run benchmark suites and write a result set under results/"),
    "report": ("report", "turn a result set or Google Benchmark JSON into the tidy CSV, aggregates or HTML"),
    "compare": ("compare", "compare two results benchmark by benchmark, with confidence intervals"),
    "check": ("check", "the CI regression gate: exit 0 pass, 1 regression or missing benchmark, 2 unresolved, "
                       "3 bad input"),
    "gate": ("gate", "the CI gate: instruction counts of a subset vs the committed baseline (rebuilt from its "
                     "commit when not comparable)"),
    "overhead": ("overhead", "what the harness costs: parse rows against the bare-loop rows"),
    "plot": ("plot", "draw a result set's figures (PNG and SVG)"),
    "gate-experiment": ("gate_experiment", "measure the gate's false-positive and detection rates on this machine"),
    "smoke": ("smoke", "exercise a suite binary end to end in seconds (used by the tests)"),
}


def parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="hotbench", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND", parser_class=ArgumentParser)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(f".{module_name}", __package__)
        except ModuleNotFoundError as e:
            if e.name != f"{__package__}.{module_name}":
                raise
            continue  # a subcommand whose module is not written yet
        sp = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip(),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sp)
        sp.set_defaults(handler=module.main)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except HotbenchError as e:
        print(f"hotbench: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("hotbench: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: one line and its own code, never a traceback that exits 1 ("regression")
        if os.environ.get("HOTBENCH_DEBUG"):
            traceback.print_exc()
        where = traceback.extract_tb(e.__traceback__)[-1]
        print(f"hotbench: internal error: {type(e).__name__}: {e} (at {pathlib.Path(where.filename).name}:"
              f"{where.lineno}; HOTBENCH_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INTERNAL
