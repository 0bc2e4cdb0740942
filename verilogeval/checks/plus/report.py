"""What reports say of `--plus`: the samples plus rejected, those it could not decide, why."""

from __future__ import annotations

from collections.abc import Iterable

from verilogeval.checks.formal.result import disproved
from verilogeval.checks.plus.check import PlusResult
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


def plus_undecided(results: Iterable[ResultLine]) -> list[tuple[str, int, str]]:
    """(problem, sample, reason) of every sample whose plus verdict is null: with --formal,
    a formal check that could not decide (unsupported, timeout, error) gives no trust."""
    undecided = [
        (line.problem, line.sample, str((line.plus or {}).get("undecided", "undecided")))
        for line in results
        if line.passed and line.plus_passed is None and line.carries("plus_passed")
    ]
    return sorted(undecided)


def plus_verdict(line: ResultLine) -> str | None:
    """One line for a sample's plus verdict (passed, the rejection, or why undecided);
    None when --plus gave it none."""
    if not line.passed or not line.carries("plus_passed"):
        return None
    rejected = plus_rejections([line]) or plus_undecided([line])
    return rejected[0][2] if rejected else "passed"


def plus_rejection_lines(results: Iterable[ResultLine]) -> list[str]:
    """The report's lists: the samples rejected, then those undecided, each with why."""
    results = list(results)
    rejected = plus_rejections(results)
    lines = ["", f"officially passing samples plus rejected ({len(rejected)}):"]
    lines += [f"  {problem} sample {sample}: {reason}" for problem, sample, reason in rejected]
    undecided = plus_undecided(results)
    if undecided:
        lines.append(f"officially passing samples plus could not decide ({len(undecided)}):")
        lines += [f"  {problem} sample {sample}: {reason}" for problem, sample, reason in undecided]
    return lines
