"""A post-verdict check written the way a new one is: one module, registered once.

`lint`: the sample compiles alone with `iverilog -Wall` and Icarus says nothing. It runs
in the sandbox through the runner every job uses (execution.sandbox.host), on the run's pool.
tests/test_new_check.py registers it for the length of one test and finds its verdict in
results.jsonl, run.json, the metrics, the reports and the leaderboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from verilogeval.checks.registry import CheckReport, JobCheck, PostCheck, flag_only
from verilogeval.execution.pools import Place
from verilogeval.execution.sandbox.host import Command, runner
from verilogeval.records import Problem, Sample
from verilogeval.verdicts import CheckVerdict, VerdictSchema, not_checked

NAME = "lint"


class LintStatus(StrEnum):
    CLEAN = "clean"
    WARNINGS = "warnings"
    ERROR = "error"  # it does not even compile alone


@dataclass(frozen=True)
class LintDetails:
    returncode: int | None
    output: str  # what Icarus said

    def to_json(self) -> dict[str, Any]:
        return {"returncode": self.returncode, "output": self.output}

    @classmethod
    def from_json(cls, problem: str, sample: int, data: dict[str, Any]) -> LintDetails:
        returncode, output = data["returncode"], data["output"]
        if not isinstance(output, str) or not isinstance(returncode, int | None):
            raise TypeError(f"returncode {returncode!r}, output {output!r}")
        return cls(returncode, output)


def lint_job(problem: Problem, sample: Sample, settings: Any, place: Place) -> LintDetails:
    command = Command(
        ("iverilog", "-Wall", "-g2012", "-o", "lint.out", "sample.sv"),
        {"sample.sv": sample.code.encode("utf-8")},
    )
    done = runner(place.workdir, place.sandboxed).execute(command).result
    return LintDetails(done.returncode, done.output.strip())


def lint_verdict(details: LintDetails | None, records: Any) -> CheckVerdict[LintDetails]:
    if details is None:
        return not_checked(NAME, None, "")
    if details.returncode != 0:
        return CheckVerdict(NAME, LintStatus.ERROR, False, details.output, details)
    if details.output:
        return CheckVerdict(NAME, LintStatus.WARNINGS, False, details.output, details)
    return CheckVerdict(NAME, LintStatus.CLEAN, True, "", details)


LINT = PostCheck(
    open=lambda settings, place: JobCheck(place.pool, lint_job, settings),
    applies=lambda verdict: True,
    verdict=lint_verdict,
    error_record=lambda sample, error: LintDetails(None, str(error)),
    schema=VerdictSchema(status=LintStatus, details=LintDetails.from_json),
    options=flag_only(NAME, "also lint every sample with iverilog -Wall"),
    report=CheckReport(),
)
