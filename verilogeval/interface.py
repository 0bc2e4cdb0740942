"""Module interfaces (ports, directions, widths, parameters) read with pyslang.

Used to describe problems (`verilogeval problems`) and to wire the differential test,
which pairs RefModule's interface with TopModule's.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def read_interfaces(source: str, filename: str = "source.sv") -> dict[str, ModuleInterface]:
    """Interfaces of every top-level module defined in `source`, by module name.

    A module instantiated by another module of `source` is not top-level and is left out.
    """
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
