"""Pair RefModule's interface with TopModule's and give every port its role in the test.

A missing port, an extra port, or a different direction or width is an interface
mismatch: the differential test does not run, and the mismatch is the verdict detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from verilogeval.execution.interface import CLOCK_NAMES, ModuleInterface

# Resets are recognised by name, only in sequential modules (`r` is a data input of an SR
# latch but the reset of a flip-flop).
_ACTIVE_HIGH_RESETS = frozenset({"reset", "rst", "areset", "arst", "ar", "r"})
_ACTIVE_LOW_RESETS = frozenset(
    {"resetn", "reset_n", "rstn", "rst_n", "aresetn", "areset_n", "arstn", "arst_n"}
)


class PortRole(StrEnum):
    CLOCK = "clock"
    RESET = "reset"  # asserted high
    RESET_N = "reset_n"  # asserted low
    DATA = "data"
    OUTPUT = "output"


@dataclass(frozen=True)
class DiffPort:
    """One port of the pair, as the wrapper and the cocotb test see it."""

    name: str
    width: int
    role: PortRole

    @property
    def is_input(self) -> bool:
        return self.role is not PortRole.OUTPUT

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "width": self.width, "role": str(self.role)}


def port_role(name: str, direction: str, sequential: bool) -> PortRole:
    if direction == "output":
        return PortRole.OUTPUT
    if name in CLOCK_NAMES:
        return PortRole.CLOCK
    if sequential and name in _ACTIVE_HIGH_RESETS:
        return PortRole.RESET
    if sequential and name in _ACTIVE_LOW_RESETS:
        return PortRole.RESET_N
    return PortRole.DATA


def interface_issues(ref: ModuleInterface, dut: ModuleInterface | None) -> tuple[str, ...]:
    """Every way TopModule's ports differ from RefModule's, one short sentence each."""
    if dut is None:
        return ("TopModule not found in the sample",)
    issues: list[str] = []
    for port in ref.ports:
        theirs = dut.port(port.name)
        if theirs is None:
            issues.append(f"missing {port.direction} {port.name!r}")
        elif theirs.direction != port.direction:
            issues.append(f"{port.name!r} is {theirs.direction}, expected {port.direction}")
        elif theirs.width != port.width:
            issues.append(f"{port.name!r} is {theirs.width} bits wide, expected {port.width}")
    issues += [
        f"extra {port.direction} {port.name!r}" for port in dut.ports if ref.port(port.name) is None
    ]
    return tuple(issues)


def diff_ports(ref: ModuleInterface) -> tuple[DiffPort, ...]:
    """RefModule's ports in declaration order, each with its role."""
    sequential = ref.sequential
    unsupported = [p.name for p in ref.ports if p.direction not in ("input", "output")]
    if unsupported:
        raise ValueError(f"RefModule has ports the test cannot drive: {', '.join(unsupported)}")
    return tuple(
        DiffPort(p.name, p.width, port_role(p.name, p.direction, sequential)) for p in ref.ports
    )
