"""`verilogeval check`: dataset health, every reference graded as if it were the sample.

A problem whose own reference fails can never be passed by a model; this lists them with
the reason, so a pass rate can be read against the ceiling the simulator allows. With
--strict each reference also runs against itself in the cocotb differential test, which
it must pass, and the report says how often it drives X (a wildcard any sample matches).
With --formal each reference is proven equal to itself with Yosys, and the problems the
formal check cannot handle are listed with why. Exit 1 when a reference fails (officially
or, with --strict, its own differential test): no model can pass that problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from verilogeval.checks.formal.options import add_formal_options, formal_config_from_args
from verilogeval.checks.formal.selfcheck import check_references as check_formally
from verilogeval.checks.formal.selfcheck import reference_report as formal_report
from verilogeval.checks.plus.batch import PlusChecks
from verilogeval.checks.plus.check import PlusResult
from verilogeval.checks.plus.options import add_plus_options, plus_config_from_args
from verilogeval.checks.strict.options import add_strict_options, strict_config_from_args
from verilogeval.checks.strict.selfcheck import check_references, reference_report
from verilogeval.cli.commands.options import (
    RESULT_CACHE_HELP,
    add_cache_options,
    add_dataset_options,
    add_grade_options,
    checks_for,
    dataset_from_args,
    grade_config_from_args,
    grading_for,
)
from verilogeval.cli.json_output import add_json_option, print_json, stdout_for
from verilogeval.errors import outcome_code
from verilogeval.execution.cluster import open_pool
from verilogeval.grading.grader import Graded, grade
from verilogeval.grading.simulate import official_log
from verilogeval.grading.time_limits import reference_sample
from verilogeval.grading.v1.simulator import simulator_warning
from verilogeval.records import CATEGORY_NAMES, Problem, Verdict
from verilogeval.wording import plural

EXAMPLES = """
verilogeval check --dataset ../verilog-eval
verilogeval check --dataset ../verilog-eval --strict --formal --plus
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_dataset_options(parser)
    add_grade_options(parser)
    add_cache_options(parser, default=RESULT_CACHE_HELP)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also run each reference against itself in the differential test (cocotb) "
        "and report how often it drives X",
    )
    add_strict_options(parser)
    parser.add_argument(
        "--formal",
        action="store_true",
        help="also prove each reference equal to itself (Yosys) and list the problems the "
        "formal check cannot handle, with why",
    )
    add_formal_options(parser)
    add_plus_options(parser)
    add_json_option(parser)


def run(args: argparse.Namespace) -> int:
    summary: dict[str, Any] = {"command": "check"}
    with stdout_for(args):
        code = _check(args, summary)
    if args.json:
        print_json(summary | {"exit_status": int(code)})
    return code


def _check(args: argparse.Namespace, summary: dict[str, Any]) -> int:
    """Grade every reference, print what fails, and fill `summary` (see README, --json)."""
    dataset, problems = dataset_from_args(args)
    config = grading_for(dataset, grade_config_from_args(args))
    strict = strict_config_from_args(args) if args.strict else None
    formal = formal_config_from_args(args) if args.formal else None
    plus = plus_config_from_args(args, config.timeout_s)
    asked = {"strict": strict, "formal": formal, "plus": plus}
    checks_for(dataset, {name: check for name, check in asked.items() if check is not None})
    verdicts: dict[str, Verdict] = {}
    logs: dict[str, str] = {}
    simulators: list[str] = []

    def record(graded: Graded) -> None:
        verdicts[graded.sample.problem] = graded.verdict
        logs[graded.sample.problem] = official_log(graded.result)
        simulators[:] = [graded.result.simulator]

    tools = ("yosys",) if formal is not None else ()
    strict_failing = 0
    pool = open_pool(config.jobs, config.place, config.scheduler, tools=tools)
    try:
        errors = grade(
            {problem.name: problem for problem in problems},
            (reference_sample(problem) for problem in problems),
            config,
            record,
            pool,
        )
        for error in errors:
            print(f"verilogeval check: error: {error}", file=sys.stderr)
        simulator = simulators[0] if simulators else "no simulation"
        warning = simulator_warning(dataset.benchmark, simulator) if simulators else None
        if warning:
            print(f"verilogeval check: {warning}", file=sys.stderr)
        failing = [
            verdicts[problem.name]
            for problem in problems
            if problem.name in verdicts and not verdicts[problem.name].passed
        ]
        for verdict in failing:
            print(f"{verdict.problem}: {describe(verdict)}")
        print(
            f"{len(failing)} of {len(verdicts)} references cannot pass "
            f"({dataset.task}, {dataset.folder}, {simulator})"
        )
        summary |= {
            "task": str(dataset.task),
            "benchmark": str(dataset.benchmark),
            "dataset": str(dataset.folder),
            "simulator": simulator,
            "references": len(verdicts),
            "cannot_pass": [_failure_json(verdict) for verdict in failing],
            "errors": [str(error) for error in errors],
        }
        if strict is not None:
            strict_results = check_references(problems, strict, pool)
            strict_failing = sum(not result.passed for result in strict_results)
            for line in reference_report(strict_results):
                print(line)
            summary["strict"] = {
                "failing": [r.problem for r in strict_results if not r.passed],
                "driving_x": [r.problem for r in strict_results if r.passed and r.x_compares],
            }
        if formal is not None:
            formal_results = check_formally(problems, formal, pool)
            for line in formal_report(formal_results):
                print(line)
            summary["formal"] = {r.problem: str(r.status) for r in formal_results}
        if plus is not None:
            passing = [p for p in problems if p.name in verdicts and verdicts[p.name].passed]
            checks = PlusChecks(plus, pool, sandboxed=config.sandbox, cache_dir=config.cache_dir)
            try:
                for line in plus_report(check_with_plus(passing, logs, checks)):
                    print(line)
            finally:
                checks.close()
    finally:
        pool.shutdown()
    # A reference that fails is a fault of the dataset (or of this simulator): exit 1.
    return outcome_code(len(errors) + len(failing) + strict_failing)


def _failure_json(verdict: Verdict) -> dict[str, Any]:
    return {
        "problem": verdict.problem,
        "category": str(verdict.category),
        "category_name": CATEGORY_NAMES[verdict.category],
        "first_error": verdict.first_error,
        "result": verdict.result,  # v1's own result string; null on v2
        "mismatches": verdict.mismatches,
        "total": verdict.total,
    }


def describe(verdict: Verdict) -> str:
    """One line: the code, its name, and the evidence (first error line or mismatches)."""
    parts = [f"{verdict.category} ({CATEGORY_NAMES[verdict.category]})"]
    if verdict.result is not None:  # a v1 benchmark: its own result string first
        parts.insert(0, verdict.result)
    if verdict.first_error:
        parts.append(verdict.first_error)
    if verdict.mismatches:
        parts.append(f"{verdict.mismatches} mismatches in {verdict.total} samples")
    return ": ".join(parts)


def check_with_plus(
    problems: Sequence[Problem], logs: dict[str, str], checks: PlusChecks
) -> list[tuple[str, PlusResult]]:
    """(problem, plus result) of each passing reference as its own sample."""
    futures = [
        (problem.name, checks.submit(problem, reference_sample(problem), logs[problem.name]))
        for problem in problems
    ]
    return [(name, future.result()) for name, future in futures]


def plus_report(results: Sequence[tuple[str, PlusResult]]) -> list[str]:
    """One line per reference plus rejects, then a count: a rejected reference means the
    trusted verdict cannot pass any sample of that problem."""
    lines = [f"{name}: plus: {result.reason()}" for name, result in results if not result.passed]
    rejected = len(lines)
    lines.append(f"{rejected} of {plural(len(results), 'passing reference')} rejected by --plus")
    return lines
