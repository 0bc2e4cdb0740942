"""The feedback on one failed round: the tamper scan, the evidence its level allows, the text.

Runs in a worker thread of the event loop: the scan reads the answer in the sandbox and the
parser child, which must not hold up the other conversations.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from verilogeval.checks.tamper.scan import scan_log, scan_sample
from verilogeval.execution.interface import ModuleInterface, reference_interface
from verilogeval.feedback.counterexample import counterexample_table
from verilogeval.feedback.evidence import WaveTable, build_evidence
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.feedback.render import render_feedback
from verilogeval.feedback.waveform import MAX_VCD_BYTES, wave_table
from verilogeval.grading.grader import GradeConfig, Graded
from verilogeval.grading.simulate import official_log, simulate
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
    grading: GradeConfig,
    *,
    explain: bool,
) -> str:
    interface = problem_interface(problem)
    formal = line.checks.get("formal")
    example = None if formal is None or formal.details is None else formal.details.counterexample
    wave = None
    if level is FeedbackLevel.WAVEFORM and not findings and not graded.verdict.passed:
        wave = waveform(problem, graded, grading, interface)
    evidence = build_evidence(
        level,
        problem.task,
        graded.verdict,
        graded.result,
        interface=interface,
        findings=findings,
        failed_check=failed_check(line, checks),
        waveform=wave,
        counterexample=counterexample_table(
            None if example is None else example.to_json(), interface
        ),
    )
    return render_feedback(evidence, explain=explain)


def waveform(
    problem: Problem, graded: Graded, grading: GradeConfig, interface: ModuleInterface
) -> WaveTable | None:
    """The table around the first mismatch: the answer simulated again in the sandbox, this
    time keeping the testbench's wave.vcd, read as hostile bytes (feedback.waveform)."""
    if problem.test_path is None or graded.result.run is None:
        return None
    with tempfile.TemporaryDirectory(dir=grading.workdir) as folder:
        wave = Path(folder) / "wave.vcd"
        simulate(
            problem,
            graded.sample,
            timeout_s=graded.result.timeout_s,
            workdir=grading.workdir,
            wave_path=wave,
            sandboxed=grading.sandbox,
        )
        if not wave.is_file():
            return None
        with wave.open("rb") as file:
            data = file.read(MAX_VCD_BYTES)
    return wave_table(data, interface)


def problem_interface(problem: Problem) -> ModuleInterface:
    """RefModule's ports: the interface the prompt shows (read in the parser child)."""
    source = problem.ref_path.read_text(encoding="utf-8")
    return reference_interface(source, str(problem.ref_path))
