"""What a run's formal verdicts add up to, for the leaderboard and the reports.

- `proven`: the share of the samples asked for that are proven equal to the reference;
- `proven pass@1`: pass@1 where a sample counts only when it passes officially AND is
  proven (mean over problems of the per-problem share, every sample asked for counted);
- false passes: officially passing samples that are disproved, each with the input
  sequence Icarus confirmed: where the official testbench's stimulus missed a difference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from verilogeval.checks.formal.batch import formal_record
from verilogeval.checks.formal.result import Counterexample, FormalStatus, undecided
from verilogeval.checks.formal.verdict import NAME
from verilogeval.runfolder.lines import ResultLine
from verilogeval.wording import plural


@dataclass(frozen=True)
class FalsePass:
    problem: str
    sample: int
    counterexample: Counterexample | None  # None only in a damaged record
    vcd: str | None

    def describe(self) -> str:
        example = self.counterexample
        if example is None:
            return f"{self.problem} sample {self.sample}: disproved (no counterexample kept)"
        steps = "; ".join(
            " ".join(f"{name}={bits}" for name, bits in step.items()) for step in example.steps
        )
        return (
            f"{self.problem} sample {self.sample}: {example.describe()} "
            f"(inputs per cycle: {steps})" + (f" [{self.vcd}]" if self.vcd else "")
        )


@dataclass(frozen=True)
class FormalSummary:
    samples: int  # asked for
    counts: Mapping[str, int]  # samples per formal status
    proven_share: float
    proven_pass_at_1: float
    false_passes: tuple[FalsePass, ...]
    undecided_passes: int = 0  # officially passing, formal unsupported, timeout or error


def formal_summary(
    problems: Sequence[str], n: int, results: Mapping[tuple[str, int], ResultLine]
) -> FormalSummary | None:
    """None when no result line carries a formal verdict (the run had no --formal)."""
    if not any(NAME in line.checks for line in results.values()):
        return None
    counts: dict[str, int] = {str(status): 0 for status in FormalStatus}
    per_problem = []
    false_passes = []
    undecided_passes = 0
    for problem in problems:
        good = 0
        for sample in range(1, n + 1):
            line = results.get((problem, sample))
            formal = None if line is None else formal_record(line)
            if formal is None:
                continue
            counts[formal.status] += 1
            passed = line is not None and line.passed
            good += passed and formal.status is FormalStatus.PROVEN
            undecided_passes += passed and undecided(formal)
            if passed and formal.status is FormalStatus.DISPROVED:
                false_passes.append(FalsePass(problem, sample, formal.counterexample, formal.vcd))
        per_problem.append(good / n)
    samples = len(problems) * n
    return FormalSummary(
        samples=samples,
        counts=counts,
        proven_share=counts[FormalStatus.PROVEN] / samples if samples else 0.0,
        proven_pass_at_1=sum(per_problem) / len(per_problem) if per_problem else 0.0,
        false_passes=tuple(false_passes),
        undecided_passes=undecided_passes,
    )


def summary_lines(summary: FormalSummary) -> list[str]:
    """The text report's formal section."""
    tally = ", ".join(f"{count} {status}" for status, count in summary.counts.items() if count)
    lines = [
        f"formal equivalence (Yosys): {tally or 'no sample checked'} of "
        f"{plural(summary.samples, 'sample')}",
        f"  {'proven':<16} = {100 * summary.proven_share:.1f}% of samples",
        f"  {'proven pass@1':<16} = {100 * summary.proven_pass_at_1:.1f}",
        f"  officially passing, formal could not decide: {summary.undecided_passes} "
        "(no trusted plus pass for them)",
        f"officially passing samples disproved ({len(summary.false_passes)}):",
    ]
    lines += [f"  {false_pass.describe()}" for false_pass in summary.false_passes]
    return lines
