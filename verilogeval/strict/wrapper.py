"""The SystemVerilog top that puts RefModule and TopModule side by side.

Inputs are shared variables the cocotb test drives (`in_<port>`); each module's outputs go
to its own wires (`ref_<port>`, `dut_<port>`), so the prefixes keep the names apart.

A clock starts at 0 by its declaration, as the official testbenches declare theirs
(`reg clk = 0`): a clock that went from X to 0 at time zero would be a falling edge the
official testbench never gives, and state captured on it differs before the official
testbench compares anything (Prob145_circuit8).
"""

from __future__ import annotations

from collections.abc import Sequence

from verilogeval.strict.pairing import DiffPort, PortRole

WRAPPER_TOP = "verilogeval_diff_top"
_START = {PortRole.CLOCK: " = 1'b0"}  # initial values given by the declaration


def _range(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def _instance(module: str, instance: str, prefix: str, ports: Sequence[DiffPort]) -> str:
    connections = ",\n".join(
        f"    .{p.name}({'in' if p.is_input else prefix}_{p.name})" for p in ports
    )
    return f"  {module} {instance} (\n{connections}\n  );\n"


def diff_wrapper(ports: Sequence[DiffPort]) -> str:
    """Source of module `verilogeval_diff_top` wiring both modules to the same inputs."""
    lines = [f"module {WRAPPER_TOP};\n"]
    lines += [
        f"  logic {_range(p.width)}in_{p.name}{_START.get(p.role, '')};\n"
        for p in ports
        if p.is_input
    ]
    for prefix in ("ref", "dut"):
        lines += [f"  wire {_range(p.width)}{prefix}_{p.name};\n" for p in ports if not p.is_input]
    lines.append(_instance("RefModule", "ref_module", "ref", ports))
    lines.append(_instance("TopModule", "dut_module", "dut", ports))
    lines.append("endmodule\n")
    return "".join(lines)
