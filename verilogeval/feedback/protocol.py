"""The repair protocol of a run: how many more rounds, what the model is shown, what it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from verilogeval.errors import UserError
from verilogeval.feedback.levels import FeedbackLevel
from verilogeval.runfolder.settings import RepairSettings


class History(StrEnum):
    FULL = "full"  # the whole conversation: every answer and its feedback
    LAST = "last"  # the prompt, the latest answer and its feedback (AutoChip's "succinct")


@dataclass(frozen=True)
class RepairConfig:
    rounds: int  # repair rounds after the first answer (N of --repair N), at least 1
    feedback: FeedbackLevel
    history: History

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise UserError(f"--repair: {self.rounds} rounds; 0 is a single-shot run")

    def settings(self) -> RepairSettings:
        """run.json's `repair` record, part of the run's identity."""
        return RepairSettings(
            rounds=self.rounds, feedback=str(self.feedback), history=str(self.history)
        )


def protocol_label(repair: RepairSettings | None) -> str | None:
    """How reports name a run's repair (run.json's `repair`) beside its numbers:
    `repair 2 (compiler, full)`; None for a single-shot run."""
    if repair is None:
        return None
    return f"repair {repair.rounds} ({repair.feedback}, {repair.history})"


def repair_config(
    rounds: int, feedback: FeedbackLevel, history: History, checks: Any
) -> RepairConfig | None:
    """The repair of a run: None for --repair 0 (today's single shot, byte for byte)."""
    if rounds == 0:
        return None
    if feedback is FeedbackLevel.FORMAL and "formal" not in checks:
        raise UserError("--feedback formal shows the formal check's counterexample: add --formal")
    return RepairConfig(rounds=rounds, feedback=feedback, history=history)
