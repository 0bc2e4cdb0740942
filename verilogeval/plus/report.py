"""What reports say of `--plus`: the samples plus rejected, and why."""

from __future__ import annotations

from collections.abc import Iterable

from verilogeval.formal.result import disproved
from verilogeval.plus.check import PlusResult
from verilogeval.runfolder.lines import ResultLine


def plus_rejections(results: Iterable[ResultLine]) -> list[tuple[str, int, str]]:
    """(problem, sample, reason) of every officially passing sample plus rejected, in order."""
    rejected = []
    for line in results:
        if not line.passed or line.plus_passed is not False:
            continue
        reason = PlusResult.from_json(line.plus).reason() if line.plus else None
        if reason is None:  # plus itself passed: the strict or formal check rejected it
            if disproved(line.formal):
                reason = "formal: disproved"
            else:
                reason = f"strict: {(line.strict or {}).get('status', 'not run')}"
        rejected.append((line.problem, line.sample, reason))
    return sorted(rejected)


def plus_rejection_lines(results: Iterable[ResultLine]) -> list[str]:
    """The report's list: a heading, then one line per rejected sample."""
    rejected = plus_rejections(results)
    lines = ["", f"officially passing samples plus rejected ({len(rejected)}):"]
    lines += [f"  {problem} sample {sample}: {reason}" for problem, sample, reason in rejected]
    return lines
