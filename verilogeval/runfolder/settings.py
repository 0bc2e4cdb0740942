"""run.json's settings objects read back as typed records: prompt, sampling, request, engine.

run.json keeps them as the plain JSON objects the writing command recorded (a later
version may add keys, which are passed over). `run_settings` reads each one into its
frozen record and checks every field on the way, so a report reads attributes, never
`.get` on a dict, and a run.json that is not what the schema says is one line naming the
file and the field (`field 'sampling.temperature' must be a number, not 'hot'`).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from verilogeval.errors import DamagedFile
from verilogeval.runfolder.manifest import Manifest


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
    return None if data is None else read_record(record, data, name, path)


def read_record(record: type[Record], data: Mapping[str, Any], name: str, path: Path) -> Record:
    """The frozen dataclass `record` from the JSON object `data` (run.json's field `name`),
    each field checked against its type; a key it does not have is passed over, a field
    without a default must be there. DamagedFile naming the field otherwise."""
    hints = get_type_hints(record)
    values = {}
    for field in fields(record):  # type: ignore[arg-type]
        where = f"{name}.{field.name}"
        if field.name in data and data[field.name] is not None:
            values[field.name] = _value(data[field.name], hints[field.name], where, path)
        elif field.default is MISSING and field.default_factory is MISSING:
            raise DamagedFile(path, f"field '{where}' is missing")
    return record(**values)


def _value(value: Any, hint: Any, where: str, path: Path) -> Any:
    """`value` as the field's type says (`int | None`, `float`, `Mapping[...]`, `tuple[...]`)."""
    if get_origin(hint) in (Union, types.UnionType):
        (hint,) = [arg for arg in get_args(hint) if arg is not type(None)]
    origin = get_origin(hint) or hint
    if origin is Mapping:
        if isinstance(value, dict):
            return value
        _wrong(where, "an object", value, path)
    if origin is tuple:
        (item,) = [arg for arg in get_args(hint) if arg is not Ellipsis]
        if isinstance(value, list):
            return tuple(_value(each, item, f"{where}[]", path) for each in value)
        _wrong(where, "a list", value, path)
    if origin is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, origin) and (origin is bool or not isinstance(value, bool)):
        return value
    _wrong(
        where,
        {int: "an integer", float: "a number", str: "text", bool: "true or false"}[origin],
        value,
        path,
    )


def _wrong(where: str, kind: str, value: Any, path: Path) -> Any:
    raise DamagedFile(path, f"field '{where}' must be {kind}, not {value!r}")
