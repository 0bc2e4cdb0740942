"""The one sequence of every command that writes a run folder: `execute` a `Work`.

`generate`, `evaluate` and `run` each say what they do as a Work; `execute` does the
rest, the same way for all three (and for any later work, such as repair rounds, that
implements the protocol):

1. create the folder and the work's journals (an unwritable folder is one error);
2. check that the folder may be resumed as the work's run.json says: another model,
   prompt or check into the same folder is refused, field by field, before anything is
   written; a resume keeps the earlier start time and counts one more session;
3. `start`: the work reads its journals, decides what is left to do and opens what it
   needs (a grading session, a journal) in `resources`; it returns run.json as it is
   while the work goes on, written before any work is done;
4. `run`: the work itself, every record journaled (and flushed) as it is done;
5. `resources` closed, then `finish`: what the work writes last (summaries) and run.json
   as the work leaves it, with `finished_at` only when nothing is left to do.

A KeyboardInterrupt (or a crash) anywhere leaves the journals and the run.json of step 3,
so the same command resumes. The command says what happened: `execute` returns the
outcome of `run`.

The parts a Work is made of: `Asking` (verilogeval.orchestration.asking: prompts, the
requests still to send, the adapter's request record) and `open_grading`
(verilogeval.orchestration.grading: the grading session and its checks). `GenerateWork`
uses the first, `EvaluateWork` (orchestration.evaluation) the second, `RunWork`
(verilogeval.orchestration.pipeline) both; a new stage (repair rounds: grade, ask again with the
verdict, up to N rounds) is one more Work built of the same parts.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Protocol, TypeVar

from verilogeval.checks.registry import check_settings_types
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.journal import create_journals
from verilogeval.runfolder.manifest import Manifest, check_resumable, write_manifest

Outcome = TypeVar("Outcome")


class Work(Protocol[Outcome]):
    """What one command does in a run folder; `execute` calls these in order, once each."""

    @property
    def journals(self) -> tuple[str, ...]:
        """The append-only journals it writes (verilogeval.runfolder.files names)."""
        ...

    def manifest(self) -> Manifest:
        """run.json as this invocation describes it, checked against the folder's. A
        setting drawn anew per invocation (plus's secret shifts) is the folder's here."""
        ...

    def start(
        self, manifest: Manifest, previous: Manifest | None, resources: ExitStack
    ) -> Manifest:
        """Read the journals, decide what is left, open what `run` needs in `resources`.

        `manifest` is `manifest()` resumed from `previous`, the folder's run.json (None
        in a new folder). Returns run.json as it is while the work goes on.
        """
        ...

    def run(self) -> Outcome:
        """Do the work, journaling every record as it is done."""
        ...

    def finish(self, outcome: Outcome) -> Manifest:
        """Write what comes last (summaries); run.json as the work leaves the folder."""
        ...


def execute(folder: RunFolder, work: Work[Outcome]) -> Outcome:
    """Carry out `work` in `folder`, new or resumed; see the module's docstring."""
    create_journals(folder.root, *work.journals)
    manifest = work.manifest()
    previous = check_resumable(folder, manifest, check_settings_types())
    with ExitStack() as resources:
        write_manifest(folder, work.start(manifest.resumed_from(previous), previous, resources))
        outcome = work.run()
    write_manifest(folder, work.finish(outcome))
    return outcome
