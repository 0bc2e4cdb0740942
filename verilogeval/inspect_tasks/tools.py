"""Tools for agents: `verilog_compile(code)` and `verilog_simulate(code)` in the sandbox.

Both grade the code as the scorer does (the official compile and simulation against the
sample's problem, sandboxed) and answer with the feedback a repair round would get at the
task's level (orchestration.repair.feedback_step: the tamper scan, the evidence the level
allows, one render function). `verilog_compile` says whether the code compiles and, when
not, why, at most at the compiler level; `verilog_simulate` says whether the testbench
passes and, when not, what the level shows: the category (pass-fail), the compiler's
messages (compiler), the testbench's result lines (testbench), a table of the signals
around the first mismatch (waveform), the formal check's counterexample (formal). An
answer acting on the harness is told it was refused. The testbench's and reference's
text never reach the model: the feedback module filters every line it shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inspect_ai.tool import Tool, tool
from inspect_ai.util import concurrency

from verilogeval.checks.formal.check import FormalConfig
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.grading.grader import default_jobs
from verilogeval.inspect_tasks.grading import AnswerGrading, GradedAnswer, grade_code
from verilogeval.orchestration.repair.feedback_step import feedback_text, scan
from verilogeval.records import Problem

COMPILES = "The module compiles with the testbench."
PASSES = "The testbench passes: no mismatches."
_LEVELS = list(FeedbackLevel)  # least to most of the oracle shown


@dataclass(frozen=True)
class ToolContext:
    """What the tools of one sample know: its problem, how it grades, what they may show."""

    grading: AnswerGrading
    problem: Problem
    level: FeedbackLevel

    @property
    def checks(self) -> dict[str, Any]:
        """The formal level shows the formal check's counterexample: it runs the check."""
        return {"formal": FormalConfig()} if self.level is FeedbackLevel.FORMAL else {}

    def grade(self, code: str, checks: dict[str, Any]) -> GradedAnswer:
        return grade_code(self.grading, self.problem, 1, code, None, checks)

    def feedback(self, level: FeedbackLevel, done: GradedAnswer, findings: tuple[str, ...]) -> str:
        text = feedback_text(
            level,
            self.problem,
            done.graded,
            done.line,
            findings,
            {},  # a tool's answer is the official verdict: no trusted check to name
            self.grading.grading,
            explain=True,  # no [BEGIN]/[DONE]: the agent submits through its tool
        )
        return text.strip()


def compile_feedback(context: ToolContext, code: str) -> str:
    """verilog_compile's answer (blocking): compiled, or why not at the level's detail."""
    done = context.grade(code, {})
    if done.graded.result.run is not None:  # a binary was built: compile says no more
        return COMPILES
    level = min(context.level, FeedbackLevel.COMPILER, key=_LEVELS.index)
    # nothing ran, but the scan decides whether the compiler's messages may be shown
    findings = scan(context.problem, done.graded, context.grading.grading)
    return context.feedback(level, done, findings)


def simulate_feedback(context: ToolContext, code: str) -> str:
    """verilog_simulate's answer (blocking): the verdict at the level's detail."""
    done = context.grade(code, context.checks)
    findings = scan(context.problem, done.graded, context.grading.grading)
    if done.line.passed and not findings:
        return PASSES
    return context.feedback(context.level, done, findings)


async def _in_thread(
    work: Callable[[ToolContext, str], str], context: ToolContext, code: str
) -> str:
    async with concurrency("verilogeval-grading", default_jobs()):
        return await asyncio.to_thread(work, context, code)


@tool
def verilog_compile(context: ToolContext) -> Tool:
    async def execute(code: str) -> str:
        """Compile a Verilog module TopModule with the problem's testbench (Icarus Verilog).

        Args:
          code: The complete Verilog source of module TopModule.

        Returns:
          Whether it compiles and, when it does not, why.
        """
        return await _in_thread(compile_feedback, context, code)

    return execute


@tool
def verilog_simulate(context: ToolContext) -> Tool:
    async def execute(code: str) -> str:
        """Simulate a Verilog module TopModule against the problem's testbench.

        Args:
          code: The complete Verilog source of module TopModule.

        Returns:
          Whether the testbench passes and, when it does not, what failed.
        """
        return await _in_thread(simulate_feedback, context, code)

    return execute
