"""`check --strict`: every reference against itself in the differential test.

A reference must pass its own differential test, or the test cannot judge samples of
that problem; and how often it drives X says how much of its behaviour is a wildcard
that any sample matches.
"""

from __future__ import annotations

from collections.abc import Sequence

from verilogeval.checks.strict.batch import strict_error, strict_job
from verilogeval.checks.strict.check import StrictConfig
from verilogeval.checks.strict.result import StrictResult
from verilogeval.execution.pools import Pool, run_all
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Problem


def check_references(
    problems: Sequence[Problem], config: StrictConfig, pool: Pool
) -> list[StrictResult]:
    pairs = [(p, reference_sample(p)) for p in problems]
    return run_all(pool, strict_job, pairs, config, strict_error)


def reference_report(results: Sequence[StrictResult]) -> list[str]:
    """One line per reference that fails or drives X, then a summary line."""
    lines = []
    for result in results:
        if not result.passed:
            lines.append(f"{result.problem}: strict: {result.describe()}")
        elif result.x_compares:
            share = 100 * result.x_compares / result.compares
            lines.append(
                f"{result.problem}: strict: reference drives X at {result.x_compares} of "
                f"{result.compares} compare points ({share:.0f}%, {result.x_bits} bits)"
            )
    failing = sum(not result.passed for result in results)
    driving_x = sum(result.passed and result.x_compares > 0 for result in results)
    lines.append(
        f"{failing} of {len(results)} references fail their own differential test; "
        f"{driving_x} drive X"
    )
    return lines
