"""Append-only JSON Lines journals: the results of a run survive any kill.

Every record is written as one line and flushed at once, so a process killed with
SIGKILL loses at most the line it was writing. Reading drops such a torn last line
(and cuts it from the file) so that appending resumes cleanly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from verilogeval.errors import UserError


def read_journal(path: Path) -> list[dict[str, Any]]:
    """All complete records of `path` (none if it does not exist); repairs a torn tail."""
    if not path.exists():
        return []
    data = path.read_bytes()
    records: list[dict[str, Any]] = []
    good_end = 0
    for line_end, line in _lines(data):
        if line_end > len(data):  # no newline: the writer died mid-line
            break
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            raise ValueError(f"{path}: corrupt record at byte {good_end}") from None
        good_end = line_end
    if good_end < len(data):
        with path.open("r+b") as f:
            f.truncate(good_end)
    return records


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset just past the line, line) for every line; a last line without newline is torn."""
    start = 0
    while start < len(data):
        newline = data.find(b"\n", start)
        if newline == -1:
            yield len(data) + 1, data[start:]  # never complete: no newline was written
            return
        if data[start:newline].strip():
            yield newline + 1, data[start:newline]
        start = newline + 1


class Journal:
    """An open append-only journal; use as a context manager."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def create_journals(folder: Path, *names: str) -> None:
    """Create `folder` and its (possibly empty) journals, or say plainly that it cannot."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            with (folder / name).open("a", encoding="utf-8"):
                pass
    except OSError as error:
        raise UserError(f"{folder}: cannot write the run folder ({error.strerror})") from None
