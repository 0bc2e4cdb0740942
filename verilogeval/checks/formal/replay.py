"""Replay a counterexample in Icarus: both designs driven by it, outputs compared.

A SAT model is a claim about Yosys's model of the two designs; simulation is what the
benchmark grades. A counterexample is reported only when Icarus shows the difference,
compared as the official testbenches compare (a reference X bit matches anything).

Each cycle: inputs change with the clock idle (low, or high for falling-edge designs),
outputs are compared 4 ns later, then the active edge. Cycles in which reset is forced
(the first, when the design has a reset) are driven but not compared, as in the formal
check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verilogeval.checks.formal.result import Counterexample
from verilogeval.checks.formal.yosys import Edge
from verilogeval.execution.sandbox.host import Command, Runner
from verilogeval.grading.ports.pairing import DiffPort, PortRole
from verilogeval.grading.simulate import Simulation, simulate_files
from verilogeval.records import ExecResult, Sample

REPLAY_TOP = "verilogeval_formal_replay"
_TB, _SAMPLE, _REF, _BINARY, _VCD = "replay_tb.sv", "sample.sv", "ref.sv", "replay", "replay.vcd"
# The cycle has at most 9 digits: the run's output is the sample's to print into too, and
# int() raises on a string of over 4300 digits.
_MISMATCH = re.compile(r"^MISMATCH cycle=(\d{1,9}) signal=(\S+) ref=(\S+) dut=(\S+)$", re.M)
_DONE = "REPLAY-DONE"


@dataclass(frozen=True)
class Replay:
    counterexample: Counterexample | None  # None: Icarus saw no difference
    problem: str | None = None  # why the replay could not run (compile error, timeout)
    vcd: bytes | None = None  # the replay's waveform


def replay_testbench(
    ports: tuple[DiffPort, ...], steps: tuple[dict[str, str], ...], compare_from: int, edge: Edge
) -> str:
    inputs = [p for p in ports if p.is_input]
    outputs = [p for p in ports if not p.is_input]
    lines = [f"`timescale 1ns/1ps\nmodule {REPLAY_TOP};"]
    lines += [f"  reg [{p.width - 1}:0] {p.name} = 0;" for p in inputs]
    for p in outputs:
        lines.append(f"  wire [{p.width - 1}:0] ref_{p.name}, dut_{p.name};")
    instances = (("RefModule", "ref_", "u_ref"), ("TopModule", "dut_", "u_dut"))
    for module, prefix, instance in instances:
        connections = [f".{p.name}({p.name})" for p in inputs]
        connections += [f".{p.name}({prefix}{p.name})" for p in outputs]
        lines.append(f"  {module} {instance} ({', '.join(connections)});")
    lines.append("  initial begin")
    lines.append(f'    $dumpfile("{_VCD}");')
    lines.append(f"    $dumpvars(0, {REPLAY_TOP});")
    clocks = [p for p in inputs if p.role is PortRole.CLOCK]
    for cycle, values in enumerate(steps, start=1):
        for p in inputs:
            if p.role is not PortRole.CLOCK:
                bits = values.get(p.name, "0" * p.width).replace("x", "0").replace("z", "0")
                lines.append(f"    {p.name} = {p.width}'b{bits};")
        for p in clocks:
            lines.append(f"    {p.name} = {edge.idle_level};")
        lines.append("    #4;")
        if cycle >= compare_from:
            for p in outputs:
                ref, dut = f"ref_{p.name}", f"dut_{p.name}"
                message = f"MISMATCH cycle={cycle} signal={p.name} ref=%b dut=%b"
                lines.append(
                    f"    if ({ref} !== ({ref} ^ {dut} ^ {ref})) "
                    f'$display("{message}", {ref}, {dut});'
                )
        lines.append("    #1;")
        lines += [f"    {p.name} = {1 - edge.idle_level};" for p in clocks]
        lines.append("    #5;")
    lines.append(f'    $display("{_DONE}");')
    lines.append("    $finish;")
    lines.append("  end")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def replay(
    ports: tuple[DiffPort, ...],
    steps: tuple[dict[str, str], ...],
    *,
    ref_source: str,
    sample: Sample,
    compare_from: int,
    edge: Edge,
    commands: Runner,
    timeout_s: float,
) -> Replay:
    """Run the counterexample in Icarus against `sample` (the text Yosys read); its
    waveform comes back as bytes in the Replay."""
    sources = {
        _TB: replay_testbench(ports, steps, compare_from, edge).encode("utf-8"),
        _SAMPLE: sample.code.encode("utf-8"),
        _REF: ref_source.encode("utf-8"),
    }
    argv = ("iverilog", "-g2012", "-s", REPLAY_TOP, "-o", _BINARY, _TB, _SAMPLE, _REF)
    simulation = Simulation(
        build=Command(argv, sources, (_BINARY,), timeout_s),
        runs=(("vvp", "-n", _BINARY),),
        run_outputs=(_VCD,),
    )
    (simulated,) = simulate_files(commands, sample, simulation)
    ran, files = simulated.result.run, simulated.files
    if ran is None:
        return Replay(None, f"the replay did not compile: {_tail(simulated.result.compile)}")
    if ran.timed_out or _DONE not in ran.output:
        return Replay(None, f"the replay did not finish: {_tail(ran)}")
    first = _MISMATCH.search(ran.output)
    if first is None:
        return Replay(None)
    counterexample = Counterexample(steps, int(first[1]), first[2], first[3], first[4])
    return Replay(counterexample, vcd=files.get(_VCD))


def _tail(execution: ExecResult) -> str:
    if execution.timed_out:
        return "time limit reached"
    lines = [line for line in execution.output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {execution.returncode}"
