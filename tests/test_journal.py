"""The append-only journal: records survive, a torn tail is dropped, damage is reported."""

from __future__ import annotations

import pytest

from verilogeval.errors import DamagedFile
from verilogeval.runfolder.journal import Journal, read_journal


def test_append_then_read(tmp_path):
    path = tmp_path / "sub" / "j.jsonl"
    with Journal(path) as journal:
        journal.append({"problem": "Prob001_zero", "sample": 1})
        journal.append({"problem": "Prob002_x", "sample": 1, "text": "é\n"})
    assert read_journal(path) == [
        {"problem": "Prob001_zero", "sample": 1},
        {"problem": "Prob002_x", "sample": 1, "text": "é\n"},
    ]


def test_missing_journal_is_empty(tmp_path):
    assert read_journal(tmp_path / "none.jsonl") == []


def test_torn_last_line_is_dropped_and_cut(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b"')
    assert read_journal(path) == [{"a": 1}, {"a": 2}]
    assert path.read_text() == '{"a": 1}\n{"a": 2}\n'
    with Journal(path) as journal:
        journal.append({"a": 4})
    assert [r["a"] for r in read_journal(path)] == [1, 2, 4]


def test_complete_last_line_without_newline_is_still_torn(tmp_path):
    # A line is only committed with its newline; without it the writer may have died mid-way.
    path = tmp_path / "j.jsonl"
    path.write_text('{"a": 1}\n{"a": 2}')
    assert read_journal(path) == [{"a": 1}]


def test_corrupt_middle_line_is_an_error(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"a": 1}\nnot json\n{"a": 3}\n')
    with pytest.raises(DamagedFile, match=r"j\.jsonl:2: not a JSON line"):
        read_journal(path)
