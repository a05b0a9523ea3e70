"""Errors the CLI reports as one line and an exit code, never as a traceback."""

import pathlib

# One meaning per code, for every subcommand, so CI can tell them apart (README, "Exit codes").
EXIT_OK = 0
EXIT_FAILED = 1  # the work ran and found something wrong (an error row, a regression)
EXIT_UNRESOLVED = 2  # the gate compared and could not decide ("cannot tell")
EXIT_BAD_INPUT = 3  # an input file that cannot be read, is invalid, or cannot be compared
EXIT_USAGE = 4  # bad flags, unknown names, unusable folders: nothing was run
EXIT_INTERNAL = 5  # set-up, build or a bug in hotbench itself: never a verdict about the code measured


class HotbenchError(Exception):
    """A problem the user can fix, described in one line."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code


class BadInput(HotbenchError):
    """A result file (CSV, JSON, result set) is malformed or unusable; names the file and the place."""

    def __init__(self, message: str):
        super().__init__(message, EXIT_BAD_INPUT)


def read_input_text(path: pathlib.Path) -> str:
    """A file the user named, as text; any problem reading it becomes BadInput naming the file."""
    try:
        return pathlib.Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read: {e}")
