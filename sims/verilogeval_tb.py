"""Helpers for a problem's own cocotb testbench (`ProbNNN_name_test.py`).

Such a testbench runs with `verilogeval_diff_top` as its top (see
verilogeval.grading.ports.wrapper): inputs are `in_<port>`, TopModule's outputs
`dut_<port>`, RefModule's `ref_<port>`. It
drives stimulus, computes the expected outputs with a Python model, and hands them to a
Scoreboard, which counts mismatching samples the way the official testbenches do and
prints their summary lines, so the official classifier grades the log unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from cocotb.simtime import get_sim_time
from cocotb.triggers import Timer


async def clock_cycle(clock) -> None:
    """One 10 ns clock period: let the inputs just written settle, give a rising edge, and
    return after the falling edge, when the outputs have settled and may be checked."""
    await Timer(2, unit="ns")
    clock.value = 1
    await Timer(4, unit="ns")
    clock.value = 0
    await Timer(4, unit="ns")


class Scoreboard:
    """Compares TopModule's outputs with expected values, one sample per `check` call."""

    def __init__(self, top) -> None:
        self.top = top
        self.samples = 0
        self.mismatched = 0
        self.per_output: dict[str, int] = {}
        self.first_time_ps: dict[str, int] = {}

    def check(self, expected: Mapping[str, int]) -> bool:
        """True when every output equals its expected value (X and Z never equal one)."""
        self.samples += 1
        matched = True
        for name, value in expected.items():
            actual = str(getattr(self.top, f"dut_{name}").value)
            wanted = format(value & ((1 << len(actual)) - 1), f"0{len(actual)}b")
            self.per_output.setdefault(name, 0)
            if actual != wanted:
                matched = False
                if self.per_output[name] == 0:
                    self.first_time_ps[name] = int(get_sim_time(unit="ps"))
                self.per_output[name] += 1
        if not matched:
            self.mismatched += 1
        return matched

    def finish(self) -> None:
        """Print the official summary lines; fail the test when any sample mismatched."""
        for name, count in self.per_output.items():
            if count:
                print(
                    f"Hint: Output '{name}' has {count} mismatches. "
                    f"First mismatch occurred at time {self.first_time_ps[name]}."
                )
            else:
                print(f"Hint: Output '{name}' has no mismatches.")
        print(f"Hint: Total mismatched samples is {self.mismatched} out of {self.samples} samples")
        print(f"Mismatches: {self.mismatched} in {self.samples} samples", flush=True)
        assert self.mismatched == 0, f"{self.mismatched} of {self.samples} samples mismatched"
