"""The evidence one feedback message shows: typed records, built only from what a level names.

Everything here is read from bytes the sample could have influenced (the compiler's and the
simulation's output, a waveform), so each builder keeps only what it can prove belongs to
the level: compiler messages located on the answer's own lines, the testbench's result lines
for outputs the problem declares, and nothing at all beyond the category when the tamper scan
found the answer acting on the harness (it could have written any of those lines itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from verilogeval.execution.interface import ModuleInterface
from verilogeval.feedback.compiler_messages import CompilerEvidence, compiler_evidence
from verilogeval.feedback.levels import FeedbackLevel, Part, shows
from verilogeval.grading.classify import log_lines
from verilogeval.records import Category, OutputMismatch, SimResult, Task, Verdict


@dataclass(frozen=True)
class TestbenchEvidence:
    """The testbench's result lines: mismatches per output, the first mismatch's time, total."""

    outputs: tuple[OutputMismatch, ...]  # only outputs that mismatched, in the log's order
    mismatches: int | None  # mismatched samples, None when the testbench printed no total
    total: int | None  # samples compared


class SignalRole(StrEnum):
    INPUT = "input"
    EXPECTED = "expected"  # the reference's output
    ANSWER = "answer"  # the answer's output


@dataclass(frozen=True)
class WaveColumn:
    name: str  # the port's name, as the problem's interface declares it
    role: SignalRole


@dataclass(frozen=True)
class WaveRow:
    time: int
    values: tuple[str, ...]  # one per column, as the waveform shows them (binary, x, z)
    mismatch: bool  # the answer's outputs differ from the expected ones at this time


@dataclass(frozen=True)
class WaveTable:
    """Signals cycle by cycle around the first mismatch (a waveform or a counterexample)."""

    columns: tuple[WaveColumn, ...]
    rows: tuple[WaveRow, ...]
    first_mismatch_time: int
    step: str = "time"  # what a row's number counts: simulation time, or "cycle"


@dataclass(frozen=True)
class Evidence:
    """Everything one feedback message may say about a failed answer."""

    level: FeedbackLevel
    task: Task
    category: Category  # the official category of the answer
    refused: bool = False  # the tamper scan found it acting on the harness: nothing else shown
    failed_check: str | None = None  # a trusted check failed an officially passing answer
    compiler: CompilerEvidence | None = None
    testbench: TestbenchEvidence | None = None
    waveform: WaveTable | None = None
    counterexample: WaveTable | None = None


def build_evidence(
    level: FeedbackLevel,
    task: Task,
    verdict: Verdict,
    result: SimResult,
    *,
    interface: ModuleInterface,
    findings: tuple[str, ...],
    failed_check: str | None = None,
    waveform: WaveTable | None = None,
    counterexample: WaveTable | None = None,
) -> Evidence:
    """The evidence `level` may show of a failed answer.

    `interface` is the reference's (RefModule's ports, which the prompt shows);
    `findings` are the tamper scan's (sample and log) for this answer. An answer that ran
    with a finding is refused: it could have printed any line of the log, so nothing but
    the category is shown. So is one with a finding that Icarus elaborated: elaboration
    evaluates what the answer reaches into the harness, and a message on the answer's own
    line then carries it (a reference's parameter folded into an index, "Constant bit
    select [3777]"). Only a syntax error stops Icarus before it elaborates anything: its
    messages are shown whatever the scan found (it cannot parse the answer either).
    """
    elaborated = not stopped_at_parsing(result.compile.output)
    if findings and (result.run is not None or elaborated):
        return Evidence(level, task, verdict.category, refused=True, failed_check=failed_check)
    trusted_run = not findings
    ports = frozenset(port.name for port in interface.ports)
    outputs = frozenset(port.name for port in interface.outputs)
    return Evidence(
        level=level,
        task=task,
        category=verdict.category,
        failed_check=failed_check,
        compiler=(
            compiler_evidence(result.compile.output, result.code, ports)
            if shows(level, Part.COMPILER)
            else None
        ),
        testbench=(
            _testbench(verdict, outputs) if trusted_run and shows(level, Part.TESTBENCH) else None
        ),
        waveform=waveform if trusted_run and shows(level, Part.WAVEFORM) else None,
        counterexample=(
            counterexample if trusted_run and shows(level, Part.COUNTEREXAMPLE) else None
        ),
    )


# The whole line Icarus's parser prints for a syntax error, after which it elaborates
# nothing. Not the category: "syntax error" anywhere in the log makes it, and an
# elaboration message quotes the answer's strings ("Unable to elaborate r-value:
# ("syntax error")+(x)"), with their escapes as written, never a line break of theirs.
_PARSER_STOPPED = re.compile(r"\S+:\d+: syntax error")


def stopped_at_parsing(output: str) -> bool:
    """Whether the compile `output` shows Icarus stopped at parsing, before elaborating."""
    return any(_PARSER_STOPPED.fullmatch(line.rstrip()) for line in log_lines(output))


def _testbench(verdict: Verdict, outputs: frozenset[str]) -> TestbenchEvidence | None:
    """The verdict's result lines, for outputs the problem declares, each output once."""
    if verdict.total is None and not verdict.outputs:
        return None
    by_output: dict[str, OutputMismatch] = {}
    for output in verdict.outputs:
        if output.output in outputs:
            by_output.setdefault(output.output, output)
    return TestbenchEvidence(
        outputs=tuple(by_output.values()), mismatches=verdict.mismatches, total=verdict.total
    )
