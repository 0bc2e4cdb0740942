"""verilogeval's grader as an Inspect scorer, and pass@k as an Inspect metric.

The score's value is the official verdict (C or I); its answer is the extracted code, its
explanation the category and the first error line, and its metadata the whole
results.jsonl line (`ResultLine.to_json`), the trusted checks' fields included:
`import-inspect` rebuilds a run folder from it. Each epoch is one sample (`sample` =
the epoch), as `--samples N` makes N samples of a native run.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict
from collections.abc import Iterable

from inspect_ai.scorer import (
    CORRECT,
    INCORRECT,
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    accuracy,
    metric,
    scorer,
    stderr,
)
from inspect_ai.solver import TaskState
from inspect_ai.util import concurrency

from verilogeval.grading.grader import default_jobs
from verilogeval.inspect_tasks.grading import AnswerGrading, finish_reason, grade_answer
from verilogeval.reporting.metrics import pass_at_k
from verilogeval.runfolder.lines import ResultLine

# The k of pass@k a report shows when the epochs allow (the native report's defaults).
DEFAULT_KS = (1, 5, 10)


@metric(scores="unreduced")
def pass_at(ks: list[int] | None = None, verdict: str = "passed") -> Metric:
    """Unbiased pass@k over epochs (reporting.metrics.pass_at_k), averaged over problems.

    `ks` None: each of DEFAULT_KS that every problem has epochs for (so `--epochs 5` gives
    pass@1 and pass@5). `verdict` is the record's field that counts: `passed` (official),
    `plus_passed` or `strict_passed`; an undecided trusted verdict (null) counts as a
    failure, as in a native report. One value per k, named `pass@k` (`plus_pass@k` for
    plus_passed); NaN for an asked k that a problem has fewer epochs for (undefined).
    """
    prefix = "" if verdict == "passed" else f"{verdict.removesuffix('_passed')}_"

    def compute(scores: list[SampleScore]) -> dict[str, float]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for item in scores:
            record = item.score.metadata or {}
            count = counts[str(item.sample_id)]
            count[0] += 1
            count[1] += record.get(verdict) is True
        fewest = min((n for n, _ in counts.values()), default=0)
        chosen = ks or [k for k in DEFAULT_KS if k <= fewest] or [1]
        return {f"{prefix}pass@{k}": _mean_pass_at(counts.values(), k) for k in chosen}

    return compute


def _mean_pass_at(counts: Iterable[list[int]], k: int) -> float:
    values = [pass_at_k(n, c, k) for n, c in counts]
    if not values or any(value is None for value in values):
        return math.nan
    return sum(value for value in values if value is not None) / len(values)


def verdict_score(code: str, line: ResultLine) -> Score:
    """The Score of one graded answer: the official verdict, the trusted ones explained."""
    explanation = line.category_name
    if line.first_error:
        explanation += f": {line.first_error}"
    for name, verdict in line.checks.items():
        explanation += f"; {name}: {_trusted(verdict.passed)}"
        if verdict.reason:
            explanation += f" ({verdict.reason})"
    return Score(
        value=CORRECT if line.passed else INCORRECT,
        answer=code,
        explanation=explanation,
        metadata=line.to_json(),
    )


def _trusted(verdict: bool | None) -> str:
    return {True: "passed", False: "failed", None: "undecided"}[verdict]


@scorer(metrics=[accuracy(), stderr(), pass_at()])
def verilog_grader(settings: AnswerGrading) -> Scorer:
    """Extraction, sandboxed simulation, the failure classifier, then the checks asked for.

    At most as many answers grade at once as this machine has cores.
    """

    async def score(state: TaskState, target: Target) -> Score:
        problem = settings.problem(str(state.sample_id))
        async with concurrency("verilogeval-grading", default_jobs()):
            graded = await asyncio.to_thread(
                grade_answer,
                settings,
                problem,
                state.epoch,
                state.output.completion,
                finish_reason(state.output.stop_reason),
            )
        return verdict_score(graded.code, graded.line)

    return score
