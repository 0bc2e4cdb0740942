"""The verdict that ends a sample's conversation: the trusted one when a check asks for it.

With --plus, a pass is plus_passed (the tamper scan, the shifted seeds, and strict and
formal when asked): a tampered answer does not stop the loop. Otherwise every check asked
for must agree with the official pass (strict passed; formal proven or bounded), and the
round's tamper scan must find nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from verilogeval.runfolder.lines import ResultLine


def trusted_pass(line: ResultLine, checks: Mapping[str, Any], findings: tuple[str, ...]) -> bool:
    """The official pass, and every check asked for passed it (with --plus, plus's verdict,
    which already combines strict and formal); a check without a verdict fails closed.

    With a check asked, an answer the tamper scan flags (`findings`, the round's) never
    passes: a strict or formal pass alone speaks for the design in that check's harness,
    and an answer that tells the harnesses apart (`$sformatf("%m")`) passes the
    differential test while it forges the official verdict line.
    """
    if not line.passed:
        return False
    if not checks:
        return True  # the official verdict, as a single-shot run reads it
    return not findings and _checks_pass(line, checks)


def _checks_pass(line: ResultLine, checks: Mapping[str, Any]) -> bool:
    asked = ["plus"] if "plus" in checks else list(checks)
    return all(_passed(line, name) for name in asked)


def _passed(line: ResultLine, name: str) -> bool:
    verdict = line.checks.get(name)
    return verdict is not None and verdict.passed is True


def failed_check(line: ResultLine, checks: Mapping[str, Any]) -> str | None:
    """The check that failed an officially passing answer, to name in the feedback."""
    if not line.passed or _checks_pass(line, checks):
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
