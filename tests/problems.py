"""Problems a test writes itself: a reference and a testbench in a folder of its own."""

from __future__ import annotations

from pathlib import Path

from verilogeval.records import Problem, Task


def write_problem(folder: Path, name: str, reference: str, testbench: str) -> Problem:
    """A spec-to-RTL problem `name` (`ProbNNN_...`) whose files are written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ref.sv").write_text(reference)
    (folder / "test.sv").write_text(testbench)
    return Problem(
        name=name,
        number=int(name.removeprefix("Prob").split("_")[0]),
        task=Task.SPEC_TO_RTL,
        folder=folder,
        prompt="",
        ref_path=folder / "ref.sv",
        test_path=folder / "test.sv",
    )
