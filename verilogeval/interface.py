"""Module interfaces (ports, directions, widths) read with pyslang.

Used to describe problems (`verilogeval problems`) and to wire the differential test.
"""

from __future__ import annotations

from dataclasses import dataclass

CLOCK_NAMES = frozenset({"clk", "clock"})


@dataclass(frozen=True)
class Port:
    name: str
    direction: str  # "input", "output" or "inout"
    width: int


@dataclass(frozen=True)
class ModuleInterface:
    name: str
    ports: tuple[Port, ...]
    parameters: tuple[str, ...] = ()

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


_DIRECTIONS = {"In": "input", "Out": "output", "InOut": "inout", "Ref": "ref"}


def read_interfaces(source: str, filename: str = "source.sv") -> dict[str, ModuleInterface]:
    """Interfaces of every top-level module defined in `source`, by module name."""
    from pyslang import ast, syntax

    tree = syntax.SyntaxTree.fromText(source, filename)
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
            )
            for port in body.portList
            if hasattr(port, "direction")
        )
        parameters = tuple(param.name for param in body.parameters)
        interfaces[body.definition.name] = ModuleInterface(body.definition.name, ports, parameters)
    return interfaces
