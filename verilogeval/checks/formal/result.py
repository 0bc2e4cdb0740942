"""The formal check's verdict for one sample, as results.jsonl's `formal` field holds it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from verilogeval.typed_json import read_record


class FormalStatus(StrEnum):
    PROVEN = "proven"  # equal on every input sequence from reset (induction succeeded)
    BOUNDED = "bounded"  # no difference up to `depth` cycles from reset, no full proof
    DISPROVED = "disproved"  # a counterexample that Icarus reproduced
    UNSUPPORTED = "unsupported"  # a construct or problem shape the flow cannot handle
    TIMEOUT = "timeout"
    ERROR = "error"


# Verdicts that decide nothing about equivalence: with --plus, they leave plus_passed null.
UNDECIDED = frozenset({FormalStatus.UNSUPPORTED, FormalStatus.TIMEOUT, FormalStatus.ERROR})


@dataclass(frozen=True)
class Counterexample:
    """Input values per cycle (from cycle 1, reset cycles included) and the first difference.

    Each step maps an input port to its bits, MSB first. `cycle` is the first cycle whose
    outputs differ in the Icarus replay; `signal`, `ref` and `dut` are that output's values.
    """

    steps: tuple[dict[str, str], ...]
    cycle: int
    signal: str
    ref: str
    dut: str

    def describe(self) -> str:
        return f"cycle {self.cycle}: {self.signal} ref={self.ref} dut={self.dut}"

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [dict(step) for step in self.steps],
            "cycle": self.cycle,
            "signal": self.signal,
            "ref": self.ref,
            "dut": self.dut,
        }


@dataclass(frozen=True)
class FormalResult:
    problem: str
    sample: int
    status: FormalStatus
    depth: int = 0  # cycles checked from reset (proof: the induction length)
    seconds: float = 0.0
    reason: str | None = None  # why not proven, unsupported, timeout or error
    counterexample: Counterexample | None = None
    vcd: str | None = None  # the replay's waveform, relative to the run folder

    def describe(self) -> str:
        if self.counterexample is not None:
            return f"{self.status}: {self.counterexample.describe()}"
        cycles = "cycle" if self.depth == 1 else "cycles"
        detail = f" ({self.depth} {cycles})" if self.status is FormalStatus.BOUNDED else ""
        return f"{self.status}{detail}" + (f": {self.reason}" if self.reason else "")

    def to_json(self) -> dict[str, Any]:
        """The `formal` object of a results.jsonl line."""
        example = self.counterexample
        return {
            "status": str(self.status),
            "depth": self.depth,
            "seconds": self.seconds,
            "reason": self.reason,
            "counterexample": None if example is None else example.to_json(),
            "vcd": self.vcd,
        }

    @classmethod
    def from_json(cls, problem: str, sample: int, data: dict[str, Any]) -> FormalResult:
        """The record of a `formal` object (to_json's inverse); BadField (a ValueError)
        naming the field of another shape."""
        return read_record(cls, data, "", given={"problem": problem, "sample": sample})


def disproved(formal: FormalResult | dict[str, Any] | None) -> bool:
    """Whether the formal check found a difference Icarus confirmed (a record or its JSON)."""
    return _status(formal) == FormalStatus.DISPROVED


def undecided(formal: FormalResult | dict[str, Any] | None) -> bool:
    """Whether the formal check ran and could not decide (a record or its JSON)."""
    return _status(formal) in UNDECIDED


def _status(formal: FormalResult | dict[str, Any] | None) -> str | None:
    if formal is None:
        return None
    return formal.status if isinstance(formal, FormalResult) else formal.get("status")
