"""`check --formal`: every reference against itself in the formal check.

A reference must be proven (or bounded) equal to itself, or the flow cannot judge samples
of that problem; the report names every problem it cannot handle, and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from verilogeval.checks.formal.batch import formal_job, formal_job_error
from verilogeval.checks.formal.check import FormalConfig
from verilogeval.checks.formal.result import FormalResult, FormalStatus
from verilogeval.execution.pools import Pool, run_all
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Problem


def check_references(
    problems: Sequence[Problem], config: FormalConfig, pool: Pool
) -> list[FormalResult]:
    """Each reference against itself (a counterexample's waveform is not kept)."""
    pairs = [(p, reference_sample(p)) for p in problems]
    return [done.result for done in run_all(pool, formal_job, pairs, config, formal_job_error)]


def reference_report(results: Sequence[FormalResult]) -> list[str]:
    """One line per reference not proven, then a count per status."""
    lines = [
        f"{result.problem}: formal: {result.describe()}"
        for result in results
        if result.status is not FormalStatus.PROVEN
    ]
    counts = Counter(result.status for result in results)
    handled = counts[FormalStatus.PROVEN] + counts[FormalStatus.BOUNDED]
    tally = ", ".join(f"{counts[status]} {status}" for status in FormalStatus if counts[status])
    lines.append(
        f"formal: {handled} of {len(results)} references proven or bounded against "
        f"themselves ({tally})"
    )
    return lines
