"""Problems a test writes itself: a reference and a testbench in a folder of its own."""

from __future__ import annotations

import re
from pathlib import Path

from verilogeval.dataset.loader import load_dataset
from verilogeval.records import Problem, Sample, Task


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


def embedded_problem() -> Problem:
    """The first spec-to-RTL problem of the embedded dataset that has a testbench."""
    dataset = load_dataset(None, Task.SPEC_TO_RTL)
    return next(p for p in dataset.problems if p.test_path is not None)


def reference_answer(problem: Problem) -> str:
    """`problem`'s reference named TopModule: an answer that passes."""
    return re.sub(r"\bRefModule\b", "TopModule", problem.ref_path.read_text())


def reference_sample(problem: Problem, extra: str = "", sample: int = 1) -> Sample:
    """`problem`'s reference as sample `sample` (it passes), with `extra` statements inside
    the module."""
    code = problem.ref_path.read_text().replace("RefModule", "TopModule")
    body, end = code.rsplit("endmodule", 1)
    return Sample(problem=problem.name, sample=sample, code=f"{body}{extra}\nendmodule{end}")
