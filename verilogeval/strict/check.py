"""Run the differential test of one sample: pair interfaces, write the wrapper, run cocotb.

`diff_test` is a plain top-level function (picklable) so a process pool can run it; each
call works in its own directory and runs cocotb in a child process with a time limit.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from verilogeval.formal.domains import domain_of
from verilogeval.interface import read_interfaces
from verilogeval.records import ExecResult, Problem, Sample
from verilogeval.resources import resource_dir
from verilogeval.sandbox import PYTHON, Sandbox, job_folder
from verilogeval.simulate import run_in
from verilogeval.strict.cocotb_child import EXIT_BUILD_FAILED, EXIT_OK
from verilogeval.strict.pairing import diff_ports, interface_issues
from verilogeval.strict.result import (
    COMPILER_COMPLAINT,
    FirstMismatch,
    StrictResult,
    StrictStatus,
    read_results_xml,
)
from verilogeval.strict.wrapper import WRAPPER_TOP, diff_wrapper

DIFF_TEST_MODULE = "diff_test"  # sims/diff_test.py
SPEC_ENV = "VERILOGEVAL_DIFF_SPEC"  # read by sims/diff_test.py
_MESSAGE_TAIL = 2000


@dataclass(frozen=True)
class StrictConfig:
    cycles: int = 500  # clock cycles (sequential) or input vectors (combinational)
    seed: int = 1
    x_strict: bool = False  # a reference X/Z bit matches only the same X/Z
    timeout_s: float = 60.0


def diff_test(
    problem: Problem,
    sample: Sample,
    config: StrictConfig,
    *,
    workdir: Path | None = None,
    sandboxed: bool = True,
) -> StrictResult:
    """Differential test of `sample` against `problem`'s RefModule.

    `workdir` holds the sandbox's scratch folder, or without the sandbox the per-sample
    temporary folder (default: the system's).
    """
    ref_source = problem.ref_path.read_text(encoding="utf-8")
    ref = read_interfaces(ref_source, str(problem.ref_path)).get("RefModule")
    if ref is None:
        raise ValueError(f"{problem.ref_path}: defines no module RefModule")
    dut = read_interfaces(sample.code, "sample.sv").get("TopModule")
    issues = interface_issues(ref, dut)
    if issues:
        return StrictResult(
            problem.name, sample.sample, StrictStatus.INTERFACE, interface_issues=issues
        )
    ports = diff_ports(ref)
    sandbox, folder = job_folder(f"verilogeval-strict-{problem.name}-", workdir, sandboxed)
    try:
        domain = domain_of(problem.name)
        wrapper = diff_wrapper(ports, domain.assume if domain else ())
        (folder / "wrapper.sv").write_text(wrapper, encoding="utf-8")
        (folder / "sample.sv").write_text(sample.code, encoding="utf-8")
        (folder / "ref.sv").write_text(ref_source, encoding="utf-8")
        report_path = folder / "report.json"
        spec = {
            "ports": [p.to_json() for p in ports],
            "seed": config.seed,
            "cycles": config.cycles,
            "x_strict": config.x_strict,
            "report": str(report_path),
        }
        (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        job = {
            "sources": [str(folder / name) for name in ("wrapper.sv", "sample.sv", "ref.sv")],
            "toplevel": WRAPPER_TOP,
            "test_module": DIFF_TEST_MODULE,
            "python_path": [str(resource_dir("sims"))],
            "build_dir": str(folder / "build"),
            "results_xml": str(folder / "results.xml"),
            "seed": config.seed,
            "env": {SPEC_ENV: str(folder / "spec.json"), **QUIET_COCOTB_ENV},
            "steps": ["build", "test"],
        }
        execution = run_cocotb_job(job, folder, config.timeout_s, sandbox)
        return _result(problem.name, sample.sample, config, execution, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# cocotb's own INFO lines cost time and bury the lines that matter.
QUIET_COCOTB_ENV = {
    "COCOTB_LOG_LEVEL": "WARNING",
    "COCOTB_ANSI_OUTPUT": "0",
    "GPI_LOG_LEVEL": "WARNING",
}


def run_cocotb_job(
    job: dict, folder: Path, timeout_s: float, sandbox: Sandbox | None
) -> ExecResult:
    """Run one cocotb_child job in a fresh, limited process group, in `sandbox` when given.

    `folder` must then lie in the sandbox's scratch folder. `-I`: nothing a sample writes
    into `folder` can shadow a Python module.
    """
    job_path = folder / f"job-{'-'.join(job['steps'])}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    argv = (str(PYTHON), "-I", "-m", "verilogeval.strict.cocotb_child", str(job_path))
    return run_in(sandbox, argv, cwd=folder, timeout_s=timeout_s)


def _message(output: str, folder: Path) -> str:
    """The child's output without its temporary folder's path (which means nothing once
    the folder is gone), cut to about its last _MESSAGE_TAIL characters at a line start;
    the first compiler complaint, the one that says what is wrong, is kept in front."""
    text = output.replace(f"{folder}/", "")
    if len(text) <= _MESSAGE_TAIL:
        return text
    tail = text[-_MESSAGE_TAIL:].partition("\n")[2]
    first = next((line for line in text.splitlines() if COMPILER_COMPLAINT.search(line)), None)
    return (f"{first}\n" if first and first not in tail else "") + "...\n" + tail


def _result(
    problem: str, sample: int, config: StrictConfig, execution: ExecResult, folder: Path
) -> StrictResult:
    """Read the child's exit code, cocotb's results.xml and the test's report."""
    tail = _message(execution.output, folder)
    failed = StrictResult(
        problem,
        sample,
        StrictStatus.ERROR,
        x_strict=config.x_strict,
        message=tail,
        duration_s=round(execution.duration_s, 3),
    )
    if execution.timed_out:
        return replace(failed, status=StrictStatus.TIMEOUT)
    if execution.returncode == EXIT_BUILD_FAILED:
        return replace(failed, status=StrictStatus.COMPILE)
    report_path = folder / "report.json"
    results_xml = folder / "results.xml"
    if execution.returncode != EXIT_OK or not report_path.is_file() or not results_xml.is_file():
        return failed
    report = json.loads(report_path.read_text(encoding="utf-8"))
    _, failures = read_results_xml(results_xml)
    first = report["first_mismatch"]
    if first is None and failures:  # the test broke after writing its report
        return replace(failed, message="\n".join(failures))
    return replace(
        failed,
        status=StrictStatus.PASS if first is None else StrictStatus.MISMATCH,
        kind=report["kind"],
        compares=report["compares"],
        mismatch_compares=report["mismatch_compares"],
        x_compares=report["x_compares"],
        x_bits=report["x_bits"],
        out_of_domain=report["out_of_domain"],
        first_mismatch=None if first is None else FirstMismatch(**first),
        message=None,
    )
