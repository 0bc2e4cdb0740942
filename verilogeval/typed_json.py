"""A frozen dataclass read back from the JSON object it was written as, every field checked.

One way to read a record of the run folder (a check's details, run.json's settings): the
dataclass's own type hints say what each field holds (`int`, `float`, `str`, `bool`, a
StrEnum, another dataclass, `tuple[X, ...]`, `dict[str, X]`/`Mapping[str, X]`, or any of
them `| None`). A key the record does not have is passed over (a later version may add
one); a field with a default may be missing. Anything else is a `BadField` naming the
field, never a KeyError or an AttributeError further on.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, is_dataclass
from enum import Enum
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

Record = TypeVar("Record")

_KINDS = {int: "an integer", float: "a number", str: "text", bool: "true or false"}


class BadField(ValueError):
    """A field that is not what its record says; `field` is its dotted name."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"field '{field}' {reason}")
        self.field = field
        self.reason = reason


def read_record(
    record: type[Record], data: Any, name: str, given: Mapping[str, Any] | None = None
) -> Record:
    """`record` from the JSON object `data`, found at field `name`; `given` supplies the
    fields the JSON leaves out (a check's details do not repeat the problem and sample)."""
    if not isinstance(data, dict):
        raise BadField(name, f"must be an object, not {data!r}")
    hints = _hints(record)
    values = dict(given or {})
    for field in fields(record):  # type: ignore[arg-type]
        if field.name in values:
            continue
        where = f"{name}.{field.name}"
        if field.name in data:
            values[field.name] = _value(data[field.name], hints[field.name], where)
        elif field.default is MISSING and field.default_factory is MISSING:
            raise BadField(where, "is missing")
    return record(**values)


def _hints(record: type) -> dict[str, Any]:
    """The record's resolved type hints: resolved once per class, not once per line."""
    hints = _HINTS.get(record)
    if hints is None:
        hints = _HINTS[record] = get_type_hints(record)
    return hints


_HINTS: dict[type, dict[str, Any]] = {}


@dataclass(frozen=True)
class _Shape:
    """What a type hint asks for, worked out once per hint."""

    nullable: bool  # `X | None`
    origin: Any  # Any, dict, tuple, a dataclass, a StrEnum, int, float, str or bool
    item: Any = None  # the hint of a dict's values or a tuple's items


_SHAPES: dict[Any, _Shape] = {}


def _shape(hint: Any) -> _Shape:
    shape = _SHAPES.get(hint)
    if shape is not None:
        return shape
    nullable, inner = False, hint
    if get_origin(hint) in (Union, types.UnionType):
        nullable = type(None) in get_args(hint)
        (inner,) = [arg for arg in get_args(hint) if arg is not type(None)]
    origin = get_origin(inner) or inner
    item = None
    if origin in (dict, Mapping):
        origin, item = dict, (get_args(inner) or (str, Any))[1]
    elif origin is tuple:
        (item,) = [arg for arg in get_args(inner) if arg is not Ellipsis]
    shape = _SHAPES[hint] = _Shape(nullable, origin, item)
    return shape


def _value(value: Any, hint: Any, where: str) -> Any:
    """`value` as `hint` says, or BadField."""
    shape = _shape(hint)
    origin = shape.origin
    if (value is None and shape.nullable) or origin is Any:
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise BadField(where, f"must be an object, not {value!r}")
        return {key: _value(each, shape.item, f"{where}.{key}") for key, each in value.items()}
    if origin is tuple:
        if not isinstance(value, list):
            raise BadField(where, f"must be a list, not {value!r}")
        return tuple(_value(each, shape.item, f"{where}[]") for each in value)
    if origin is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if origin in _KINDS:
        if isinstance(value, origin) and (origin is bool or not isinstance(value, bool)):
            return value
        raise BadField(where, f"must be {_KINDS[origin]}, not {value!r}")
    if isinstance(origin, type) and is_dataclass(origin):
        return read_record(origin, value, where)
    if issubclass(origin, Enum):
        try:
            return origin(value)
        except ValueError:
            known = ", ".join(repr(str(member.value)) for member in origin)
            raise BadField(where, f"must be one of {known}, not {value!r}") from None
    raise BadField(where, f"must be {origin.__name__}, not {value!r}")
