"""Grade one answer of an Inspect sample exactly as a native run grades it.

An Inspect scorer sees one sample at a time. Each is graded by verilogeval's own grading
session (the sandboxed official simulation, the classifier, then the post-verdict checks
asked for) over a scratch folder of its own, and the result line the session makes is the
score's record: the very line `verilogeval run` writes into results.jsonl for the same
answer. The agent's tools grade through it too. A session costs about a quarter of a
second to open (measured: 0.24-0.36 s), small beside a model's answer, and needs no
shutdown hook, which Inspect does not have.

No module here imports Inspect: the grading is verilogeval's alone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.dataset.loader import Dataset
from verilogeval.errors import UserError
from verilogeval.execution.scratch import default_scratch_dir
from verilogeval.generation.responses import response_issue, well_formed
from verilogeval.grading.extract import ExtractMode, extract
from verilogeval.grading.grader import GradeConfig, Graded, default_cache_dir
from verilogeval.grading.simulate import DEFAULT_TIMEOUT_S
from verilogeval.grading.time_limits import TimeLimitPolicy
from verilogeval.orchestration.progress import QuietProgress
from verilogeval.orchestration.session import AnswerIssue, GradingSession
from verilogeval.records import Generation, Problem, Sample
from verilogeval.runfolder.files import RESULTS, RunFolder
from verilogeval.runfolder.journal import create_journals
from verilogeval.runfolder.lines import ResultLine


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
    graded: Graded  # the official grade: the sample, its simulation, its verdict
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
    answer = AnswerIssue(issue=issue and str(issue))
    return grade_code(settings, problem, sample, code, answer, settings.checks)


def grade_code(
    settings: AnswerGrading,
    problem: Problem,
    sample: int,
    code: str,
    answer: AnswerIssue | None,
    checks: Mapping[str, Any],
) -> GradedAnswer:
    """Grade `code` and run `checks` on it in a grading session of its own (blocking).

    `code` is the model's (an answer, a tool's argument): made `well_formed` first, as a
    native run's answers are, or a lone surrogate failed the grading, and the sample."""
    code = well_formed(code)
    graded: list[tuple[Graded, ResultLine]] = []
    scratch_parent = settings.grading.workdir
    with tempfile.TemporaryDirectory(prefix="verilogeval-inspect-", dir=scratch_parent) as scratch:
        folder = RunFolder(Path(scratch))
        create_journals(folder.root, RESULTS)
        with GradingSession(
            folder,
            {problem.name: problem},
            settings.grading,
            checks,
            QuietProgress(),
            on_line=lambda done, line: graded.append((done, line)),
        ) as session:
            session.submit(Sample(problem=problem.name, sample=sample, code=code), answer=answer)
            failures = session.wait()
    if failures or len(graded) != 1:
        raise UserError(f"{problem.name} sample {sample}: " + "; ".join(failures or ["no result"]))
    ((done, line),) = graded
    return GradedAnswer(code=code, graded=done, line=line)
