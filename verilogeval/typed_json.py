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
from dataclasses import MISSING, fields, is_dataclass
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
    hints = get_type_hints(record)
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


def _value(value: Any, hint: Any, where: str) -> Any:
    """`value` as `hint` says, or BadField."""
    if get_origin(hint) in (Union, types.UnionType):
        if value is None and type(None) in get_args(hint):
            return None
        (hint,) = [arg for arg in get_args(hint) if arg is not type(None)]
    if hint is Any:
        return value
    origin = get_origin(hint) or hint
    if origin in (dict, Mapping):
        if not isinstance(value, dict):
            raise BadField(where, f"must be an object, not {value!r}")
        _, item = get_args(hint) or (str, Any)
        return {key: _value(each, item, f"{where}.{key}") for key, each in value.items()}
    if origin is tuple:
        if not isinstance(value, list):
            raise BadField(where, f"must be a list, not {value!r}")
        (item,) = [arg for arg in get_args(hint) if arg is not Ellipsis]
        return tuple(_value(each, item, f"{where}[]") for each in value)
    if isinstance(origin, type) and is_dataclass(origin):
        return read_record(origin, value, where)
    if isinstance(origin, type) and issubclass(origin, Enum):
        try:
            return origin(value)
        except ValueError:
            known = ", ".join(repr(str(member.value)) for member in origin)
            raise BadField(where, f"must be one of {known}, not {value!r}") from None
    if origin is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, origin) and (origin is bool or not isinstance(value, bool)):
        return value
    raise BadField(where, f"must be {_KINDS.get(origin, origin.__name__)}, not {value!r}")
