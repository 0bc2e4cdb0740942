"""JSON Lines as every reader in verilogeval takes them: one JSON object per line.

One reading for all (run-folder journals, `evaluate`'s samples, `extract`'s and the
`strict` command's rows, the replay adapter's responses), so a damaged line gets the same
words everywhere; what a bad line means (skip it and go on, or stop) is the caller's.
Lines are split at b"\\n" only: a JSON string may hold U+2028, at which str.splitlines
would break it. A file whose name ends in `.gz` is read through gzip, wherever it is read.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.errors import UserError


@dataclass(frozen=True)
class BadLine:
    """A line that is not a JSON object, and why."""

    number: int  # from 1
    reason: str


def json_objects(data: bytes) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """(line number, object or BadLine) for every non-blank line of `data`."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except UnicodeDecodeError as error:
            reason = f"not UTF-8 text ({error.reason} at byte {error.start})"
            yield number, BadLine(number, reason)
            continue
        except json.JSONDecodeError as error:
            yield number, BadLine(number, f"not a JSON line ({error.msg})")
            continue
        if not isinstance(record, dict):
            yield number, BadLine(number, "expected a JSON object")
            continue
        yield number, record


def read_jsonl_file(path: Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """json_objects of a file (gunzipped when its name ends in .gz); UserError naming it."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as stream:
                data = stream.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        reason = getattr(error, "strerror", None) or error
        raise UserError(f"{path}: cannot read ({reason})") from None
    return json_objects(data)
