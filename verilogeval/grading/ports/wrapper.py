"""The SystemVerilog top that puts RefModule and TopModule side by side.

Inputs are shared variables the cocotb test drives (`in_<port>`); each module's outputs go
to its own wires (`ref_<port>`, `dut_<port>`), so the prefixes keep the names apart.

A clock starts at 0 by its declaration, as the official testbenches declare theirs
(`reg clk = 0`): a clock that went from X to 0 at time zero would be a falling edge the
official testbench never gives, and state captured on it differs before the official
testbench compares anything (Prob145_circuit8).

A problem whose prompt promises something about its inputs (a one-hot state, say: the
per-problem domains the formal check assumes, verilogeval/grading/ports/domains.toml) gets a wire
`verilogeval_in_domain` that holds while the shared inputs keep that promise; the cocotb
test compares only then, as the official testbenches only ever drive such inputs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from verilogeval.grading.ports.pairing import DiffPort, PortRole

WRAPPER_TOP = "verilogeval_diff_top"
DOMAIN_WIRE = "verilogeval_in_domain"
REF_INSTANCE, DUT_INSTANCE = "ref_module", "dut_module"  # names the tamper scan reserves
_START = {PortRole.CLOCK: " = 1'b0"}  # initial values given by the declaration


def _range(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def _instance(module: str, instance: str, prefix: str, ports: Sequence[DiffPort]) -> str:
    connections = ",\n".join(
        f"    .{p.name}({'in' if p.is_input else prefix}_{p.name})" for p in ports
    )
    return f"  {module} {instance} (\n{connections}\n  );\n"


def _on_shared_inputs(expression: str, ports: Sequence[DiffPort]) -> str:
    """A domain expression over RefModule's input names, rewritten to the wrapper's `in_`
    variables (a name inside a sized literal such as 4'd1 is left alone)."""
    for port in ports:
        if port.is_input:
            name = re.escape(port.name)
            expression = re.sub(rf"(?<![\w$'])({name})(?![\w$])", r"in_\1", expression)
    return expression


def diff_wrapper(ports: Sequence[DiffPort], domain: Sequence[str] = ()) -> str:
    """Source of module `verilogeval_diff_top` wiring both modules to the same inputs.

    `domain`: Verilog conditions over RefModule's inputs that in-scope inputs satisfy.
    """
    lines = [f"module {WRAPPER_TOP};\n"]
    lines += [
        f"  logic {_range(p.width)}in_{p.name}{_START.get(p.role, '')};\n"
        for p in ports
        if p.is_input
    ]
    for prefix in ("ref", "dut"):
        lines += [f"  wire {_range(p.width)}{prefix}_{p.name};\n" for p in ports if not p.is_input]
    condition = " && ".join(f"({_on_shared_inputs(e, ports)})" for e in domain) or "1'b1"
    lines.append(f"  wire {DOMAIN_WIRE} = {condition};\n")
    lines.append(_instance("RefModule", REF_INSTANCE, "ref", ports))
    lines.append(_instance("TopModule", DUT_INSTANCE, "dut", ports))
    lines.append("endmodule\n")
    return "".join(lines)
