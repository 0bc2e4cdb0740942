"""run.json's settings objects read back as typed records: prompt, sampling, request, engine.

run.json keeps them as the plain JSON objects the writing command recorded (a later
version may add keys, which are passed over). `run_settings` reads each one into its
frozen record and checks every field on the way, so a report reads attributes, never
`.get` on a dict, and a run.json that is not what the schema says is one line naming the
file and the field (`field 'sampling.temperature' must be a number, not 'hot'`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from verilogeval.errors import DamagedFile
from verilogeval.runfolder.manifest import Manifest
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


@dataclass(frozen=True)
class EngineSettings:
    """`engine`: how the requests were sent (verilogeval.generation.engine.EngineConfig)."""

    concurrency: int | None = None
    rpm: float | None = None
    request_timeout_s: float | None = None
    attempts: int | None = None


@dataclass(frozen=True)
class RunSettings:
    """The settings a run.json records, each None when the command had none."""

    prompt: PromptSettings | None
    sampling: SamplingSettings | None
    request: RequestSettings | None
    engine: EngineSettings | None


def run_settings(manifest: Manifest, path: Path) -> RunSettings:
    """The typed settings of `manifest` (read from `path`); DamagedFile naming the field."""
    return RunSettings(
        prompt=_read(PromptSettings, manifest.prompt, "prompt", path),
        sampling=_read(SamplingSettings, manifest.sampling, "sampling", path),
        request=_read(RequestSettings, manifest.request, "request", path),
        engine=_read(EngineSettings, manifest.engine, "engine", path),
    )


Record = TypeVar("Record")


def _read(
    record: type[Record], data: Mapping[str, Any] | None, name: str, path: Path
) -> Record | None:
    return None if data is None else read_settings(record, data, name, path)


def read_settings(record: type[Record], data: Mapping[str, Any], name: str, path: Path) -> Record:
    """`record` from run.json's (`path`) object `name`; DamagedFile naming a field of
    another type (verilogeval.typed_json)."""
    try:
        return read_record(record, data, name)
    except BadField as error:
        raise DamagedFile(path, str(error)) from None
