"""Grade a sample with its problem's own cocotb testbench (`_test.py`) instead of `_test.sv`.

The flow mirrors the official one: the sample, the wrapper that stands where the official
`tb` does (RefModule and TopModule side by side) and the reference compile together with
the official warning flags; then the cocotb test runs and prints the official
`Mismatches: N in M samples` line. The result is an ordinary SimResult, so the official
classifier grades it like any other.
"""

from __future__ import annotations

from pathlib import Path

from verilogeval.execution.interface import reference_interface
from verilogeval.execution.sandbox.host import runner
from verilogeval.grading.ports.pairing import diff_ports
from verilogeval.grading.ports.wrapper import WRAPPER_TOP, diff_wrapper
from verilogeval.grading.simulate import simulate_files
from verilogeval.grading.testbench.cocotb_job import QUIET_COCOTB_ENV, cocotb_simulation
from verilogeval.records import Problem, Sample, SimResult
from verilogeval.resources import resource_dir

TESTBENCH_SEED = 1  # a problem's testbench is a fixed test: same stimulus every run


def simulate_python_testbench(
    problem: Problem,
    sample: Sample,
    *,
    timeout_s: float = 30.0,
    workdir: Path | None = None,
    sandboxed: bool = True,
) -> SimResult:
    """Compile `sample` with the wrapper and reference, then run `problem`'s `_test.py`.

    `workdir` holds the per-command temporary folders without the sandbox. Their path shows
    in the logs, so it carries no problem name: the classifier reads any "error" there as a
    compile error.
    """
    if problem.test_py_path is None:
        raise ValueError(f"{problem.name}: no _test.py testbench")
    ref_source = problem.ref_path.read_text(encoding="utf-8")
    ref = reference_interface(ref_source, str(problem.ref_path))
    sources = {
        "wrapper.sv": diff_wrapper(diff_ports(ref)).encode("utf-8"),
        "sample.sv": sample.code.encode("utf-8"),
        "ref.sv": ref_source.encode("utf-8"),
        problem.test_py_path.name: problem.test_py_path.read_bytes(),
    }
    job = {
        "sources": ["sample.sv", "wrapper.sv", "ref.sv"],
        "toplevel": WRAPPER_TOP,
        "test_module": problem.test_py_path.stem,
        "python_path": [".", str(resource_dir("sims"))],
        "results_xml": "results.xml",
        "seed": TESTBENCH_SEED,
        "env": dict(QUIET_COCOTB_ENV),
    }
    simulation = cocotb_simulation(job, sources, timeout_s)
    (simulated,) = simulate_files(runner(workdir, sandboxed), sample, simulation)
    return simulated.result
