"""The verdict that ends a sample's conversation: the trusted one when a check asks for it.

With --plus, a pass is plus_passed (the tamper scan, the shifted seeds, and strict and
formal when asked): a tampered answer does not stop the loop. Otherwise every check asked
for must agree with the official pass (strict passed; formal proven or bounded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from verilogeval.formal.result import FormalStatus
from verilogeval.runfolder.lines import ResultLine

_FORMAL_PASSES = frozenset({str(FormalStatus.PROVEN), str(FormalStatus.BOUNDED)})


def trusted_pass(line: ResultLine, checks: Mapping[str, Any]) -> bool:
    if not line.passed:
        return False
    if "plus" in checks:
        return line.plus_passed is True
    if "strict" in checks and line.strict_passed is not True:
        return False
    if "formal" in checks:
        return (line.formal or {}).get("status") in _FORMAL_PASSES
    return True


def failed_check(line: ResultLine, checks: Mapping[str, Any]) -> str | None:
    """The check that failed an officially passing answer, to name in the feedback."""
    if not line.passed or trusted_pass(line, checks):
        return None
    for name in ("strict", "formal", "plus"):
        if name in checks:
            return name
    return None


def passed_by_round(results: Iterable[ResultLine], rounds: int) -> list[tuple[int, int]]:
    """(round r, samples whose loop ended in a pass by round r) for r = 0..rounds: the
    closing table's pass@1 curve."""
    firsts = [line.passed_at_round for line in results if line.passed_at_round is not None]
    return [(r, sum(first <= r for first in firsts)) for r in range(rounds + 1)]
