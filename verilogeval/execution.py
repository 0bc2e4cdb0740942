"""Carry out a RunPlan for the command line: execute it, say what happened, exit code.

`run` and `sweep` both end here, so a run reads the same however it was started.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

from verilogeval.errors import ExitCode, outcome_code
from verilogeval.formal.batch import formal_tally
from verilogeval.models.registry import get_adapter
from verilogeval.pipeline import RunOutcome, execute
from verilogeval.plans import RunPlan
from verilogeval.plus.report import plus_undecided
from verilogeval.progress import Progress
from verilogeval.records import CATEGORY_NAMES
from verilogeval.reference_failures import known_failing_references
from verilogeval.repair.verdict import passed_by_round
from verilogeval.responses import ResponseIssue
from verilogeval.summary import official_pass_rate, outcome_table, spending
from verilogeval.wording import plural


def execute_plan(plan: RunPlan, progress: Progress, started: float) -> ExitCode:
    """Run the plan and print its summary; Ctrl-C says how to resume it. `started`: the
    time.monotonic() the closing table's wall time counts from."""
    adapter = get_adapter(plan.model, plan.adapter)  # fails before any work
    try:
        outcome = execute(plan, adapter, progress)
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: everything finished so far is saved in {plan.out}\n"
            f"resume with: {plan.resume_command}",
            file=sys.stderr,
        )
        return ExitCode.INTERRUPTED
    for warning in outcome.warnings:
        print(f"verilogeval run: {warning}", file=sys.stderr)
    for failure in outcome.failures:
        print(f"verilogeval run: error: {failure}", file=sys.stderr)
    print_summary(plan, outcome, time.monotonic() - started)
    if outcome.unanswered:
        print(
            f"verilogeval run: {plural(outcome.unanswered, 'sample')} without an answer "
            f"(exit 1); the same command asks for them again: {plan.resume_command}",
            file=sys.stderr,
        )
    return outcome_code(len(outcome.failures) + outcome.unanswered)


def process_started() -> float:
    """The time.monotonic() at which this process started: a run's wall time includes
    the interpreter's start-up and imports, which a timer started in main() would miss."""
    with open("/proc/self/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    started_ticks = int(fields[19])  # field 22, starttime: clock ticks after boot
    elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - started_ticks / os.sysconf("SC_CLK_TCK")
    return time.monotonic() - elapsed


def print_summary(plan: RunPlan, outcome: RunOutcome, wall_s: float) -> None:
    """The closing table: pass rate, failure categories, and what this invocation spent."""
    from rich.console import Console
    from rich.table import Table

    results = outcome.results
    passed = sum(line.passed for line in results)
    asked = range(1, plan.sampling.n + 1)
    grid = outcome_table(results, expected=[(p.name, s) for p in plan.problems for s in asked])
    outcomes = {
        problem: "".join(sample.code for sample in samples) for problem, samples in grid.items()
    }
    official = official_pass_rate(outcomes) if outcomes else 0.0
    spent = spending(outcome.answered)

    table = Table(title=f"{plan.model} on {plan.dataset.task} ({plan.out})", show_header=False)
    table.add_row("samples graded", f"{len(results)} ({outcome.resumed} from before)")
    every = sum(len(row) for row in grid.values())  # a sample without a result fails
    rate = 100 * passed / every if every else 0.0
    table.add_row("pass rate", f"{passed}/{every} = {rate:.1f}%")
    table.add_row("official pass_rate", f"{official:.2f}")
    unpassable = known_failing_references(plan.dataset, plan.problems)
    if unpassable:
        table.add_row(
            "  cannot pass (own reference fails)",
            f"{len(unpassable)}: {', '.join(unpassable)} (see verilogeval check)",
        )
    if "strict" in plan.checks:
        strictly = sum(bool(line.strict_passed) for line in results)
        table.add_row("strict pass rate", f"{strictly}/{len(results)}")
    if "plus" in plan.checks:
        plussed = sum(bool(line.plus_passed) for line in results)
        table.add_row("plus pass rate", f"{plussed}/{len(results)}")
        undecided = len(plus_undecided(results))
        if undecided:
            table.add_row("  plus undecided (formal could not decide)", str(undecided))
    if plan.repair is not None:  # the final answers' rate above; the curve over rounds here
        table.add_row("repair", f"{plan.repair.rounds} rounds, {plan.repair.feedback} feedback")
        for number, passed_by in passed_by_round(results, plan.repair.rounds):
            share = 100 * passed_by / every if every else 0.0
            table.add_row(f"  passed by round {number}", f"{passed_by}/{every} = {share:.1f}%")
    for category, count in Counter(line.category for line in results).most_common():
        table.add_row(f"  {category} {CATEGORY_NAMES[category]}", str(count))
    if outcome.failures:
        table.add_row(
            "could not grade (this run)", f"{len(outcome.failures)}; first: {outcome.failures[0]}"
        )
    table.add_row("generation errors (this run)", str(spent.errors))
    if spent.first_error is not None:
        table.add_row("  first error", spent.first_error)
    if outcome.unanswered:
        table.add_row("samples without an answer", f"{outcome.unanswered} (asked again on resume)")
    issues = Counter(line.response_issue for line in results)
    for issue in ResponseIssue:
        if issue is not ResponseIssue.GENERATION_ERROR and issues[issue]:
            table.add_row(f"  answers {issue}", str(issues[issue]))
    if issues[ResponseIssue.TRUNCATED]:
        table.add_row(
            "  to fix truncation",
            f"raise --max-tokens (now {plan.sampling.max_tokens}) or lower --thinking-budget / "
            "--reasoning-effort",
        )
    table.add_row(
        "tokens (prompt + completion, this run)",
        f"{spent.prompt_tokens} + {spent.completion_tokens}",
    )
    reasoning_tokens = sum(line.reasoning_tokens or 0 for line in outcome.answered)
    if reasoning_tokens:
        table.add_row("  completion spent reasoning", str(reasoning_tokens))
    table.add_row("cost (this run)", spent.describe())
    table.add_row("wall time", f"{wall_s:.1f} s")
    Console().print(table)
    if "formal" in plan.checks:
        print(f"formal: {formal_tally(results)}")
