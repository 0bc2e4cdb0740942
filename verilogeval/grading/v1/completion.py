"""A model's answer to a v1 prompt, as the completion v1 grades.

v1 has no extraction: its users hand it `{task_id, completion}`, the text that follows the
module header. `--extract-mode official` takes the answer as that text, as is; `robust`
(the default for v1's prompt) makes a chat answer into one by this project's rule, not
v1's: a leading `<think>` block is dropped, a fenced code block stands for the whole
answer, and a repeated `module top_module (...);` header is cut off with everything
before it. The sample's code is then the problem's completion prefix (the header and
v1's line break) followed by that completion, which is what v1 compiles.
"""

from __future__ import annotations

import re

from verilogeval.generation.responses import split_thinking
from verilogeval.records import Problem

_FENCED = re.compile(r"```[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_HEADER = re.compile(r"\bmodule\s+top_module\b")


def completion_of(response: str) -> str:
    """The completion in a model's answer to a v1 prompt."""
    text = split_thinking(response).text
    fenced = _FENCED.search(text)
    if fenced is not None:
        text = fenced.group(1)
    header = _HEADER.search(text)
    if header is None:
        return text
    depth = 0
    for offset in range(header.end(), len(text)):
        char = text[offset]
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            return text[offset + 1 :]
    return text  # a header that never ends: v1 compiles the answer as it is


def v1_sample_code(response: str, problem: Problem, *, as_is: bool) -> str:
    """The sample file's code: the completion prefix, then the answer (`as_is`) or the
    completion in it."""
    return (problem.ifc or "") + (response if as_is else completion_of(response))
