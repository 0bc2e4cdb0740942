"""run.json's settings objects as typed records: prompt, sampling, request, engine, repair,
the simulator's time limit policy, and each post-verdict check's settings.

The manifest (runfolder/manifest.py) holds these records on both sides: a plan writes
them (orchestration/plans.py), and `Manifest.from_json` reads each one back with every
field checked, so a report or a resume reads attributes, never `.get` on a dict, and a
run.json that is not what the schema says is one line naming the file and the field
(`field 'sampling.temperature' must be a number, not 'hot'`). A key a later version adds
is passed over. Their fields are in run.json's order: `asdict` writes the same bytes the
plain objects of earlier versions did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from verilogeval.errors import DamagedFile
from verilogeval.typed_json import BadField, read_record


@dataclass(frozen=True)
class PromptSettings:
    """`prompt`: how the prompts were built (verilogeval.prompting.builder.PromptConfig)."""

    style: str | None = None
    shots: int | None = None
    rules: bool | None = None
    explain: bool | None = None


@dataclass(frozen=True)
class SamplingSettings:
    """`sampling`: what the run asked the model for (generation.models.base.SamplingConfig)."""

    n: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    preset: str | None = None
    reasoning_effort: str | None = None
    thinking_budget: int | None = None


@dataclass(frozen=True)
class RequestSettings:
    """`request`: the parameters asked for, those the model really got, and why they differ
    (generation.models.params); parameter names are the provider's, so they stay a map."""

    asked: Mapping[str, Any] | None = None
    sent: Mapping[str, Any] | None = None
    adjustments: tuple[Mapping[str, Any], ...] = ()
    model_map: bool | None = None  # the model map knew the model


@dataclass(frozen=True)
class EngineSettings:
    """`engine`: how the requests were sent (verilogeval.generation.engine.EngineConfig)."""

    concurrency: int | None = None
    rpm: float | None = None
    request_timeout_s: float | None = None
    attempts: int | None = None


@dataclass(frozen=True)
class RepairSettings:
    """`repair`: the rounds of a repair run (verilogeval.feedback.protocol.RepairConfig)."""

    rounds: int
    feedback: str
    history: str


@dataclass(frozen=True)
class TimeLimitSettings:
    """`simulator.time_limit`: the per-problem limit policy
    (verilogeval.grading.time_limits.TimeLimitPolicy)."""

    floor_s: float
    factor: float


class CheckSettings(Protocol):
    """A post-verdict check's settings as run.json's `checks.<name>` records them: a frozen
    dataclass, whose `asdict` is its JSON. Which record a check's settings read back into
    is its registration's (verilogeval.checks.registry.check_settings_types): the run
    folder sits below the checks, so its readers are given them, as `read_results` is
    given the verdict schemas."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


# check name -> the record its `checks.<name>` settings read back into
CheckTypes = Mapping[str, type[CheckSettings]]


Record = TypeVar("Record")


def read_settings(record: type[Record], data: Mapping[str, Any], name: str, path: Path) -> Record:
    """`record` from run.json's (`path`) object `name`; DamagedFile naming a field of
    another type (verilogeval.typed_json)."""
    try:
        return read_record(record, data, name)
    except BadField as error:
        raise DamagedFile(path, str(error)) from None
