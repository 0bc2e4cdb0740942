"""What a post-verdict check costs against the official flow, timed problem by problem.

Shared by bench_strict.py and bench_formal.py: each problem's reference (as TopModule) is
graded by the official Icarus flow and then by the check, one after the other so both
see the same machine; a line per problem, then per-sample means and their ratio for
sequential and combinational problems apart, and for all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from verilogeval.execution.interface import read_interfaces
from verilogeval.grading.simulate import simulate
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Problem, Sample


def spread(problems: Sequence[Problem], limit: int) -> list[Problem]:
    """At most `limit` problems, taken evenly over the set."""
    step = max(1, len(problems) // limit)
    return list(problems[::step][:limit])


def compare_with_official(
    problems: Sequence[Problem], name: str, check: Callable[[Problem, Sample], Any]
) -> None:
    """Time `check` (whose result has a `status`) against the official flow, and print."""
    totals: dict[str, dict[str, float]] = {}
    print(f"{'problem':<36} {'kind':<13} {'official s':>10} {name + ' s':>9} {'ratio':>6}")
    for problem in problems:
        sample = reference_sample(problem)
        ref = read_interfaces(problem.ref_path.read_text(), str(problem.ref_path))["RefModule"]
        kind = "sequential" if ref.sequential else "combinational"
        started = time.perf_counter()
        simulate(problem, sample)
        official = time.perf_counter() - started
        started = time.perf_counter()
        result = check(problem, sample)
        checked = time.perf_counter() - started
        for bucket_name in (kind, "all"):
            bucket = totals.setdefault(bucket_name, {"samples": 0, "official": 0.0, name: 0.0})
            bucket["samples"] += 1
            bucket["official"] += official
            bucket[name] += checked
        print(
            f"{problem.name:<36} {kind:<13} {official:>10.2f} {checked:>9.2f} "
            f"{checked / official:>6.1f}  {result.status}"
        )
    print()
    for kind in ("sequential", "combinational", "all"):
        kind_totals = totals.get(kind)
        if kind_totals:
            samples = int(kind_totals["samples"])
            print(
                f"{kind:<13} {samples:>3} samples: official "
                f"{kind_totals['official'] / samples:6.2f} s/sample, {name} "
                f"{kind_totals[name] / samples:6.2f} s/sample, ratio "
                f"{kind_totals[name] / kind_totals['official']:5.1f}x"
            )
