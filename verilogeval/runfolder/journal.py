"""Append-only JSON Lines journals: the results of a run survive any kill.

Every record is written as one line and flushed at once, so a process killed with
SIGKILL loses at most the line it was writing. Reading drops such a torn last line
(and, before appending, cuts it from the file so that appending resumes cleanly). A
damaged line anywhere else is an error naming the file and the line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verilogeval.errors import DamagedFile, UserError
from verilogeval.jsonl import BadLine, json_objects


def read_journal(path: Path) -> list[dict[str, Any]]:
    """All complete records of `path` (none if it does not exist); repairs a torn tail."""
    return [record for _, record in read_journal_lines(path, repair=True)]


def read_journal_lines(path: Path, *, repair: bool = False) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) of every complete line of `path`, none if it does not exist.

    A last line without its newline is torn (its writer died, or is still writing): it is
    not read, and with `repair` it is cut from the file so that appending resumes cleanly.
    Any other line that is not a JSON object is damage: DamagedFile naming the line.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise DamagedFile(path, f"cannot read ({error.strerror})") from None
    complete = data[: data.rfind(b"\n") + 1]
    records: list[tuple[int, dict[str, Any]]] = []
    for number, record in json_objects(complete):
        if isinstance(record, BadLine):
            raise DamagedFile(path, record.reason, line=number)
        records.append((number, record))
    if repair and len(complete) < len(data):
        with path.open("r+b") as f:
            f.truncate(len(complete))
    return records


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
