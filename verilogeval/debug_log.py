"""Where the traceback of a bug goes: one file in the user's cache folder, not the screen.

A bug (an exception no command expects) stops the command with one line naming it and
this file (exit code ExitCode.BUG); the traceback, the command line and the version are
appended here, for a bug report. A bug caught deeper, where one sample's failure must not
end the run (an adapter that raised, a check's bookkeeping, the cluster pool's thread),
is logged with `logging.getLogger(__name__).exception(...)`: while a command runs
(`debug_logging`), what the `verilogeval` loggers say at WARNING or above goes here too,
and the sample's one-line reason is what the user sees.

The file: $XDG_CACHE_HOME/verilogeval/debug.log, by default ~/.cache/verilogeval/debug.log.
One grown over MAX_BYTES starts again. When it cannot be written, the traceback is shown.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from verilogeval import __version__

MAX_BYTES = 1 << 20
_ROOT_LOGGER = "verilogeval"


def debug_log_path(environ: Mapping[str, str]) -> Path:
    """The debug log of this user (`environ`: the process's environment)."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "verilogeval" / "debug.log"


def record_bug(error: BaseException, command_line: Sequence[str], path: Path) -> bool:
    """Append `error`'s traceback to `path`; False when the file cannot be written."""
    head = f"verilogeval {__version__}: {' '.join(command_line)}"
    return _append(path, head, "".join(traceback.format_exception(error)))


@contextlib.contextmanager
def debug_logging(path: Path) -> Iterator[None]:
    """While a command runs, the `verilogeval` loggers' warnings and errors (tracebacks
    included) go to `path`, not to the screen."""
    logger = logging.getLogger(_ROOT_LOGGER)
    handler = _DebugLogHandler(path)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class _DebugLogHandler(logging.Handler):
    def __init__(self, path: Path) -> None:
        super().__init__(logging.WARNING)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record) + "\n"
        if not _append(self.path, f"{record.name} ({record.levelname})", text):
            sys.stderr.write(text)


def _append(path: Path, head: str, text: str) -> bool:
    when = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.is_file() or path.stat().st_size > MAX_BYTES
        with path.open("w" if fresh else "a", encoding="utf-8") as log:
            log.write(f"--- {when} {head}\n{text}")
    except OSError:
        return False
    return True
