"""The differential test's verdict record (verilogeval.verdicts) and how a line reads back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verilogeval.checks.strict.result import StrictResult, StrictStatus
from verilogeval.typed_json import BadField
from verilogeval.verdicts import CheckVerdict, VerdictSchema, not_checked, read_details

NAME = "strict"


def strict_verdict(result: StrictResult | None) -> CheckVerdict[StrictResult]:
    """Passed only when the official verdict passed and the test found no difference."""
    if result is None:
        return not_checked(NAME, False, "failed officially: not tested")
    return CheckVerdict(NAME, result.status, result.passed, result.describe(), result)


def _legacy(line: Mapping[str, Any]) -> CheckVerdict[Any] | None:
    """From `strict_passed` and `strict`, as lines written before `checks` hold them."""
    if "strict_passed" not in line:
        return None
    passed, raw = line["strict_passed"], line.get("strict")
    if not isinstance(passed, bool):
        raise BadField("strict_passed", f"must be true or false, not {passed!r}")
    if raw is None:  # an official failure, or a line that kept the verdict only
        if passed:
            return CheckVerdict(NAME, StrictStatus.PASS, True, str(StrictStatus.PASS), None)
        return not_checked(NAME, False, "failed officially: not tested")
    details = read_details(NAME, raw, StrictResult.from_json, line["problem"], line["sample"])
    assert isinstance(details, StrictResult)
    return strict_verdict(details)


SCHEMA = VerdictSchema(status=StrictStatus, details=StrictResult.from_json, legacy=_legacy)
