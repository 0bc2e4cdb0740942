"""The oracle: answers with the problem's reference solution, shaped as a model would answer.

It is the end-to-end sanity check: every stage after the model (extraction, simulation,
classification, metrics) must turn these answers into passes.
"""

from __future__ import annotations

import re

from verilogeval.errors import UserError
from verilogeval.generation.models.base import Completion, ModelAdapter, PermanentError, Request
from verilogeval.records import Task, Usage

_REF_NAME = re.compile(r"\bRefModule\b")
_REF_HEADER = re.compile(r"\bmodule\s+RefModule\b")


class OracleAdapter(ModelAdapter):
    identity = "oracle"
    cacheable = False

    async def complete(self, request: Request) -> Completion:
        try:
            reference = request.problem.ref_path.read_text(encoding="utf-8")
        except OSError as error:
            raise PermanentError(f"{request.problem.ref_path}: {error.strerror}") from None
        if request.prompt.style == "official-v1":  # v1's completion: the reference's body
            text = reference.removeprefix(request.problem.ifc or "")
        else:
            text = oracle_answer(reference, request.problem.task, request.prompt.style)
        return Completion(
            text=text,
            usage=Usage(),
            finish_reason="stop",
            model="oracle",
            cost=0.0,  # no model was called: the price is known, and it is nothing
        )


def oracle_answer(reference: str, task: Task, style: str) -> str:
    """The reference as TopModule, in the shape the prompt style asks for.

    official-v2 spec-to-rtl asks for the module between [BEGIN] and [DONE]. official-v2
    code completion gives the module header and asks for the rest, so the answer is the
    body after the header (the official extraction puts the interface in front of it).
    The native style asks for a fenced code block.
    """
    module = _REF_NAME.sub("TopModule", reference).strip("\n")
    if style != "official-v2":
        return f"```verilog\n{module}\n```\n"
    if task is Task.SPEC_TO_RTL:
        return f"[BEGIN]\n{module}\n[DONE]\n"
    return reference[_header_end(reference) :]


def _header_end(reference: str) -> int:
    """Offset just past the `;` that closes `module RefModule ... (...);`."""
    match = _REF_HEADER.search(reference)
    if match is None:
        raise UserError("reference solution has no 'module RefModule'")
    depth = 0
    for offset in range(match.end(), len(reference)):
        char = reference[offset]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == ";" and depth == 0:
            return offset + 1
    raise UserError("reference solution: the header of module RefModule never ends")
