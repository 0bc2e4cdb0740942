"""What reports say of `--plus`: the samples plus rejected, those it could not decide, why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from verilogeval.checks.plus.verdict import NAME
from verilogeval.runfolder.lines import ResultLine


def plus_rejections(results: Iterable[ResultLine]) -> list[tuple[str, int, str]]:
    """(problem, sample, reason) of every officially passing sample plus rejected, in order."""
    return sorted(
        (line.problem, line.sample, line.checks[NAME].reason)
        for line in results
        if line.passed and line.check_passed(NAME) is False
    )


def plus_undecided(results: Iterable[ResultLine]) -> list[tuple[str, int, str]]:
    """(problem, sample, reason) of every sample whose plus verdict is null: with --formal,
    a formal check that could not decide (unsupported, timeout, error) gives no trust."""
    return sorted(
        (line.problem, line.sample, line.checks[NAME].reason)
        for line in results
        if line.passed and NAME in line.checks and line.checks[NAME].passed is None
    )


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


def plus_closing_rows(name: str, results: Sequence[ResultLine]) -> list[tuple[str, str]]:
    """`run`'s closing table: the plus pass rate, and how many it could not decide."""
    plussed = sum(line.check_passed(name) is True for line in results)
    rows = [("plus pass rate", f"{plussed}/{len(results)}")]
    undecided = len(plus_undecided(results))
    if undecided:
        rows.append(("  plus undecided (formal could not decide)", str(undecided)))
    return rows


def plus_graded_note(name: str, results: Sequence[ResultLine]) -> str:
    """`evaluate`'s summary: samples plus passed, and those it could not decide."""
    plussed = sum(line.check_passed(name) is True for line in results)
    undecided = len(plus_undecided(results))
    return f" ({plussed} plus" + (f", {undecided} plus undecided)" if undecided else ")")
