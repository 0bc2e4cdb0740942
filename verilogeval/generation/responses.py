"""What a model's response is made of, and what went wrong with it before the simulator.

Reasoning models think before they answer. Their thinking arrives in a field of its own
(`reasoning_content`, thinking blocks) or, from a server without a reasoning parser, as
a leading `<think>...</think>` in the content. Only the answer is extracted: a fenced
draft inside the thinking must never be graded in place of the final answer.

A sample that never reached a fair simulation gets a `response_issue` beside its
official category (which stays what the official flow says, for parity): an official
`S` on an empty answer means "the budget ran out", not "syntax error".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from verilogeval.records import Generation

_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
# Lines that make a sample file more than markers, comments and blank lines.
_VERILOG_WORD = re.compile(r"\b(module|endmodule|assign|always\w*|wire|reg|logic)\b")


@dataclass(frozen=True)
class AnswerAndReasoning:
    text: str  # what extraction reads
    reasoning: str | None  # the thinking found in the content, if any


def split_thinking(content: str) -> AnswerAndReasoning:
    """The answer and the thinking of a response whose content may begin with <think>.

    A `<think>` that never closes (the budget ran out while thinking) leaves no answer.
    A content that does not begin with `<think>` (leading white space aside) is all
    answer, byte for byte, so official extraction of ordinary answers is unchanged.
    """
    stripped = content.lstrip()
    if not stripped.startswith(_THINK_OPEN):
        return AnswerAndReasoning(content, None)
    inside = stripped[len(_THINK_OPEN) :]
    thinking, closed, answer = inside.partition(_THINK_CLOSE)
    if not closed:
        return AnswerAndReasoning("", inside.strip() or None)
    return AnswerAndReasoning(answer.lstrip("\n"), thinking.strip() or None)


def join_reasoning(*parts: str | None) -> str | None:
    """The provider's reasoning field and any <think> block, as one text (None if neither)."""
    present = [part.strip() for part in parts if part and part.strip()]
    return "\n\n".join(present) if present else None


class ResponseIssue(StrEnum):
    """Why a sample failed before the simulator had a fair chance (results.jsonl)."""

    GENERATION_ERROR = "generation_error"  # the model never answered
    TRUNCATED = "truncated"  # the output budget ran out (finish reason "length")
    EMPTY = "empty"  # no answer text at all
    NO_CODE = "no_code"  # text, but nothing that extraction could turn into Verilog


def response_issue(
    generation: Generation, sample_code: str, interface: str | None = None
) -> ResponseIssue | None:
    """The issue of one answer and the sample file extracted from it, or None.

    `interface` is the module header code completion puts in front of every sample: it
    is no code of the model's.

    Truncation wins over an empty answer: a budget spent entirely on thinking is a
    truncation, and the fix (a larger --max-tokens) is the same.
    """
    if generation.error is not None:
        return ResponseIssue.GENERATION_ERROR
    if generation.finish_reason == "length":
        return ResponseIssue.TRUNCATED
    if not (generation.response or "").strip():
        return ResponseIssue.EMPTY
    own_code = sample_code.replace(interface, "", 1) if interface else sample_code
    if not _VERILOG_WORD.search(_code_lines(own_code)):
        return ResponseIssue.NO_CODE
    return None


def _code_lines(sample_code: str) -> str:
    """The sample without // comments (the official markers among them)."""
    return "\n".join(line.split("//", 1)[0] for line in sample_code.splitlines())


# What each issue means for the person reading a report, and what to do about it.
ISSUE_MEANINGS: dict[ResponseIssue, str] = {
    ResponseIssue.GENERATION_ERROR: "no answer: the request failed (see generations.jsonl)",
    ResponseIssue.TRUNCATED: "output budget ran out: raise --max-tokens or the thinking budget",
    ResponseIssue.EMPTY: "empty answer",
    ResponseIssue.NO_CODE: "answer without Verilog code",
}


# A UTF-16 surrogate alone: valid in a server's JSON ("\ud800") and held by a str, but no
# UTF-8 file can hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text: str) -> str:
    """`text` as UTF-8 can hold it: a lone surrogate becomes U+FFFD, as a UTF-8 decoder
    reads bytes it cannot decode. Text a model wrote enters through it."""
    return _LONE_SURROGATE.sub("\ufffd", text)
