"""Run the differential test of one sample: pair interfaces, write the wrapper, run cocotb.

`diff_test` is a plain top-level function (picklable) so a process pool can run it; each
call works in its own directory and runs cocotb in a child process with a time limit.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval.classify import log_lines
from verilogeval.formal.domains import domain_of
from verilogeval.interface import read_interfaces
from verilogeval.records import ExecResult, Problem, Sample
from verilogeval.resources import resource_dir
from verilogeval.sandbox import PYTHON, Sandbox, job_folder
from verilogeval.simulate import run_in
from verilogeval.strict.cocotb_child import EXIT_BUILD_FAILED, EXIT_OK
from verilogeval.strict.pairing import diff_ports, interface_issues
from verilogeval.strict.result import FirstMismatch, StrictResult, StrictStatus
from verilogeval.strict.wrapper import WRAPPER_TOP, diff_wrapper

DIFF_TEST_MODULE = "diff_test"  # sims/diff_test.py
SPEC_ENV = "VERILOGEVAL_DIFF_SPEC"  # read by sims/diff_test.py
REPORT_TAG = "verilogeval-strict-report"  # sims/diff_test.py's report line
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
        spec = {
            "ports": [p.to_json() for p in ports],
            "seed": config.seed,
            "cycles": config.cycles,
            "x_strict": config.x_strict,
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
        nonce = secrets.token_hex(16)
        execution = run_cocotb_job(job, folder, config.timeout_s, sandbox, nonce=nonce)
        return _result(problem.name, sample.sample, config, execution, folder, nonce)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# cocotb's own INFO lines cost time and bury the lines that matter.
QUIET_COCOTB_ENV = {
    "COCOTB_LOG_LEVEL": "WARNING",
    "COCOTB_ANSI_OUTPUT": "0",
    "GPI_LOG_LEVEL": "WARNING",
}


def run_cocotb_job(
    job: dict, folder: Path, timeout_s: float, sandbox: Sandbox | None, *, nonce: str = ""
) -> ExecResult:
    """Run one cocotb_child job in a fresh, limited process group, in `sandbox` when given.

    `folder` must then lie in the sandbox's scratch folder. `-I`: nothing a sample writes
    into `folder` can shadow a Python module. `nonce` reaches the test through its
    environment, never through a file (see cocotb_child).
    """
    job_path = folder / f"job-{'-'.join(job['steps'])}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    argv: tuple[str, ...] = (str(PYTHON), "-I", "-m", "verilogeval.strict.cocotb_child")
    argv += (str(job_path),)
    argv += (nonce,) if nonce else ()
    return run_in(sandbox, argv, cwd=folder, timeout_s=timeout_s)


def _result(
    problem: str,
    sample: int,
    config: StrictConfig,
    execution: ExecResult,
    folder: Path,
    nonce: str,
) -> StrictResult:
    """Read the child's exit code and the one report line tagged with `nonce`.

    The files in `folder` (results.xml, anything else) are never read: the simulation
    could have rewritten them after cocotb did. A test that compared nothing is no pass.
    """
    tail = execution.output[-_MESSAGE_TAIL:].replace(f"{folder}/", "")
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
    report = _tagged_report(execution.output, nonce)
    if execution.returncode != EXIT_OK or report is None:
        return failed
    try:
        first = report["first_mismatch"]
        passed = first is None and report["compares"] > 0
        return replace(
            failed,
            status=StrictStatus.PASS if passed else StrictStatus.MISMATCH,
            kind=report["kind"],
            compares=report["compares"],
            mismatch_compares=report["mismatch_compares"],
            x_compares=report["x_compares"],
            x_bits=report["x_bits"],
            out_of_domain=report["out_of_domain"],
            first_mismatch=None if first is None else FirstMismatch(**first),
            message=None if first is not None or passed else "the test compared nothing",
        )
    except (KeyError, TypeError):
        return replace(failed, message=f"a malformed report line\n{tail}")


def _tagged_report(output: str, nonce: str) -> dict[str, Any] | None:
    """The report of the one line carrying `nonce`, split as the classifier splits lines;
    None when there is not exactly one such line, or it is not the test's."""
    carrying = [line for line in log_lines(output) if nonce in line]
    if len(carrying) != 1:
        return None
    match = re.search(rf"{REPORT_TAG} {nonce} (\{{.*\}})\Z", carrying[0])
    if match is None:
        return None
    try:
        report = json.loads(match.group(1))
    except ValueError:
        return None
    return report if isinstance(report, dict) else None
