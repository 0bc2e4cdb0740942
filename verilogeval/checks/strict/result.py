"""The differential test's verdict for one sample, and how cocotb's results.xml reads."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from verilogeval.typed_json import read_record

# The first line saying why a build failed: iverilog's "error:" or "sorry:" lines.
COMPILER_COMPLAINT = re.compile(r"\b(error|sorry):")


class StrictStatus(StrEnum):
    PASS = "pass"
    MISMATCH = "mismatch"  # an output differs from the reference's at some compare point
    INTERFACE = "interface mismatch"  # TopModule's ports differ from RefModule's
    COMPILE = "compile error"
    TIMEOUT = "timeout"
    ERROR = "error"  # the test itself could not run to its end (crash, missing report)
    # the test found no difference, but the tamper scan flags the sample: no pass
    # (StrictResult.passed says why)
    REFUSED = "refused"


@dataclass(frozen=True)
class FirstMismatch:
    cycle: int  # -1 is the compare right after the initial reset
    phase: str  # "after rising edge" or "after input change"
    time_ns: float
    signal: str
    ref: str  # bits, MSB first, 4-state
    dut: str
    inputs: dict[str, str]  # every input's bits at that moment

    def describe(self) -> str:
        when = "right after reset" if self.cycle < 0 else f"cycle {self.cycle}"
        return (
            f"{when} ({self.phase}, {self.time_ns:g} ns): "
            f"{self.signal} ref={self.ref} dut={self.dut}"
        )


@dataclass(frozen=True)
class StrictResult:
    """What the differential test found; `x_bits` counts the reference's X/Z output bits."""

    problem: str
    sample: int
    status: StrictStatus
    kind: str | None = None  # "sequential" or "combinational"
    compares: int = 0
    mismatch_compares: int = 0
    x_compares: int = 0  # compare points where the reference drove some X or Z
    x_bits: int = 0
    out_of_domain: int = 0  # compare points skipped: inputs outside the problem's domain
    x_strict: bool = False
    first_mismatch: FirstMismatch | None = None
    interface_issues: tuple[str, ...] = ()
    tamper: tuple[str, ...] = ()  # the tamper scan's findings (status REFUSED)
    message: str | None = None  # compile or crash output (tail), when there is no report
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        """Only PASS passes. A REFUSED sample fails (false, not formal's null for "cannot
        decide"): the scan's allow-list flags only what a design does not need and what
        acts on a harness (its instance path, the verdict text, the simulation's end), so a
        finding is evidence of an attempt to tell the harnesses apart, and a design that
        behaves one way in the test's wrapper and maybe another in the official testbench
        is no design the test can vouch for. `--plus` fails it on the same finding."""
        return self.status is StrictStatus.PASS

    def describe(self) -> str:
        """One line: the status and what a person needs to see first."""
        if self.tamper:
            return f"{self.status}: tamper scan: {'; '.join(self.tamper)}"
        if self.first_mismatch is not None:
            return f"{self.status}: {self.first_mismatch.describe()}"
        if self.interface_issues:
            return f"{self.status}: {'; '.join(self.interface_issues)}"
        if self.message and self.message.strip():
            lines = self.message.strip().splitlines()
            telling = next((line for line in lines if COMPILER_COMPLAINT.search(line)), lines[-1])
            return f"{self.status}: {telling.strip()}"
        return str(self.status)

    def to_json(self) -> dict[str, Any]:
        """The `strict` detail of a results.jsonl line."""
        fields = asdict(self)
        del fields["problem"], fields["sample"]
        fields["status"] = str(self.status)
        fields["interface_issues"] = list(self.interface_issues)
        fields["tamper"] = list(self.tamper)
        return fields

    @classmethod
    def from_json(cls, problem: str, sample: int, data: dict[str, Any]) -> StrictResult:
        """The record of a results.jsonl `strict` detail (to_json's inverse); BadField
        (a ValueError) naming the field of another shape."""
        return read_record(cls, data, "", given={"problem": problem, "sample": sample})
