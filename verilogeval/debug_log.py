"""Where the traceback of a bug goes: one file in the user's cache folder, not the screen.

A bug (an exception no command expects) stops the command with one line naming it and
this file (exit code ExitCode.BUG); the traceback, the command line and the version are
appended here, for a bug report: $XDG_CACHE_HOME/verilogeval/debug.log, by default
~/.cache/verilogeval/debug.log. A file grown over MAX_BYTES starts again.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from verilogeval import __version__

MAX_BYTES = 1 << 20


def debug_log_path(environ: Mapping[str, str]) -> Path:
    """The debug log of this user (`environ`: the process's environment)."""
    cache = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "verilogeval" / "debug.log"


def record_bug(error: BaseException, command_line: Sequence[str], path: Path) -> bool:
    """Append `error`'s traceback to `path`; False when the file cannot be written."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    entry = f"--- {when} verilogeval {__version__}: {' '.join(command_line)}\n" + "".join(
        traceback.format_exception(error)
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not path.is_file() or path.stat().st_size > MAX_BYTES
        with path.open("w" if fresh else "a", encoding="utf-8") as log:
            log.write(entry)
    except OSError:
        return False
    return True
