"""The embedded default dataset: well formed, its references pass, its testbenches can fail.

Every problem is simulated with the official Icarus command line. Wrong designs are made
mechanically: a wrapper named TopModule instantiates a renamed copy of the reference and
either inverts one output bit or holds one input bit at 0 or 1, so no wrong answer is
written by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from verilogeval.dataset.loader import load_dataset
from verilogeval.execution.interface import CLOCK_NAMES, ModuleInterface, read_interfaces
from verilogeval.grading.classify import classify
from verilogeval.grading.simulate import simulate
from verilogeval.records import Category, Problem, Sample, Task


def _reference_interface(problem: Problem) -> ModuleInterface:
    return read_interfaces(problem.ref_path.read_text(), str(problem.ref_path))["RefModule"]


def _verilog_problems() -> list[Problem]:
    """Problems of both tasks with a Verilog testbench (cocotb-only ones are tested elsewhere)."""
    return [
        problem
        for task in Task
        for problem in load_dataset(None, task).problems
        if problem.test_path is not None
    ]


@pytest.mark.parametrize("task", list(Task))
def test_embedded_dataset_mixes_sequential_and_combinational(task):
    dataset = load_dataset(None, task)
    assert len(dataset.problems) >= 12
    interfaces = [_reference_interface(problem) for problem in dataset.problems]
    sequential = sum(interface.sequential for interface in interfaces)
    assert sequential >= 4 and len(interfaces) - sequential >= 4
    assert any(port.width > 1 for interface in interfaces for port in interface.ports)
    for problem, interface in zip(dataset.problems, interfaces, strict=True):
        for port in interface.ports:
            assert re.search(rf"\b{port.name}\b", problem.prompt), (problem.name, port.name)


def test_code_completion_header_is_the_reference_header():
    """A model writes only the body after _ifc.txt, so port kinds (reg or not) must match too."""
    for problem in load_dataset(None, Task.CODE_COMPLETE).problems:
        assert problem.ifc is not None
        reference_header = problem.ref_path.read_text().split(");", 1)[0] + ");"
        expected = re.sub(r"\bRefModule\b", "TopModule", reference_header).strip()
        assert problem.ifc.strip() == expected, problem.name
        assert problem.prompt.rstrip().endswith(expected), problem.name


def _simulate(problem: Problem, code: str, workdir: Path) -> tuple[int, int]:
    """(mismatches, samples) of `code` as TopModule, through the project's official flow."""
    workdir.mkdir()
    verdict = classify(simulate(problem, Sample(problem.name, 1, code), workdir=workdir))
    assert verdict.category in (Category.PASS, Category.RUNTIME), (
        f"{problem.name}: {verdict.category} {verdict.first_error}"
    )
    assert verdict.mismatches is not None and verdict.total is not None
    return verdict.mismatches, verdict.total


@dataclass(frozen=True)
class Mutation:
    """Replace one port's value, as seen from outside the reference, by `expression`.

    In `expression`, `{value}` stands for the original value of the port.
    """

    label: str
    port: str
    expression: str


def _mutations(interface: ModuleInterface) -> list[Mutation]:
    first_output = interface.outputs[0]
    mutations = [Mutation(f"~{first_output.name}[0]", first_output.name, "{value} ^ 1'b1")]
    for port in interface.inputs:
        if port.name in CLOCK_NAMES:
            continue
        mutations.append(Mutation(f"{port.name}[0]=0", port.name, "{value} & ~1'b1"))
        mutations.append(Mutation(f"{port.name}[0]=1", port.name, "{value} | 1'b1"))
    return mutations


def _range(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def _mutant(reference: str, interface: ModuleInterface, mutation: Mutation) -> str:
    """A TopModule wrapping the reference (renamed MutantCore) with one port altered."""
    declarations = ",\n".join(
        f"  {port.direction} {_range(port.width)}{port.name}" for port in interface.ports
    )
    body = []
    for port in interface.ports:
        inner = f"{port.name}_inner"
        body.append(f"  wire {_range(port.width)}{inner};")
        source, sink = (port.name, inner) if port.direction == "input" else (inner, port.name)
        value = mutation.expression.format(value=source) if port.name == mutation.port else source
        body.append(f"  assign {sink} = {value};")
    connections = ", ".join(f".{port.name}({port.name}_inner)" for port in interface.ports)
    core = re.sub(r"\bRefModule\b", "MutantCore", reference)
    return (
        f"{core}\nmodule TopModule (\n{declarations}\n);\n"
        + "\n".join(body)
        + f"\n  MutantCore core ({connections});\nendmodule\n"
    )


@pytest.mark.icarus
@pytest.mark.parametrize(
    "problem", _verilog_problems(), ids=lambda problem: f"{problem.task}/{problem.name}"
)
def test_reference_passes_and_mutants_fail(problem, tmp_path):
    reference = problem.ref_path.read_text()
    as_top = re.sub(r"\bRefModule\b", "TopModule", reference)
    mismatches, samples = _simulate(problem, as_top, tmp_path / "reference")
    assert samples > 0, f"{problem.name}: the testbench compared nothing"
    assert mismatches == 0, f"{problem.name}: the reference has {mismatches} mismatches"

    interface = _reference_interface(problem)
    undetected = []
    for number, mutation in enumerate(_mutations(interface)):
        code = _mutant(reference, interface, mutation)
        mismatches, _ = _simulate(problem, code, tmp_path / f"mutant{number}")
        if mismatches == 0:
            undetected.append(mutation.label)
    assert undetected == [], f"{problem.name}: the testbench misses {undetected}"
