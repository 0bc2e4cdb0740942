"""Tools for agents: `verilog_compile(code)` and `verilog_simulate(code)` in the sandbox.

Both run the official compile and simulation of the code against the sample's problem
(its testbench and reference), sandboxed as every grade is, and answer with what the
task's feedback level allows (verilogeval.feedback, one render function for every
feedback verilogeval gives): `verilog_compile` says whether the code compiles and, from
the compiler level up, the compiler's messages on the code's own lines; `verilog_simulate`
adds the verdict: pass or its category, the testbench's result lines from the testbench
level up. What the run printed is believed only when the tamper scan is clean; an answer
acting on the harness is told it was refused. The testbench's and reference's text never
reach the model: the feedback module filters every line it shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from inspect_ai.tool import Tool, tool
from inspect_ai.util import concurrency

from verilogeval.checks.plus.tamper import scan_log, scan_sample
from verilogeval.execution.interface import ModuleInterface, read_interfaces
from verilogeval.execution.pools import Place
from verilogeval.feedback.evidence import build_evidence
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.feedback.render import render_feedback
from verilogeval.grading.classify import classify
from verilogeval.grading.grader import Simulation, default_jobs, simulate_and_classify
from verilogeval.grading.simulate import official_log
from verilogeval.inspect_tasks.grading import AnswerGrading
from verilogeval.records import Problem, Sample, SimResult, Verdict

COMPILES = "The module compiles with the testbench."
PASSES = "The testbench passes: no mismatches."
_LEVELS = list(FeedbackLevel)  # least to most of the oracle shown


@dataclass(frozen=True)
class ToolContext:
    """What the tools of one sample know: its problem, how it grades, what they may show."""

    grading: AnswerGrading
    problem: Problem
    level: FeedbackLevel


def _graded(context: ToolContext, code: str) -> tuple[SimResult, Verdict]:
    """The official compile and run of `code`, in the sandbox (blocking)."""
    config = context.grading.grading
    place = Place(workdir=config.workdir, cache_dir=config.cache_dir, sandboxed=config.sandbox)
    sample = Sample(problem=context.problem.name, sample=1, code=code)
    return simulate_and_classify(
        context.problem, sample, Simulation(config.timeout_s, config.time_limit), place
    )


def _interface(problem: Problem) -> ModuleInterface:
    return read_interfaces(problem.ref_path.read_text(encoding="utf-8"))["RefModule"]


def compile_feedback(context: ToolContext, code: str) -> str:
    """verilog_compile's answer (blocking): compiled, or why not at the level's detail."""
    result, _ = _graded(context, code)
    if result.run is not None:  # a binary was built: the run's outcome is not compile's
        return COMPILES
    level = min(context.level, FeedbackLevel.COMPILER, key=_LEVELS.index)
    compiled_only = replace(result, run=None)
    evidence = build_evidence(
        level,
        context.problem.task,
        classify(compiled_only),
        compiled_only,
        interface=_interface(context.problem),
        findings=(),  # nothing ran: only compiler messages, filtered on the code's lines
    )
    return render_feedback(evidence, explain=True).strip()


def simulate_feedback(context: ToolContext, code: str) -> str:
    """verilog_simulate's answer (blocking): the verdict at the level's detail."""
    result, verdict = _graded(context, code)
    config = context.grading.grading
    findings = scan_sample(
        code, context.problem, workdir=config.workdir, sandboxed=config.sandbox
    ) + scan_log(official_log(result))
    if verdict.passed and not findings:
        return PASSES
    evidence = build_evidence(
        context.level,
        context.problem.task,
        verdict,
        result,
        interface=_interface(context.problem),
        findings=findings,
    )
    return render_feedback(evidence, explain=True).strip()


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
