"""Give a simulated sample the failure code sv-iv-analyze would give it, with the details.

sv-iv-analyze reads the log line by line and stops at the first line holding one of its
decisive patterns, checked in a fixed order within the line; so precedence follows the
log's order first. Lines with "error" or "Unable to bind wire/reg" only count when no
decisive line came; a `Mismatches: 0` line then means a pass. Anything left is a runtime
failure, called 'r' when the sample's own text shows an asynchronous reset.

The log is the sample's to write, so no line may make the classifier raise: a count is
read as a number only up to _COUNT_DIGITS digits (Python's int() refuses a string of
over 4300), and "no mismatches" is decided on the digits themselves, as int(N) == 0
decides it in sv-iv-analyze, whatever their length.
"""

from __future__ import annotations

import re
import unicodedata

from verilogeval.grading.simulate import official_log
from verilogeval.records import Category, OutputMismatch, SimResult, Verdict

# (substring, code) in the order sv-iv-analyze tests them within one line.
_DECISIVE: tuple[tuple[str, Category], ...] = (
    ("syntax error", Category.SYNTAX),
    ("error: This assignment requires an explicit cast", Category.EXPLICIT_CAST),
    ("error: Sized numeric constant must have a size greater than zero", Category.ZERO_WIDTH),
    ("warning: always_comb process has no sensitivities", Category.NO_SENSITIVITY),
    ("found no sensitivities so it will never trigger", Category.NO_SENSITIVITY),
    ("is declared here as wire", Category.DECLARED_AS_WIRE),
    ("Unknown module type", Category.UNKNOWN_MODULE),
    ("Unable to bind wire/reg/memory `clk'", Category.UNABLE_TO_BIND_CLK),
    ("TIMEOUT", Category.TIMEOUT),
)
_UNBOUND = "Unable to bind wire/reg"
_DIAGNOSTIC = re.compile(r": (?:error|sorry): ")  # a compiler message naming a source line
_ASYNC_RESET_MARKS = ("posedge reset", "negedge reset", "posedge r)")
_MISMATCHES = re.compile(r"Mismatches: (\d+) in (\d+) samples")
_COUNT_DIGITS = 18  # a longer count is no count: no testbench prints one
_COUNT = rf"(\d{{1,{_COUNT_DIGITS}}})"
_OUTPUT_HINT = re.compile(
    rf"Hint: Output '(.*)' has {_COUNT} mismatches\. First mismatch occurred at time {_COUNT}\."
)


def classify(result: SimResult) -> Verdict:
    """The official code of `result`, plus mismatch counts and the first error line."""
    lines = log_lines(official_log(result))
    category, deciding_line = _official_code(lines, result.code)
    mismatches, total = _mismatch_counts(lines)
    outputs = tuple(
        OutputMismatch(output=m.group(1), mismatches=int(m.group(2)), first_time=int(m.group(3)))
        for m in map(_OUTPUT_HINT.match, lines)
        if m
    )
    return Verdict(
        problem=result.problem,
        sample=result.sample,
        category=category,
        mismatches=mismatches,
        total=total,
        outputs=outputs,
        first_error=deciding_line,
    )


def log_lines(text: str) -> list[str]:
    """Lines as Python's text mode reads them: \\n, \\r\\n and \\r all end a line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _official_code(lines: list[str], code: str) -> tuple[Category, str | None]:
    """sv-iv-analyze's decision and the line it rests on (None for pass and runtime)."""
    first_error: str | None = None
    first_diagnostic: str | None = None
    first_unbound: str | None = None
    passed = False
    for line in lines:
        for pattern, category in _DECISIVE:
            if pattern in line:
                return category, line.strip()
        if first_error is None and "error" in line:
            first_error = line.strip()
        if first_diagnostic is None and _DIAGNOSTIC.search(line):
            first_diagnostic = line.strip()
        if first_unbound is None and _UNBOUND in line:
            first_unbound = line.strip()
        match = _MISMATCHES.fullmatch(line)
        if match and _is_zero(match.group(1)):
            passed = True
    if first_unbound is not None:
        return Category.UNABLE_TO_BIND, first_unbound
    if first_error is not None:  # shown: the first message naming a line, when there is one
        return Category.COMPILE_OTHER, first_diagnostic or first_error
    if passed:
        return Category.PASS, None
    if any(mark in code for mark in _ASYNC_RESET_MARKS):
        return Category.ASYNC_RESET, None
    return Category.RUNTIME, None


def _is_zero(digits: str) -> bool:
    """int(digits) == 0 without int(): `\\d` matches every Unicode decimal digit."""
    return all(unicodedata.decimal(digit) == 0 for digit in digits)


def _mismatch_counts(lines: list[str]) -> tuple[int | None, int | None]:
    """(N, M) of the last `Mismatches: N in M samples` line; (None, None) without one, or
    when a count of that line is over _COUNT_DIGITS digits."""
    for line in reversed(lines):
        match = _MISMATCHES.fullmatch(line)
        if match:
            counts = match.group(1, 2)
            if any(len(count) > _COUNT_DIGITS for count in counts):
                return None, None
            return int(counts[0]), int(counts[1])
    return None, None
