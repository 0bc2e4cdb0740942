"""The feedback on one failed round: the tamper scan, the evidence its level allows, the text.

Runs in a worker thread of the event loop: the scan reads the answer in the sandbox and the
parser child, which must not hold up the other conversations.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from verilogeval.checks.plus.tamper import scan_log, scan_sample
from verilogeval.execution.interface import ModuleInterface, read_interfaces
from verilogeval.feedback.counterexample import counterexample_table
from verilogeval.feedback.evidence import build_evidence
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.feedback.render import render_feedback
from verilogeval.grading.grader import GradeConfig, Graded
from verilogeval.grading.simulate import official_log
from verilogeval.orchestration.repair.verdict import failed_check
from verilogeval.records import Problem
from verilogeval.runfolder.lines import ResultLine


def scan(problem: Problem, graded: Graded, grading: GradeConfig) -> tuple[str, ...]:
    """The tamper scan's findings on a round's answer (its code and its log)."""
    found = scan_sample(
        graded.sample.code, problem, workdir=grading.workdir, sandboxed=grading.sandbox
    )
    return found + scan_log(official_log(graded.result))


def feedback_text(
    level: FeedbackLevel,
    problem: Problem,
    graded: Graded,
    line: ResultLine,
    findings: tuple[str, ...],
    checks: Mapping[str, Any],
    *,
    explain: bool,
) -> str:
    interface = reference_interface(problem)
    formal = line.checks.get("formal")
    example = None if formal is None or formal.details is None else formal.details.counterexample
    evidence = build_evidence(
        level,
        problem.task,
        graded.verdict,
        graded.result,
        interface=interface,
        findings=findings,
        failed_check=failed_check(line, checks),
        counterexample=counterexample_table(
            None if example is None else example.to_json(), interface
        ),
    )
    return render_feedback(evidence, explain=explain)


@functools.cache
def reference_interface(problem: Problem) -> ModuleInterface:
    """RefModule's ports: the interface the prompt shows (read in the parser child)."""
    return read_interfaces(problem.ref_path.read_text(encoding="utf-8"))["RefModule"]
