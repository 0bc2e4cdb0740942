"""A JSON value per key in one SQLite file: the store under every cache of verilogeval.

One file rather than a file per entry: creating a file costs about a millisecond of CPU
on some disks (measured), as much as a tenth of a simulation. WAL mode lets several runs
share a cache, readers never waiting for a writer. A cache is best effort: a store that
cannot be opened, read or written costs speed (a miss), never a result.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_CHUNK = 500  # keys per query, under SQLite's limit on bound parameters


class Store:
    """The table `table` (key, `column`) of the SQLite file at `path`; thread-safe."""

    def __init__(self, path: Path, table: str, column: str) -> None:
        self._path = path
        self._table = table
        self._column = column
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The decoded value of every key found; a damaged entry is a miss."""
        rows: list[tuple[str, str]] = []
        with self._lock:
            db = self._connect()
            if db is None:
                return {}
            try:
                for start in range(0, len(keys), _CHUNK):
                    chunk = list(keys[start : start + _CHUNK])
                    marks = ",".join("?" * len(chunk))
                    query = f"SELECT key, {self._column} FROM {self._table} WHERE key IN ({marks})"
                    rows += db.execute(query, chunk).fetchall()
            except sqlite3.Error:
                return {}
        found = {}
        for key, text in rows:
            try:
                found[key] = json.loads(text)
            except (ValueError, TypeError):
                continue
        return found

    def put(self, key: str, value: Any) -> None:
        self.put_many([(key, value)])

    def put_many(self, items: Sequence[tuple[str, Any]]) -> None:
        """Store the values in one transaction."""
        rows = [(key, json.dumps(value, ensure_ascii=False)) for key, value in items]
        with self._lock:
            db = self._connect()
            if db is None:
                return
            try:
                with db:
                    db.executemany(f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?)", rows)
            except sqlite3.Error:
                pass  # a lost entry costs a later rerun its work, nothing else

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _connect(self) -> sqlite3.Connection | None:
        """The open connection; None (with one warning) when the file is unusable."""
        if self._db is not None or self._broken:
            return self._db
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self._path, timeout=60, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            columns = f"key TEXT PRIMARY KEY, {self._column} TEXT"
            db.execute(f"CREATE TABLE IF NOT EXISTS {self._table} ({columns})")
        except (OSError, sqlite3.Error) as error:
            self._broken = True
            print(f"verilogeval: warning: cache {self._path} unusable: {error}", file=sys.stderr)
            return None
        self._db = db
        return db
