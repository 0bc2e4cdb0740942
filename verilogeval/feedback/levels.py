"""The feedback levels, from least to most of the oracle shown, and what each one shows."""

from __future__ import annotations

from enum import StrEnum


class FeedbackLevel(StrEnum):
    PASS_FAIL = "pass-fail"  # that the answer failed, and its category's name
    COMPILER = "compiler"  # + the compiler's messages on the answer's own lines
    TESTBENCH = "testbench"  # + the testbench's result lines (mismatch counts, first time)
    WAVEFORM = "waveform"  # + a table of the signals around the first mismatch
    FORMAL = "formal"  # + the formal check's counterexample as the same table (--formal)


class Part(StrEnum):
    """One kind of evidence a level may show."""

    COMPILER = "compiler"
    TESTBENCH = "testbench"
    WAVEFORM = "waveform"
    COUNTEREXAMPLE = "counterexample"


PARTS: dict[FeedbackLevel, frozenset[Part]] = {
    FeedbackLevel.PASS_FAIL: frozenset(),
    FeedbackLevel.COMPILER: frozenset({Part.COMPILER}),
    FeedbackLevel.TESTBENCH: frozenset({Part.COMPILER, Part.TESTBENCH}),
    FeedbackLevel.WAVEFORM: frozenset({Part.COMPILER, Part.TESTBENCH, Part.WAVEFORM}),
    FeedbackLevel.FORMAL: frozenset({Part.COMPILER, Part.TESTBENCH, Part.COUNTEREXAMPLE}),
}


def shows(level: FeedbackLevel, part: Part) -> bool:
    return part in PARTS[level]
