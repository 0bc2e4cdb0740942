"""The error policy of every command: a few error types, each mapped to one exit code here.

0   done;
1   done, but some samples could not be graded or answered (each one said why);
2   bad input or setup, nothing or only part done: a one-line message naming the file,
    line or field, never a traceback;
3   a bug in verilogeval stopped the command: one line naming the exception and the
    debug log that holds its traceback (verilogeval.debug_log), never a traceback on screen;
130 interrupted (Ctrl-C): what was finished is kept and the run can be resumed.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    DONE = 0
    INCOMPLETE = 1
    BAD_INPUT = 2
    BUG = 3
    INTERRUPTED = 130


class UserError(Exception):
    """Bad input from the user (a path, a problem, a field): shown as one line, no traceback."""


class DamagedFile(UserError):
    """A file of a run folder (or an input) that cannot be read as what it should be."""

    def __init__(self, path: Path, reason: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line


def exit_code(error: BaseException) -> ExitCode | None:
    """The exit code of a command that stopped with `error`; None: a bug (ExitCode.BUG,
    its traceback in the debug log)."""
    if isinstance(error, UserError):
        return ExitCode.BAD_INPUT
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return None


def outcome_code(problems: int) -> ExitCode:
    """The exit code of a command that finished with `problems` samples it could not do."""
    return ExitCode.INCOMPLETE if problems else ExitCode.DONE


def error_reason(error: BaseException) -> str:
    """An unexpected error in one line, for a record that says why it holds no verdict."""
    return f"{type(error).__name__}: {error}"
