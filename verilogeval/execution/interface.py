"""Module interfaces (ports, directions, widths, parameters) read with pyslang.

Used to describe problems (`verilogeval problems`) and to wire the differential test,
which pairs RefModule's interface with TopModule's. Samples are hostile: pyslang reads
them in the limited parser child (verilogeval.execution.untrusted_parse), never in this process.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

from verilogeval.execution.untrusted_parse import parse_call

CLOCK_NAMES = frozenset({"clk", "clock"})


@dataclass(frozen=True)
class Port:
    name: str
    direction: str  # "input", "output" or "inout"
    width: int
    signed: bool = False


@dataclass(frozen=True)
class ModuleInterface:
    name: str
    ports: tuple[Port, ...]
    parameters: tuple[str, ...] = ()  # overridable parameters (`parameter`, port list or body)
    localparams: tuple[str, ...] = ()  # `localparam`s and body parameters that cannot be set

    @property
    def inputs(self) -> tuple[Port, ...]:
        return tuple(p for p in self.ports if p.direction == "input")

    @property
    def outputs(self) -> tuple[Port, ...]:
        return tuple(p for p in self.ports if p.direction == "output")

    @property
    def sequential(self) -> bool:
        """A module with a clock input is sequential: the benchmark's own convention."""
        return any(p.name in CLOCK_NAMES for p in self.inputs)

    def port(self, name: str) -> Port | None:
        return next((p for p in self.ports if p.name == name), None)


_DIRECTIONS = {"In": "input", "Out": "output", "InOut": "inout", "Ref": "ref"}


@functools.lru_cache(maxsize=256)
def reference_interface(source: str, filename: str) -> ModuleInterface:
    """RefModule's interface in a problem's reference `source` (read from `filename`).

    Every sample of a problem is checked against the same reference, so a process parses
    each reference text once. ValueError when the source defines no RefModule.
    """
    found = read_interfaces(source, filename).get("RefModule")
    if found is None:
        raise ValueError(f"{filename}: defines no module RefModule")
    return found


def read_interfaces(source: str, filename: str = "source.sv") -> dict[str, ModuleInterface]:
    """Interfaces of every top-level module defined in `source`, by module name.

    A module instantiated by another module of `source` is not top-level and is left out.
    Raises untrusted_parse.ParseFailed when the parser crashes or runs out of a limit.
    """
    found = parse_call("interfaces", {"source": source, "filename": filename})
    return {
        name: ModuleInterface(
            name=fields["name"],
            ports=tuple(Port(**port) for port in fields["ports"]),
            parameters=tuple(fields["parameters"]),
            localparams=tuple(fields["localparams"]),
        )
        for name, fields in found.items()
    }


def interfaces_as_json(source: str, filename: str) -> dict[str, Any]:
    """`read_interfaces` as JSON, run inside the parser child."""
    return {name: asdict(found) for name, found in _read_here(source, filename).items()}


def _read_here(source: str, filename: str) -> dict[str, ModuleInterface]:
    from pyslang import SourceManager, ast, syntax

    # A source manager of its own: the default one keeps every text for the process's life.
    tree = syntax.SyntaxTree.fromText(source, SourceManager(), filename)
    compilation = ast.Compilation()
    compilation.addSyntaxTree(tree)
    interfaces: dict[str, ModuleInterface] = {}
    for instance in compilation.getRoot().topInstances:
        body = instance.body
        ports = tuple(
            Port(
                name=port.name,
                direction=_DIRECTIONS.get(port.direction.name, port.direction.name.lower()),
                width=port.type.bitWidth,
                signed=bool(port.type.isSigned),
            )
            for port in body.portList
            if hasattr(port, "direction")
        )
        parameters = tuple(p.name for p in body.parameters if not p.isLocalParam)
        localparams = tuple(p.name for p in body.parameters if p.isLocalParam)
        name = body.definition.name
        interfaces[name] = ModuleInterface(name, ports, parameters, localparams)
    return interfaces
