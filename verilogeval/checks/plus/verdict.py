"""The plus check's verdict record (verilogeval.verdicts) and how a line reads back.

The trusted verdict passes when the plus check itself passed (no tamper, every shifted
seed passed with the harness's own count), the differential test passed when --strict
asked for it, and, when --formal asked for it, the formal check proved or bounded the
sample. A formal check that could not decide leaves it undecided (`passed` null).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from verilogeval.checks.formal.result import FormalResult, disproved, undecided
from verilogeval.checks.plus.check import PlusResult
from verilogeval.checks.strict.result import StrictResult
from verilogeval.typed_json import BadField
from verilogeval.verdicts import CheckVerdict, VerdictSchema, not_checked, read_details

NAME = "plus"


class PlusStatus(StrEnum):
    PASSED = "passed"
    TAMPERED = "tampered"  # the sample or its log touched the harness
    SEED_FAILED = "seed failed"  # a secret shifted seed found a mismatch
    ERROR = "error"  # the plus check itself could not run
    STRICT_FAILED = "strict failed"  # plus passed, the differential test (--strict) did not
    DISPROVED = "formal disproved"  # plus passed, the formal check (--formal) disproved it
    UNDECIDED = "undecided"  # plus passed, the formal check could not decide


@dataclass(frozen=True)
class PlusDetails:
    """The plus check's record, and why the verdict is undecided when it is."""

    result: PlusResult
    undecided: str | None = None  # e.g. "formal: timeout"; None when decided

    def to_json(self) -> dict[str, Any]:
        """The `plus` object of a results.jsonl line."""
        detail = self.result.to_json()
        return detail if self.undecided is None else detail | {"undecided": self.undecided}

    @classmethod
    def from_json(cls, problem: str, sample: int, data: dict[str, Any]) -> PlusDetails:
        why = data.get("undecided")
        if why is not None and not isinstance(why, str):
            raise TypeError(f"'undecided' is {why!r}")
        return cls(PlusResult.from_json(data), why)


def plus_verdict(
    result: PlusResult | None,
    *,
    strict: StrictResult | None = None,
    strict_required: bool = False,
    formal: FormalResult | None = None,
    formal_required: bool = False,
) -> CheckVerdict[PlusDetails]:
    """The trusted verdict; not checked (and failed) for a sample that failed officially."""
    if result is None:
        return not_checked(NAME, False, "failed officially: not checked")
    strict_status = None if strict is None else str(strict.status)
    strict_failed = strict_required and (strict is None or not strict.passed)
    why = None
    if result.passed and not strict_failed and formal_required and not disproved(formal):
        why = formal_undecided(formal)
    return _verdict(
        result,
        why,
        strict_failed=strict_failed,
        strict_status=strict_status,
        disproved=formal_required and disproved(formal),
    )


def formal_undecided(formal: FormalResult | None) -> str | None:
    """Why the formal check gives a plus verdict no ground, or None when it proved or
    bounded the sample, or disproved it (a decision either way)."""
    if formal is None:
        return "formal: not checked"
    if undecided(formal):
        return f"formal: {formal.describe()}"
    return None


def _verdict(
    result: PlusResult,
    why: str | None,
    *,
    strict_failed: bool,
    strict_status: str | None,
    disproved: bool,
) -> CheckVerdict[PlusDetails]:
    details = PlusDetails(result, why)
    own = result.reason()
    if own is not None:
        status = (
            PlusStatus.TAMPERED
            if result.tamper
            else PlusStatus.SEED_FAILED
            if result.failing_seed is not None
            else PlusStatus.ERROR
        )
        return CheckVerdict(NAME, status, False, own, details)
    if disproved:
        return CheckVerdict(NAME, PlusStatus.DISPROVED, False, "formal: disproved", details)
    if strict_failed:
        reason = f"strict: {strict_status or 'not run'}"
        return CheckVerdict(NAME, PlusStatus.STRICT_FAILED, False, reason, details)
    if why is not None:
        return CheckVerdict(NAME, PlusStatus.UNDECIDED, None, why, details)
    return CheckVerdict(NAME, PlusStatus.PASSED, True, "passed", details)


def _legacy(line: Mapping[str, Any]) -> CheckVerdict[Any] | None:
    """From `plus_passed` and `plus` (and the strict and formal fields beside them), as
    lines written before `checks` hold them."""
    if "plus_passed" not in line:
        return None
    passed, raw = line["plus_passed"], line.get("plus")
    if passed is not None and not isinstance(passed, bool):
        raise BadField("plus_passed", f"must be true, false or null, not {passed!r}")
    if raw is None:
        if passed:
            return CheckVerdict(NAME, PlusStatus.PASSED, True, "passed", None)
        return plus_verdict(None)
    details = read_details(NAME, raw, PlusDetails.from_json, line["problem"], line["sample"])
    assert isinstance(details, PlusDetails)
    formal = line.get("formal")
    strict = line.get("strict")
    was_disproved = isinstance(formal, dict) and formal.get("status") == "disproved"
    return _verdict(
        details.result,
        (details.undecided or "undecided") if passed is None else None,
        strict_failed=passed is False and details.result.passed and not was_disproved,
        strict_status=strict.get("status") if isinstance(strict, dict) else None,
        disproved=was_disproved and passed is False,
    )


SCHEMA = VerdictSchema(status=PlusStatus, details=PlusDetails.from_json, legacy=_legacy)
