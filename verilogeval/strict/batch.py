"""Differential tests of many samples in parallel.

Each test already runs in its own sandboxed child process with its own time limit, so a
thread per running test is enough to keep `jobs` simulations busy. Samples may be
submitted while others run, e.g. as the official grader reports passing samples.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from verilogeval.records import Problem, Sample
from verilogeval.sandbox import SandboxError, ensure_available
from verilogeval.strict.check import StrictConfig, diff_test
from verilogeval.strict.result import StrictResult, StrictStatus


class StrictPool:
    """`jobs` differential tests at a time; a test that raises becomes an ERROR result."""

    def __init__(
        self,
        config: StrictConfig,
        *,
        jobs: int,
        workdir: Path | None = None,
        sandboxed: bool = True,
    ) -> None:
        if sandboxed:
            ensure_available()
        self._config = config
        self._workdir = workdir
        self._sandboxed = sandboxed
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs))

    def submit(self, problem: Problem, sample: Sample) -> Future[StrictResult]:
        return self._pool.submit(self._run, problem, sample)

    def _run(self, problem: Problem, sample: Sample) -> StrictResult:
        try:
            return diff_test(
                problem, sample, self._config, workdir=self._workdir, sandboxed=self._sandboxed
            )
        except (OSError, ValueError, SandboxError) as error:
            message = f"{type(error).__name__}: {error}"
            return StrictResult(problem.name, sample.sample, StrictStatus.ERROR, message=message)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> StrictPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def diff_test_many(
    pairs: Sequence[tuple[Problem, Sample]],
    config: StrictConfig,
    *,
    jobs: int,
    sandboxed: bool = True,
) -> list[StrictResult]:
    """Results in the order of `pairs`."""
    with StrictPool(config, jobs=jobs, sandboxed=sandboxed) as pool:
        futures = [pool.submit(problem, sample) for problem, sample in pairs]
        return [future.result() for future in futures]


def strict_fields(result: StrictResult | None) -> dict[str, Any]:
    """The results.jsonl fields of `--strict`; None for a sample that failed officially."""
    if result is None:
        return {"strict_passed": False, "strict": None}
    return {"strict_passed": result.passed, "strict": result.to_json()}
