"""The formal check's counterexample as a signal table: inputs per cycle, then the output
that differs, expected and the answer's, at the first cycle they differ.

The counterexample is the formal check's own record (results.jsonl `formal`), read as
data that could be damaged: only the interface's ports and bit values are taken.
"""

from __future__ import annotations

import re
from typing import Any

from verilogeval.feedback.evidence import SignalRole, WaveColumn, WaveRow, WaveTable
from verilogeval.interface import ModuleInterface

CYCLES_BEFORE = 7  # cycles shown before the first difference
_BITS = re.compile(r"[01xzXZ]{1,64}")


def counterexample_table(data: Any, interface: ModuleInterface) -> WaveTable | None:
    """The table of `data` (a `formal.counterexample` object); None when it has none."""
    if not isinstance(data, dict):
        return None
    steps, cycle = data.get("steps"), data.get("cycle")
    signal, ref, dut = data.get("signal"), data.get("ref"), data.get("dut")
    outputs = {port.name for port in interface.outputs}
    if not (isinstance(steps, list) and isinstance(cycle, int) and 1 <= cycle <= len(steps)):
        return None
    if signal not in outputs or not all(_bits(value) for value in (ref, dut)):
        return None
    inputs = [port.name for port in interface.inputs]
    columns = [WaveColumn(name, SignalRole.INPUT) for name in inputs]
    columns += [WaveColumn(signal, SignalRole.EXPECTED), WaveColumn(signal, SignalRole.ANSWER)]
    rows = []
    for number in range(max(1, cycle - CYCLES_BEFORE), cycle + 1):
        step = steps[number - 1]
        if not isinstance(step, dict):
            return None
        values = [str(step.get(name)) if _bits(step.get(name)) else "?" for name in inputs]
        last = number == cycle
        values += [str(ref), str(dut)] if last else ["", ""]
        rows.append(WaveRow(time=number, values=tuple(values), mismatch=last))
    return WaveTable(tuple(columns), tuple(rows), first_mismatch_time=cycle, step="cycle")


def _bits(value: Any) -> bool:
    return isinstance(value, str) and _BITS.fullmatch(value) is not None
