"""One verdict record per post-verdict check, as results.jsonl keeps it under `checks.<name>`.

In the spirit of Inspect AI's `Score`: every check (strict, formal, plus, and whatever
verilogeval.checks.registry registers) returns the same frozen record, a `status` of its own
StrEnum, `passed` (true, false, or null when it cannot decide), a one-line `reason`, and
its own typed `details`. A new check therefore never changes the results.jsonl schema.

The record is written as `{"status", "passed", "reason", "details"}` and read back by
type: a `VerdictSchema` (the check's registration holds it) says which StrEnum its status
belongs to and how its details are parsed. The run folder's reader takes the schemas as an
argument, so this base module knows no check by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from verilogeval.typed_json import BadField


class NotChecked(StrEnum):
    """The status of a check asked for that did not look at this sample (strict and plus
    check only official passes, formal only samples that compiled)."""

    NOT_CHECKED = "not checked"


class Details(Protocol):
    """A check's own detail record: it writes itself as a JSON object."""

    def to_json(self) -> dict[str, Any]: ...


D = TypeVar("D", bound=Details)


@dataclass(frozen=True)
class CheckVerdict(Generic[D]):
    """What one check found for one sample."""

    name: str  # the check's name in the registry, and its key under `checks`
    status: StrEnum  # the check's own status enum, or NotChecked.NOT_CHECKED
    passed: bool | None  # None: the check could not decide (or, for formal, did not look)
    reason: str  # one line a person reads first; "" when there is nothing to add
    details: D | None  # None when the check did not look at the sample

    @property
    def checked(self) -> bool:
        return self.details is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "passed": self.passed,
            "reason": self.reason,
            "details": None if self.details is None else self.details.to_json(),
        }


# Parses a check's `details` object into its typed record (verilogeval.typed_json, with
# the field name ""); raises BadField (or KeyError, TypeError, ValueError) on anything of
# another shape.
DetailsReader = Callable[[str, int, dict[str, Any]], Details]
# Builds the verdict of a results.jsonl line written before `checks` existed from its
# own fields (strict_passed/strict, plus_passed/plus, formal); None: not in that line.
LegacyReader = Callable[[Mapping[str, Any]], "CheckVerdict[Any] | None"]


@dataclass(frozen=True)
class VerdictSchema:
    """How a check's record is read back: its status enum and its details' parser."""

    status: type[StrEnum]
    details: DetailsReader
    legacy: LegacyReader = lambda line: None


def read_verdicts(
    line: dict[str, Any], schemas: Mapping[str, VerdictSchema]
) -> dict[str, CheckVerdict[Any]]:
    """The verdicts of a results.jsonl line, each read by its check's schema; a line written
    before `checks` existed has them built from its compatibility fields. BadField naming
    the field that is wrong, or a check no schema is given for."""
    if "checks" not in line:
        legacy = {name: schema.legacy(line) for name, schema in schemas.items()}
        return {name: verdict for name, verdict in legacy.items() if verdict is not None}
    written = line["checks"]
    if not isinstance(written, dict):
        raise BadField("checks", f"must be an object, not {written!r}")
    for name in written:
        if name not in schemas:
            raise BadField(f"checks.{name}", unknown_check(schemas))
    return {
        name: read_verdict(name, record, schemas[name], line["problem"], line["sample"])
        for name, record in written.items()
    }


def unknown_check(known: Iterable[str]) -> str:
    """Why a field named after a check no registration has is refused."""
    return f"names no registered check (registered: {', '.join(known) or 'none'})"


def read_verdict(
    name: str, data: Any, schema: VerdictSchema, problem: str, sample: int
) -> CheckVerdict[Any]:
    """The record of `checks.<name>`; BadField naming the field that is wrong."""
    where = f"checks.{name}"
    if not isinstance(data, dict):
        raise BadField(where, f"must be an object, not {data!r}")
    status_text = data.get("status")
    status: StrEnum
    if status_text == NotChecked.NOT_CHECKED:
        status = NotChecked.NOT_CHECKED
    else:
        try:
            status = schema.status(str(status_text))
        except ValueError:
            known = ", ".join(repr(str(s)) for s in schema.status)
            raise BadField(
                f"{where}.status", f"must be one of {known}, not {status_text!r}"
            ) from None
    passed = data.get("passed", ...)
    if passed is ... or not (passed is None or isinstance(passed, bool)):
        raise BadField(f"{where}.passed", f"must be true, false or null, not {passed!r}")
    reason = data.get("reason")
    if not isinstance(reason, str):
        raise BadField(f"{where}.reason", f"must be text, not {reason!r}")
    raw = data.get("details", ...)
    if raw is ...:
        raise BadField(f"{where}.details", "is missing")
    details = (
        None
        if raw is None
        else read_details(f"{where}.details", raw, schema.details, problem, sample)
    )
    return CheckVerdict(name, status, passed, reason, details)


def read_details(field: str, raw: Any, reader: DetailsReader, problem: str, sample: int) -> Details:
    """`raw` parsed by `reader`; BadField naming `field` when it is of another shape."""
    if not isinstance(raw, dict):
        raise BadField(field, f"must be an object, not {raw!r}")
    try:
        return reader(problem, sample, raw)
    except BadField as error:
        raise BadField(field + error.field, error.reason) from None
    except KeyError as error:  # a reader of its own, not verilogeval.typed_json
        raise BadField(field, f"lacks {error}") from None
    except (TypeError, ValueError) as error:
        raise BadField(field, f"has the wrong shape ({error})") from None


def not_checked(name: str, passed: bool | None, reason: str) -> CheckVerdict[Any]:
    """The verdict of a check that did not look at the sample."""
    return CheckVerdict(name, NotChecked.NOT_CHECKED, passed, reason, None)
