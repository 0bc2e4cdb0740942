"""The messages of a sample's next round, from its earlier answers and the feedback on them.

Only answers go back to the model, never its thinking (kept apart in the round records):
a provider that must see its thinking again is not one this run can serve yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verilogeval.feedback.protocol import History


@dataclass(frozen=True)
class Turn:
    """One finished round: the answer given and the feedback sent on it."""

    answer: str
    feedback: str


def conversation(turns: Sequence[Turn], history: History) -> tuple[tuple[str, str], ...]:
    """The (role, content) messages after the prompt's for the round after `turns`."""
    kept = turns if history is History.FULL else turns[-1:]
    messages: list[tuple[str, str]] = []
    for turn in kept:
        messages += [("assistant", turn.answer), ("user", turn.feedback)]
    return tuple(messages)
