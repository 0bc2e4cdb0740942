"""Counts in messages: "1 sample", "2 samples", never "1 samples"."""

from __future__ import annotations

from collections.abc import Sequence


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural (`many`, else noun + "s") unless count is 1."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def some_names(names: Sequence[str], shown: int = 6) -> str:
    """The names, or the first and last few and how many lie between: a message stays one
    line when a dataset has 156 problems."""
    if len(names) <= shown:
        return ", ".join(names)
    half = shown // 2
    hidden = len(names) - 2 * half
    return ", ".join([*names[:half], f"... {hidden} more ...", *names[-half:]])
