"""The formal check's verdict record (verilogeval.verdicts) and how a line reads back.

Proven and bounded pass, a counterexample Icarus confirmed fails, and a check that could
not decide (unsupported, timeout, error) neither passes nor fails: `passed` is null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verilogeval.checks.formal.result import FormalResult, FormalStatus, disproved, undecided
from verilogeval.verdicts import CheckVerdict, VerdictSchema, not_checked, read_details

NAME = "formal"


def formal_verdict(result: FormalResult | None) -> CheckVerdict[FormalResult]:
    if result is None:
        return not_checked(NAME, None, "did not compile: nothing to check")
    passed = None if undecided(result) else not disproved(result)
    return CheckVerdict(NAME, result.status, passed, result.describe(), result)


def _legacy(line: Mapping[str, Any]) -> CheckVerdict[Any] | None:
    """From `formal`, as lines written before `checks` hold it."""
    if "formal" not in line:
        return None
    raw = line["formal"]
    if raw is None:
        return formal_verdict(None)
    details = read_details(NAME, raw, FormalResult.from_json, line["problem"], line["sample"])
    assert isinstance(details, FormalResult)
    return formal_verdict(details)


SCHEMA = VerdictSchema(status=FormalStatus, details=FormalResult.from_json, legacy=_legacy)
