"""The differential test as a pool job, and its results.jsonl fields.

Each test runs in its own sandboxed child process with its own time limit; the job
(`strict_job`) runs wherever the run's pool sends it (verilogeval.execution.pools).
"""

from __future__ import annotations

from typing import Any

from verilogeval.checks.strict.check import StrictConfig, diff_test
from verilogeval.checks.strict.result import StrictResult, StrictStatus
from verilogeval.errors import error_reason
from verilogeval.execution.pools import Place
from verilogeval.execution.sandbox.host import SandboxError
from verilogeval.records import Problem, Sample


def strict_job(
    problem: Problem, sample: Sample, config: StrictConfig, place: Place
) -> StrictResult:
    """The differential test of one sample; a test that cannot run is an ERROR result."""
    try:
        return diff_test(problem, sample, config, workdir=place.workdir, sandboxed=place.sandboxed)
    except (OSError, ValueError, SandboxError) as error:
        return strict_error(sample, error)


def strict_error(sample: Sample, error: BaseException) -> StrictResult:
    """The record of a differential test that could not run."""
    return StrictResult(
        sample.problem, sample.sample, StrictStatus.ERROR, message=error_reason(error)
    )


def strict_fields(result: StrictResult | None) -> dict[str, Any]:
    """The results.jsonl fields of `--strict`; None for a sample that failed officially."""
    if result is None:
        return {"strict_passed": False, "strict": None}
    return {"strict_passed": result.passed, "strict": result.to_json()}
