"""Generic cocotb differential test: RefModule and TopModule side by side, every cycle.

The harness (verilogeval.checks.strict) writes a JSON spec and names it in the environment
variable VERILOGEVAL_DIFF_SPEC: the ports with their roles, the seed, the cycle count,
x_strict. The report is printed as one line tagged with the nonce the harness passes in
VERILOGEVAL_DIFF_NONCE (environment: nothing the Verilog code can read), never written to
a file the simulation could overwrite afterwards. The wrapper top `verilogeval_diff_top`
gives the shared inputs as `in_<port>` and each side's outputs as `ref_<port>` and
`dut_<port>`.

Sequential designs (a clk/clock input) get a 10 ns clock driven from here, the reset held
for the first cycles and then asserted at random; inputs change 2 ns after the falling edge,
and outputs are compared 2 ns after each rising edge and 2 ns after each input change.
Combinational designs get every input vector when few enough exist, else random ones,
and are compared 2 ns after each change.

Inputs outside the problem's declared domain (the wrapper's `verilogeval_in_domain` is not
1) are not compared, only counted: the problem promises never to give them.

Comparison is 4-state aware: a reference bit that is X or Z matches anything (as in the
official testbenches) and is counted; with x_strict it matches only the same X or Z.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import Timer

SPEC_ENV = "VERILOGEVAL_DIFF_SPEC"
NONCE_ENV = "VERILOGEVAL_DIFF_NONCE"
REPORT_TAG = "verilogeval-strict-report"
RESET_PROBABILITY = 1 / 20  # after the initial reset: how often a cycle resets again
CORNER_PROBABILITY = 1 / 4  # how often an input takes a corner value instead of a random one
UNKNOWN = frozenset("XZUWxzuw-")


def corner_values(width: int) -> list[int]:
    """Values that break adders, comparators and shifters more often than random ones."""
    ones = (1 << width) - 1
    alternating = int("01" * width, 2) & ones
    candidates = {0, ones, 1, 1 << (width - 1), ones >> 1, alternating, alternating ^ ones}
    return sorted(candidates)


@dataclass
class Mismatch:
    cycle: int
    phase: str
    time_ns: float
    signal: str
    ref: str
    dut: str
    inputs: dict[str, str]


@dataclass
class Tally:
    compares: int = 0
    x_compares: int = 0  # compare points where some reference output bit was X or Z
    x_bits: int = 0  # reference output bits that were X or Z, summed over compare points
    mismatch_compares: int = 0
    out_of_domain: int = 0  # compare points skipped: the inputs broke the problem's promise
    first: Mismatch | None = None


def bits_match(ref: str, dut: str, x_strict: bool) -> bool:
    if ref == dut:
        return True
    if x_strict or len(ref) != len(dut):
        return False
    return all(r in UNKNOWN or r == d for r, d in zip(ref, dut, strict=True))


class Bench:
    def __init__(self, dut, spec: dict) -> None:
        self.x_strict = bool(spec["x_strict"])
        self.rng = random.Random(spec["seed"])
        ports = spec["ports"]
        self.inputs = {
            p["name"]: getattr(dut, f"in_{p['name']}") for p in ports if p["role"] != "output"
        }
        self.widths = {p["name"]: p["width"] for p in ports}
        self.roles = {p["name"]: p["role"] for p in ports}
        self.outputs = [
            (p["name"], getattr(dut, f"ref_{p['name']}"), getattr(dut, f"dut_{p['name']}"))
            for p in ports
            if p["role"] == "output"
        ]
        self.in_domain = dut.verilogeval_in_domain
        self.corners = {name: corner_values(self.widths[name]) for name in self.inputs}
        self.tally = Tally()

    def random_value(self, name: str) -> int:
        if self.rng.random() < CORNER_PROBABILITY:
            return self.rng.choice(self.corners[name])
        return self.rng.getrandbits(self.widths[name])

    def drive(self, *, in_reset: bool) -> None:
        """New values on every input but the clock; resets asserted while `in_reset`."""
        for name, handle in self.inputs.items():
            role = self.roles[name]
            if role == "clock":
                continue
            if role in ("reset", "reset_n"):
                asserted = in_reset or self.rng.random() < RESET_PROBABILITY
                handle.value = int(asserted) if role == "reset" else int(not asserted)
            else:
                handle.value = self.random_value(name)

    def compare(self, cycle: int, phase: str) -> None:
        tally = self.tally
        if str(self.in_domain.value) != "1":
            tally.out_of_domain += 1
            return
        tally.compares += 1
        differing = False
        unknown_here = 0
        for name, ref_handle, dut_handle in self.outputs:
            ref = str(ref_handle.value)
            unknown = sum(ref.count(c) for c in "XZ") if ("X" in ref or "Z" in ref) else 0
            unknown_here += unknown
            dut = str(dut_handle.value)
            if bits_match(ref, dut, self.x_strict):
                continue
            differing = True
            if tally.first is None:
                tally.first = Mismatch(
                    cycle=cycle,
                    phase=phase,
                    time_ns=get_sim_time(unit="ns"),
                    signal=name,
                    ref=ref,
                    dut=dut,
                    inputs={n: str(h.value) for n, h in self.inputs.items()},
                )
        if unknown_here:
            tally.x_compares += 1
            tally.x_bits += unknown_here
        if differing:
            tally.mismatch_compares += 1

    async def run_sequential(self, cycles: int) -> None:
        clock = next(h for n, h in self.inputs.items() if self.roles[n] == "clock")
        has_reset = any(role in ("reset", "reset_n") for role in self.roles.values())
        reset_cycles = 2 if has_reset else 0
        clock.value = 0
        self.drive(in_reset=has_reset)
        await Timer(2, unit="ns")
        for cycle in range(-reset_cycles, cycles):
            clock.value = 1
            await Timer(2, unit="ns")
            if cycle >= 0:
                self.compare(cycle, "after rising edge")
            await Timer(3, unit="ns")
            clock.value = 0
            await Timer(2, unit="ns")
            self.drive(in_reset=cycle + 1 < 0)
            await Timer(2, unit="ns")
            if cycle >= -1:  # from the state right after the initial reset on
                self.compare(cycle, "after input change")
            await Timer(1, unit="ns")

    async def run_combinational(self, cycles: int) -> None:
        names = list(self.inputs)
        total_width = sum(self.widths[n] for n in names)
        exhaustive = total_width <= 16 and (1 << total_width) <= cycles
        count = (1 << total_width) if exhaustive else cycles
        for cycle in range(count):
            if exhaustive:
                vector = cycle
                for name in names:
                    width = self.widths[name]
                    self.inputs[name].value = vector & ((1 << width) - 1)
                    vector >>= width
            else:
                self.drive(in_reset=False)
            await Timer(2, unit="ns")
            self.compare(cycle, "after input change")


@cocotb.test()
async def differential(dut):
    """RefModule and TopModule agree on every output at every compare point."""
    spec = json.loads(Path(os.environ[SPEC_ENV]).read_text())
    bench = Bench(dut, spec)
    sequential = any(p["role"] == "clock" for p in spec["ports"])
    if sequential:
        await bench.run_sequential(spec["cycles"])
    else:
        await bench.run_combinational(spec["cycles"])
    tally = bench.tally
    report = {
        "kind": "sequential" if sequential else "combinational",
        "compares": tally.compares,
        "x_compares": tally.x_compares,
        "x_bits": tally.x_bits,
        "mismatch_compares": tally.mismatch_compares,
        "out_of_domain": tally.out_of_domain,
        "first_mismatch": None if tally.first is None else vars(tally.first),
    }
    print(f"\n{REPORT_TAG} {os.environ[NONCE_ENV]} {json.dumps(report)}", flush=True)
    first = tally.first
    assert first is None, (
        f"{tally.mismatch_compares} of {tally.compares} compares differ; first at cycle "
        f"{first.cycle} ({first.phase}): {first.signal} ref={first.ref} dut={first.dut}"
    )
