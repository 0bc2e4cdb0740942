"""Grade one answer of an Inspect sample exactly as a native run grades it.

An Inspect scorer sees one sample at a time. Each is graded by verilogeval's own grading
session (the sandboxed official simulation, the classifier, then the post-verdict checks
asked for) over a scratch run folder of its own, and the results.jsonl line it writes is
the score's record: the very line `verilogeval run` writes for the same answer. A session
costs about a quarter of a second to open (measured), small beside a model's answer, and
needs no shutdown hook that Inspect does not have.

No module here imports Inspect: the grading is verilogeval's alone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.checks.registry import verdict_schemas
from verilogeval.dataset.loader import Dataset
from verilogeval.errors import UserError
from verilogeval.execution.scratch import default_scratch_dir
from verilogeval.generation.responses import response_issue
from verilogeval.grading.extract import ExtractMode, extract
from verilogeval.grading.grader import GradeConfig, default_cache_dir
from verilogeval.grading.simulate import DEFAULT_TIMEOUT_S
from verilogeval.grading.time_limits import TimeLimitPolicy
from verilogeval.orchestration.progress import QuietProgress
from verilogeval.orchestration.session import AnswerIssue, GradingSession
from verilogeval.records import Generation, Problem, Sample
from verilogeval.runfolder.files import RESULTS, RunFolder
from verilogeval.runfolder.journal import create_journals
from verilogeval.runfolder.lines import ResultLine, read_results


@dataclass(frozen=True)
class AnswerGrading:
    """How the answers of one Inspect task are graded: what a native run's plan fixes."""

    dataset: Dataset
    extract_mode: ExtractMode
    checks: Mapping[str, Any]  # post-verdict check name -> its settings (checks.registry)
    grading: GradeConfig

    def problem(self, name: str) -> Problem:
        return self.dataset.problem(name)


def default_grading() -> GradeConfig:
    """A native run's defaults: per-problem time limits, the result cache, the sandbox.

    One job: Inspect runs many samples at once, each scorer call grades one answer.
    """
    return GradeConfig(
        jobs=1,
        timeout_s=DEFAULT_TIMEOUT_S,
        time_limit=TimeLimitPolicy(),
        cache_dir=default_cache_dir(),
        workdir=default_scratch_dir(),
    )


# Inspect's stop reasons of an answer cut by the output budget, in generations.jsonl's words.
_CUT = frozenset({"max_tokens", "model_length"})


def finish_reason(stop_reason: str) -> str:
    """An Inspect stop reason as verilogeval records a finish reason ("length": truncated)."""
    return "length" if stop_reason in _CUT else stop_reason


@dataclass(frozen=True)
class GradedAnswer:
    code: str  # the sample file extracted from the answer
    line: ResultLine  # the results.jsonl line a native run writes for it


def grade_answer(
    settings: AnswerGrading,
    problem: Problem,
    sample: int,
    response: str,
    finish_reason: str | None,
) -> GradedAnswer:
    """Extract, grade and check one answer (blocking: call it from a worker thread)."""
    code = extract(response, problem, settings.extract_mode)
    generation = Generation(
        problem=problem.name, sample=sample, response=response, finish_reason=finish_reason
    )
    issue = response_issue(generation, code, problem.ifc)
    with tempfile.TemporaryDirectory(prefix="verilogeval-inspect-") as scratch:
        folder = RunFolder(Path(scratch))
        create_journals(folder.root, RESULTS)
        with GradingSession(
            folder, {problem.name: problem}, settings.grading, settings.checks, QuietProgress()
        ) as session:
            session.submit(
                Sample(problem=problem.name, sample=sample, code=code),
                answer=AnswerIssue(issue=issue and str(issue)),
            )
            failures = session.wait()
        lines = read_results(folder.results, verdict_schemas())
    if failures or len(lines) != 1:
        raise UserError(f"{problem.name} sample {sample}: " + "; ".join(failures or ["no result"]))
    return GradedAnswer(code=code, line=lines[0])
