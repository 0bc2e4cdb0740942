"""The drivers of a sample's signals, on slang's elaboration: part of the subset formal
speaks for (verilogeval.checks.formal.subset), run inside the parser child.

Icarus resolves two drivers of one signal (the last writer of a variable, X where two
nets' drivers disagree); Yosys joins them into one net, which constrains the proof to the
inputs where they agree (`assign k = x; assign k = 0;` proves anything for x != 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def driver_findings(tree: Any) -> Iterator[str]:
    """Signals driven from two places (two always blocks, two assignments, a port driven
    from inside), in every generate iteration slang elaborates: Icarus takes the last
    writer or resolves the drivers to X, while Yosys joins them into one net, which
    constrains the proof to the inputs where they agree. An `initial` value beside the
    one clocked block that drives a register is a register's initial state."""
    from pyslang import Bag, analysis, ast

    options = ast.CompilationOptions()
    options.topModules = {"TopModule"}
    compilation = ast.Compilation(Bag([options]))
    compilation.addSyntaxTree(tree)
    if any(d.isError() for d in compilation.getAllDiagnostics()):
        yield "slang cannot elaborate it alone"
        return
    manager = analysis.AnalysisManager()
    manager.analyze(compilation)
    values: list[Any] = []

    def collect(node: Any) -> bool:
        if isinstance(node, ast.ValueSymbol) and node.kind in (
            ast.SymbolKind.Variable,
            ast.SymbolKind.Net,
        ):
            values.append(node)
        return True

    for instance in compilation.getRoot().topInstances:
        instance.visit(collect)
    for value in values:
        drivers = [d for d in manager.getDrivers(value) if not _is_initial(d)]
        for index, first in enumerate(drivers):
            if any(_overlap(first, other) for other in drivers[index + 1 :]):
                yield f"`{value.hierarchicalPath}` has more than one driver"
                break


def _is_initial(driver: Any) -> bool:
    """An initial value: a declaration's initialiser or an `initial` block."""
    from pyslang import analysis

    return bool(driver.flags & analysis.DriverFlags.Initializer) or (
        driver.source == analysis.DriverSource.Initial
    )


def _overlap(first: Any, other: Any) -> bool:
    """Whether two drivers from two places (two processes, assignments or generate
    iterations of one) drive a bit in common."""
    (low, high), (other_low, other_high) = first.bounds, other.bounds
    return _place(first) != _place(other) and low <= other_high and other_low <= high


def _place(driver: Any) -> tuple[str, int]:
    where = driver.containingSymbol
    return str(where.hierarchicalPath), int(where.location.offset)
