"""The one resume sequence (verilogeval.orchestration.executor), with a Work of a test's own.

A later stage (repair rounds, say) plugs in as a Work: these tests hold the contract it
relies on, with real files and no command around it.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import replace

import pytest

from verilogeval.checks.registry import check_settings_types
from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import UserError
from verilogeval.orchestration.executor import execute
from verilogeval.orchestration.plans import base_manifest
from verilogeval.records import Task
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.journal import Journal, read_journal
from verilogeval.runfolder.manifest import Manifest, now_iso, read_manifest

JOURNAL = "notes.jsonl"


class Notes:
    """Journals one line per number in `todo` that the folder lacks, then finishes."""

    journals = (JOURNAL,)

    def __init__(self, folder: RunFolder, todo: range, *, model: str = "m", stop_at: int = -1):
        self.folder, self.todo, self.model, self.stop_at = folder, todo, model, stop_at
        self.calls: list[str] = []
        self.previous: Manifest | None = None
        self.left: list[int] = []

    def manifest(self) -> Manifest:
        self.calls.append("manifest")
        dataset = load_dataset(None, Task.SPEC_TO_RTL)
        return replace(base_manifest("generate", dataset, ()), model=self.model)

    def start(
        self, manifest: Manifest, previous: Manifest | None, resources: ExitStack
    ) -> Manifest:
        self.calls.append("start")
        self.previous = previous
        done = {record["n"] for record in read_journal(self.folder.root / JOURNAL)}
        self.left = [n for n in self.todo if n not in done]
        self.journal = resources.enter_context(Journal(self.folder.root / JOURNAL))
        return manifest

    def run(self) -> int:
        self.calls.append("run")
        for n in self.left:
            if n == self.stop_at:
                raise KeyboardInterrupt
            self.journal.append({"n": n})
        return len(self.left)

    def finish(self, outcome: int) -> Manifest:
        self.calls.append("finish")
        assert self.journal._file.closed  # the resources are closed before finish
        manifest = read_manifest(self.folder, check_settings_types())
        assert manifest is not None and manifest.finished_at is None
        return replace(manifest, finished_at=now_iso())


def test_a_work_runs_in_order_and_resumes_from_its_journal(tmp_path):
    folder = RunFolder(tmp_path / "run")
    interrupted = Notes(folder, range(5), stop_at=3)
    with pytest.raises(KeyboardInterrupt):
        execute(folder, interrupted)
    assert interrupted.calls == ["manifest", "start", "run"]
    written = json.loads(folder.manifest.read_text())
    assert written["finished_at"] is None and written["sessions"] == 1  # start's run.json
    assert [r["n"] for r in read_journal(folder.root / JOURNAL)] == [0, 1, 2]

    resumed = Notes(folder, range(5))
    assert execute(folder, resumed) == 2  # only what the journal lacks
    assert resumed.calls == ["manifest", "start", "run", "finish"]
    assert resumed.previous is not None and resumed.previous.started_at == written["started_at"]
    final = read_manifest(folder, check_settings_types())
    assert final is not None and final.finished_at is not None and final.sessions == 2
    assert final.started_at == written["started_at"]


def test_another_identity_is_refused_before_the_work_starts(tmp_path):
    folder = RunFolder(tmp_path / "run")
    execute(folder, Notes(folder, range(2)))
    other = Notes(folder, range(2), model="another")
    with pytest.raises(UserError, match=r"model \(--model\): 'm' -> 'another'"):
        execute(folder, other)
    assert other.calls == ["manifest"]
    assert len(read_journal(folder.root / JOURNAL)) == 2
