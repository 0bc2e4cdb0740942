"""A Work's grading: its GradePlan's session, opened among the executor's resources.

`run` and `evaluate` grade alike (and so would a repair round): the session opens
before run.json is written, so run.json names the simulator that grades from the start,
and closes with the executor's resources, a Ctrl-C included.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace

from verilogeval.plans import GradePlan
from verilogeval.progress import Progress
from verilogeval.records import Problem
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.manifest import Manifest
from verilogeval.session import GradingSession
from verilogeval.simulate import version_warning


@dataclass(frozen=True)
class Grading:
    """An open grading session, and the warning its simulator's version calls for."""

    session: GradingSession
    warning: str | None

    def described(self, manifest: Manifest) -> Manifest:
        """`manifest` naming the simulator that grades."""
        assert manifest.simulator is not None
        return replace(manifest, simulator=replace(manifest.simulator, version=self.simulator))

    @property
    def simulator(self) -> str:
        return self.session.simulator


def open_grading(
    folder: RunFolder,
    problems: Mapping[str, Problem],
    plan: GradePlan,
    progress: Progress,
    resources: ExitStack,
) -> Grading:
    """Grade `problems`' samples into `folder` as `plan` says, until `resources` close."""
    session = resources.enter_context(
        GradingSession(folder, problems, plan.grading, plan.checks, progress)
    )
    return Grading(session, version_warning(session.simulator))
