"""The single entry point: `python3 -m hotbench <subcommand>` (./hotbench wraps it).

Exit codes: 0 success; 1 the work ran and found a problem (error rows, a regression);
2 unresolved (the gate could not decide); 3 unreadable, invalid or incomparable input files;
4 usage error (bad flags or names, unusable folders; nothing ran); 5 set-up failure or a bug
in hotbench (one line; HOTBENCH_DEBUG=1 shows the traceback); 130 interrupted.
"""

import argparse
import copy
import importlib
import importlib.util
import os
import pathlib
import sys
import traceback

from .errors import EXIT_INTERNAL, EXIT_USAGE, HotbenchError

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The heavy dependencies (import name -> Debian package). ./hotbench installs them (PACKAGES); every
# module imports them on first use only (LazyModule, plot.mpl), so that `--help` of every subcommand
# works before set-up; SUBCOMMANDS says which subcommand needs which, checked before anything runs.
HEAVY = {"numpy": "python3-numpy", "pandas": "python3-pandas", "matplotlib": "python3-matplotlib"}

# name -> (module, one-line help, heavy dependencies). Each module has add_arguments(parser) and
# main(args) -> exit code. test_cli.py checks `needs` against the modules each subcommand imports.
SUBCOMMANDS = {
    "run": ("runner", "run benchmark suites and write a result set under results/", ()),
    "report": ("report", "turn a result set or Google Benchmark JSON into the tidy CSV, aggregates or HTML",
               ("numpy", "matplotlib")),
    "compare": ("compare", "compare two results benchmark by benchmark, with confidence intervals", ("numpy",)),
    "check": ("check", "the CI regression gate: exit 0 pass, 1 regression or missing benchmark, 2 unresolved, "
                       "3 bad input", ("numpy",)),
    "gate": ("gate", "the CI gate: instruction counts of a subset vs the committed baseline (rebuilt from its "
                     "commit when not comparable)", ("numpy",)),
    "overhead": ("overhead", "what the harness costs: each row against its bare-loop twin (<task>_bare)", ("numpy",)),
    "plot": ("plot", "draw a result set's figures (PNG and SVG)", ("matplotlib",)),
    "gate-experiment": ("gate_experiment", "measure the gate's false-positive and detection rates on this machine",
                        ("numpy",)),
    "smoke": ("smoke", "exercise a suite binary end to end in seconds (used by the tests)", ()),
    "history": ("history", "the results history: add runs, find change points across commits, triage, report",
                ("numpy",)),
    "count": ("foreign", "count instructions and estimated cycles per iteration of any Google Benchmark binary "
                         "under callgrind into a result set", ()),
    "describe": ("describe", "what the suite binaries describe: tasks, metrics (units, better direction), settings", ()),
}


class LazyModule:
    """A module imported on first attribute use. A heavy dependency (`np = cli.LazyModule("numpy")`): building
    the parsers imports every subcommand's module, and must work on a machine without numpy. And plot in the
    suites/<suite>.py modules, which smoke imports too: only drawing needs plot (and with it matplotlib)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(importlib.import_module(self._name), attribute)


def missing_packages(modules) -> list[str]:
    """The Debian packages of the heavy `modules` that are not installed (found, not imported: importing
    matplotlib alone takes about a second)."""
    missing = []
    for name in modules:
        try:
            found = name in sys.modules or importlib.util.find_spec(name) is not None
        except ImportError:
            found = False
        if not found:
            missing.append(HEAVY[name])
    return missing


def missing_message(command: str, packages: list[str]) -> str:
    """One line: what is missing and the command that installs it."""
    return (f"hotbench: error: `hotbench {command}` needs the Debian package(s) {' '.join(packages)}, not installed; "
            f"`./hotbench test` or `./hotbench run` installs them when run as root (or: sudo apt-get install -y "
            f"{' '.join(packages)})")


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; 2 means "unresolved" here, so usage errors exit 4."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def shown_default(value):
    """A default as the help shows it: paths inside the checkout relative to it (results/, not /home/...)."""
    if isinstance(value, pathlib.Path):
        try:
            return value.resolve().relative_to(ROOT).as_posix() or "."
        except ValueError:
            return str(value)
    return value


def has_default(action) -> bool:
    """Whether an option's default is worth showing: not None, False, an empty list or suppressed."""
    return action.default not in (None, False, [], argparse.SUPPRESS) and action.help is not argparse.SUPPRESS


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written (module docstrings); every option with a default shows it, the
    `(default: X)` appended unless the help places %(default)s itself."""

    def _get_help_string(self, action):
        text = action.help or ""
        if has_default(action) and "%(default)" not in text and (action.option_strings or action.nargs in "?*"):
            text += " (default: %(default)s)"
        return text

    def _expand_help(self, action):
        if isinstance(action.default, pathlib.Path):
            action = copy.copy(action)
            action.default = shown_default(action.default)
        return super()._expand_help(action)


# ---------------------------------------------------------------- output files: one spelling
# The one output of a command is `-o/--output`; a command that writes several formats picks the
# format by the file's suffix (repeatable: `compare A B -o pr.md -o diff.csv`). The spellings before
# (--html, --markdown, --csv, --junit, --out, --results) still work, hidden from --help, with a note.

class _OutputBySuffix(argparse.Action):
    """-o/--output FILE stored in the dest its suffix names (`formats`: suffix -> dest; "" any other)."""

    def __init__(self, option_strings, dest, formats, **kw):
        self.formats = formats
        super().__init__(option_strings, dest, **kw)

    def __call__(self, parser, namespace, value, option_string=None):
        suffix = pathlib.Path(value).suffix.lower()
        dest = self.formats.get(suffix, self.formats.get(""))
        if dest is None:
            known = ", ".join(s for s in self.formats if s)
            raise argparse.ArgumentError(self, f"cannot tell the format of '{value}' from its suffix (known: {known})")
        setattr(namespace, dest, value)


def add_output(p, help, *, dest, formats=None, metavar="FILE", default=None, type=pathlib.Path):
    """The command's `-o/--output`. `formats` (suffix -> dest) when the suffix picks what is written."""
    if formats is None:
        return p.add_argument("-o", "--output", dest=dest, metavar=metavar, default=default, type=type, help=help)
    for other in set(formats.values()) - {dest}:
        p.set_defaults(**{other: None})
    return p.add_argument("-o", "--output", dest=dest, metavar=metavar, default=default, type=type, help=help,
                          action=_OutputBySuffix, formats=formats)


class _Deprecated(argparse.Action):
    """An old spelling, hidden from --help: works as before, with a one-line note naming the new one."""

    def __init__(self, option_strings, dest, instead, **kw):
        self.instead = instead
        super().__init__(option_strings, dest, **kw)

    def __call__(self, parser, namespace, value, option_string=None):
        print(f"hotbench: note: {option_string} is deprecated; use {self.instead}", file=sys.stderr)
        setattr(namespace, self.dest, value)


def add_deprecated(p, old: str, *, dest, instead: str, default=None, type=pathlib.Path):
    """`old` kept as a deprecated alias of `instead` (README, "Command line": the table of old spellings)."""
    return p.add_argument(old, dest=dest, default=default, type=type, help=argparse.SUPPRESS, action=_Deprecated,
                          instead=instead)


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser. `only`: the one subcommand to build (its module imported, its arguments added),
    and no other; "": none built, each listed with its help (for --help and a usage error); None: all of them.
    Building them all imports every module and takes about 11 ms, which each command and each in-process
    test call paid to parse the arguments of one subcommand (pytest: 839 calls, about 9 CPU-s)."""
    p = ArgumentParser(prog="hotbench", description=__doc__, formatter_class=HelpFormatter)
    sub = p.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND", parser_class=ArgumentParser)
    for name, (module_name, help_text, _) in SUBCOMMANDS.items():
        if only == "" and importlib.util.find_spec(f".{module_name}", __package__) is not None:
            sub.add_parser(name, help=help_text)
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f".{module_name}", __package__)
        except ModuleNotFoundError as e:
            if e.name != f"{__package__}.{module_name}":
                raise
            continue  # a subcommand whose module is not written yet
        sp = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip(),
                            formatter_class=HelpFormatter)
        module.add_arguments(sp)
        sp.set_defaults(handler=module.main)
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    # The subcommand comes first (the top level has no option but --help, which lists them all).
    try:
        p = parser(only=argv[0] if argv and argv[0] in SUBCOMMANDS else "")
    except Exception as e:  # a bug in some add_arguments: still one line, never a traceback
        return _internal_error(e)
    args = p.parse_args(argv)
    missing = missing_packages(SUBCOMMANDS[args.command][2])
    if missing:  # before anything runs: never minutes of benchmarks, then a missing numpy
        print(missing_message(args.command, missing), file=sys.stderr)
        return EXIT_INTERNAL
    try:
        return args.handler(args)
    except ModuleNotFoundError as e:
        top = (e.name or "").partition(".")[0]
        if top not in HEAVY:
            return _internal_error(e)
        print(missing_message(args.command, [HEAVY[top]]), file=sys.stderr)  # one SUBCOMMANDS did not declare
        return EXIT_INTERNAL
    except HotbenchError as e:
        print(f"hotbench: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("hotbench: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: one line and its own code, never a traceback that exits 1 ("regression")
        return _internal_error(e)


def _internal_error(e: BaseException) -> int:
    if os.environ.get("HOTBENCH_DEBUG"):
        traceback.print_exception(e)
    where = traceback.extract_tb(e.__traceback__)[-1]
    print(f"hotbench: internal error: {type(e).__name__}: {e} (at {pathlib.Path(where.filename).name}:"
          f"{where.lineno}; HOTBENCH_DEBUG=1 shows the traceback)", file=sys.stderr)
    return EXIT_INTERNAL
