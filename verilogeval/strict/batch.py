"""Differential tests of many samples in parallel.

Each test already runs in its own child process with its own time limit, so a thread per
running test is enough to keep `jobs` simulations busy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from verilogeval.records import Problem, Sample
from verilogeval.strict.check import StrictConfig, diff_test
from verilogeval.strict.result import StrictResult


def diff_test_many(
    pairs: Sequence[tuple[Problem, Sample]],
    config: StrictConfig,
    *,
    jobs: int,
    on_result: Callable[[StrictResult], None] | None = None,
) -> list[StrictResult]:
    """Results in the order of `pairs`; `on_result` sees each one as soon as it is known."""

    def one(pair: tuple[Problem, Sample]) -> StrictResult:
        result = diff_test(pair[0], pair[1], config)
        if on_result is not None:
            on_result(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, pairs))
