"""Grade a sample with its problem's own cocotb testbench (`_test.py`) instead of `_test.sv`.

The flow mirrors the official one: the sample, the wrapper that stands where the official
`tb` does (RefModule and TopModule side by side) and the reference compile together with
the official warning flags; then the cocotb test runs and prints the official
`Mismatches: N in M samples` line. The result is an ordinary SimResult, so the official
classifier grades it like any other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from verilogeval.interface import read_interfaces
from verilogeval.records import Problem, Sample, SimResult
from verilogeval.resources import resource_dir
from verilogeval.sandbox import job_folder
from verilogeval.simulate import simulator_version
from verilogeval.strict.check import QUIET_COCOTB_ENV, run_cocotb_job
from verilogeval.strict.cocotb_child import EXIT_OK
from verilogeval.strict.pairing import diff_ports
from verilogeval.strict.wrapper import WRAPPER_TOP, diff_wrapper

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

    `workdir` is the parent of the per-sample temporary folder. Its path shows in the logs,
    so it carries no problem name: the classifier reads any "error" there as a compile error.
    """
    if problem.test_py_path is None:
        raise ValueError(f"{problem.name}: no _test.py testbench")
    ref_source = problem.ref_path.read_text(encoding="utf-8")
    ref = read_interfaces(ref_source, str(problem.ref_path))["RefModule"]
    sandbox, folder = job_folder("verilogeval-pytb-", workdir, sandboxed)
    try:
        (folder / "wrapper.sv").write_text(diff_wrapper(diff_ports(ref)), encoding="utf-8")
        (folder / "sample.sv").write_text(sample.code, encoding="utf-8")
        (folder / "ref.sv").write_text(ref_source, encoding="utf-8")
        shutil.copyfile(problem.test_py_path, folder / problem.test_py_path.name)
        job = {
            "sources": [str(folder / name) for name in ("sample.sv", "wrapper.sv", "ref.sv")],
            "toplevel": WRAPPER_TOP,
            "test_module": problem.test_py_path.stem,
            "python_path": [str(folder), str(resource_dir("sims"))],
            "build_dir": str(folder / "build"),
            "results_xml": str(folder / "results.xml"),
            "seed": TESTBENCH_SEED,
            "env": dict(QUIET_COCOTB_ENV),
        }
        compiled = run_cocotb_job({**job, "steps": ["build"]}, folder, timeout_s, sandbox)
        ran = None
        if compiled.returncode == EXIT_OK:
            ran = run_cocotb_job({**job, "steps": ["test"]}, folder, timeout_s, sandbox)
        return SimResult(
            problem=problem.name,
            sample=sample.sample,
            compile=compiled,
            run=ran,
            simulator=simulator_version(),
            timeout_s=timeout_s,
            code=sample.code,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
