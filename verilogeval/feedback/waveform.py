"""The waveform level's table, read from the testbench's wave.vcd around the first mismatch.

The testbench dumps the problem's inputs, each output of the reference (`<out>_ref`) and of
the answer (`<out>_dut`), and its own `tb_mismatch`. The file comes out of the sandbox: the
bytes are read as hostile, up to MAX_VCD_BYTES, line by line with a cap on each line, and
only variables named after the interface's ports are kept, with values made of VCD bits
alone; a file that does not read so gives no table. A row is one clock edge with the values
the testbench compares there (those held just before the edge), from a few edges before the
first mismatch to a few after.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from verilogeval.execution.interface import ModuleInterface
from verilogeval.feedback.evidence import SignalRole, WaveColumn, WaveRow, WaveTable

MAX_VCD_BYTES = 4 * 1024 * 1024
MAX_LINE_BYTES = 4096
EDGES_BEFORE = 6
EDGES_AFTER = 2
BINARY_WIDTH = 8  # wider values are shown in hex

_VAR = re.compile(
    rb"\$var\s+\w+\s+(\d{1,5})\s+(\S{1,16})\s+(\w{1,64})(?:\s+\[[\d:]{1,16}\])?\s+\$end"
)
_SCALAR = re.compile(rb"([01xzXZ])(\S{1,16})")
_VECTOR = re.compile(rb"b([01xzXZ]{1,4096})\s+(\S{1,16})")
_TIME = re.compile(rb"#(\d{1,18})")


@dataclass(frozen=True)
class _Signal:
    name: str
    width: int
    changes: list[tuple[int, str]]  # (time, bits), in time order


def wave_table(vcd: bytes, interface: ModuleInterface) -> WaveTable | None:
    """The table around the first mismatch in `vcd`; None when it cannot be read so."""
    signals = _read(vcd[:MAX_VCD_BYTES], interface)
    if signals is None:
        return None
    mismatch, clock = signals.get("tb_mismatch"), signals.get("clk")
    if mismatch is None or clock is None:
        return None
    edges = sorted({time for time, _ in clock.changes if time > 0})
    first = next((i for i, t in enumerate(edges) if _before(mismatch, t) == "1"), None)
    if first is None:
        return None
    columns: list[tuple[WaveColumn, _Signal]] = []
    for port in interface.inputs:
        if port.name != "clk" and port.name in signals:
            columns.append((WaveColumn(port.name, SignalRole.INPUT), signals[port.name]))
    for port in interface.outputs:
        for suffix, role in (("_ref", SignalRole.EXPECTED), ("_dut", SignalRole.ANSWER)):
            signal = signals.get(port.name + suffix)
            if signal is not None:
                columns.append((WaveColumn(port.name, role), signal))
    rows = tuple(
        WaveRow(
            time=time,
            values=tuple(_shown(_before(signal, time), signal.width) for _, signal in columns),
            mismatch=_before(mismatch, time) == "1",
        )
        for time in edges[max(0, first - EDGES_BEFORE) : first + EDGES_AFTER + 1]
    )
    return WaveTable(
        columns=tuple(column for column, _ in columns), rows=rows, first_mismatch_time=edges[first]
    )


def _read(vcd: bytes, interface: ModuleInterface) -> dict[str, _Signal] | None:
    """The wanted variables by name, or None when the file is not a VCD as Icarus writes it."""
    wanted = {"clk", "tb_mismatch"} | {port.name for port in interface.inputs}
    wanted |= {port.name + suffix for port in interface.outputs for suffix in ("_ref", "_dut")}
    by_id: dict[bytes, list[_Signal]] = {}
    signals: dict[str, _Signal] = {}
    time = 0
    header = True
    for line in vcd.split(b"\n"):
        if len(line) > MAX_LINE_BYTES:
            return None
        line = line.strip()
        if header:
            var = _VAR.fullmatch(line)
            if var is not None:
                name = var.group(3).decode("ascii")
                if name in wanted and name not in signals:
                    signal = _Signal(name, int(var.group(1)), [])
                    signals[name] = signal
                    by_id.setdefault(var.group(2), []).append(signal)
            header = line != b"$enddefinitions $end"
            continue
        if not line or line.startswith(b"$"):
            continue
        timed = _TIME.fullmatch(line)
        if timed is not None:
            time = int(timed.group(1))
            continue
        change = _SCALAR.fullmatch(line) or _VECTOR.fullmatch(line)
        if change is None:
            return None
        for signal in by_id.get(change.group(2), ()):
            signal.changes.append((time, change.group(1).decode("ascii").lower()))
    return None if header else signals


def _before(signal: _Signal, time: int) -> str:
    """The value `signal` held just before `time` (x before its first change)."""
    index = bisect.bisect_left(signal.changes, (time, "")) - 1
    return signal.changes[index][1] if index >= 0 else "x"


def _shown(bits: str, width: int) -> str:
    bits = bits.rjust(width, "0" if bits[0] in "01" else bits[0])[-width:]
    if width <= BINARY_WIDTH:
        return bits
    bits = bits.rjust(-(-width // 4) * 4, "0")
    nibbles = [bits[i : i + 4] for i in range(0, len(bits), 4)]
    return "".join(_hex(nibble) for nibble in nibbles)


def _hex(nibble: str) -> str:
    if set(nibble) <= {"0", "1"}:
        return format(int(nibble, 2), "x")
    return "z" if set(nibble) == {"z"} else "x"
