"""`verilogeval check`: dataset health, every reference graded as if it were the sample.

A problem whose own reference fails can never be passed by a model; this lists them with
the reason, so a pass rate can be read against the ceiling the simulator allows.
"""

from __future__ import annotations

import argparse
import re
import sys

from verilogeval.commands.evaluate import add_grade_options, grade_config_from_args
from verilogeval.commands.options import add_dataset_options, dataset_from_args
from verilogeval.grade import Graded, grade
from verilogeval.records import CATEGORY_NAMES, Problem, Sample, Verdict
from verilogeval.simulate import version_warning

_REF_MODULE = re.compile(r"\bRefModule\b")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_grade_options(parser)


def reference_sample(problem: Problem) -> Sample:
    """The problem's reference renamed to the module the testbench expects of a sample."""
    code = problem.ref_path.read_text(encoding="utf-8")
    return Sample(problem=problem.name, sample=1, code=_REF_MODULE.sub("TopModule", code))


def run(args: argparse.Namespace) -> int:
    dataset, problems = dataset_from_args(args)
    config = grade_config_from_args(args)
    testable = [problem for problem in problems if problem.test_path is not None]
    for problem in problems:
        if problem.test_path is None:
            print(f"{problem.name}: no _test.sv, not checked (cocotb testbench only)")
    verdicts: dict[str, Verdict] = {}
    simulators: list[str] = []

    def record(graded: Graded) -> None:
        verdicts[graded.sample.problem] = graded.verdict
        simulators[:] = [graded.result.simulator]

    errors = grade(
        {problem.name: problem for problem in testable},
        (reference_sample(problem) for problem in testable),
        config,
        record,
    )
    for error in errors:
        print(f"verilogeval check: error: {error}", file=sys.stderr)
    simulator = simulators[0] if simulators else "no simulation"
    warning = version_warning(simulator) if simulators else None
    if warning:
        print(f"verilogeval check: {warning}", file=sys.stderr)
    failing = [
        verdicts[problem.name]
        for problem in testable
        if problem.name in verdicts and not verdicts[problem.name].passed
    ]
    for verdict in failing:
        print(f"{verdict.problem}: {describe(verdict)}")
    print(
        f"{len(failing)} of {len(verdicts)} references cannot pass "
        f"({dataset.task}, {dataset.folder}, {simulator})"
    )
    return 0


def describe(verdict: Verdict) -> str:
    """One line: the code, its name, and the evidence (first error line or mismatches)."""
    parts = [f"{verdict.category} ({CATEGORY_NAMES[verdict.category]})"]
    if verdict.first_error:
        parts.append(verdict.first_error)
    if verdict.mismatches:
        parts.append(f"{verdict.mismatches} mismatches in {verdict.total} samples")
    return ": ".join(parts)
