"""A Work's grading: its GradePlan's session, opened among the executor's resources.

`run` and `evaluate` grade alike (and so would a repair round): the session opens
before run.json is written, so run.json names the simulator that grades from the start,
and closes with the executor's resources, a Ctrl-C included.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, replace

from verilogeval.dataset.errata import Benchmark
from verilogeval.grading.v1.simulator import simulator_warning
from verilogeval.orchestration.plans import GradePlan
from verilogeval.orchestration.progress import Progress
from verilogeval.orchestration.session import GradingSession
from verilogeval.records import Problem
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.manifest import Manifest


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
    benchmark: Benchmark,
) -> Grading:
    """Grade `problems`' samples into `folder` as `plan` says, until `resources` close;
    `benchmark` says which simulator its published numbers used."""
    session = resources.enter_context(
        GradingSession(folder, problems, plan.grading, plan.checks, progress)
    )
    return Grading(session, simulator_warning(benchmark, session.simulator))
