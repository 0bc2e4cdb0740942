"""Run the differential test of one sample: pair interfaces, write the wrapper, run cocotb,
then refuse a pass the tamper scan flags.

`diff_test` is a plain top-level function (picklable) so a process pool can run it. Its
cocotb job is one simulation like any other (grading.simulate.simulate_files): cocotb's
build in a sandbox command, then the test of what it built in a fresh one, each within
`--strict-timeout`; only the test, which runs the sample's code, gets the report's nonce.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from verilogeval.checks.strict.result import (
    COMPILER_COMPLAINT,
    FirstMismatch,
    StrictResult,
    StrictStatus,
)
from verilogeval.checks.tamper.scan import scan_compiled, scan_log
from verilogeval.execution.interface import read_interfaces, reference_interface
from verilogeval.execution.sandbox.host import runner
from verilogeval.grading.classify import log_lines
from verilogeval.grading.ports.domains import domain_of
from verilogeval.grading.ports.pairing import diff_ports, interface_issues
from verilogeval.grading.ports.wrapper import WRAPPER_TOP, diff_wrapper
from verilogeval.grading.preprocess import sample_as_compiled
from verilogeval.grading.simulate import simulate_files
from verilogeval.grading.testbench.cocotb_child import EXIT_BUILD_FAILED, EXIT_OK
from verilogeval.grading.testbench.cocotb_job import QUIET_COCOTB_ENV, cocotb_simulation
from verilogeval.records import Problem, Sample, SimResult
from verilogeval.resources import resource_dir

DIFF_TEST_MODULE = "diff_test"  # sims/diff_test.py
SPEC_ENV = "VERILOGEVAL_DIFF_SPEC"  # read by sims/diff_test.py
# In the command's workspace, which is also cocotb's build and test folder.
_SPEC = "spec.json"
_RESULTS_XML = "results.xml"  # cocotb writes it; never read (the simulation could rewrite it)
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
    """Differential test of `sample` against `problem`'s RefModule; a pass the tamper
    scan flags is REFUSED (StrictResult.passed says why it fails).

    `workdir` holds the per-command temporary folders without the sandbox (default: the
    system's temporary folder).
    """
    ref_source = problem.ref_path.read_text(encoding="utf-8")
    ref = reference_interface(ref_source, str(problem.ref_path))
    # The text the official compile and the tamper scan read, not the raw sample: under
    # cocotb's file name and macros, `__FILE__` or an `ifdef could show another design.
    compiled = sample_as_compiled(
        sample.code, problem, workdir=workdir, sandboxed=sandboxed, timeout_s=config.timeout_s
    )
    if compiled.text is None:
        message = "; ".join(compiled.reasons)
        return StrictResult(problem.name, sample.sample, StrictStatus.COMPILE, message=message)
    dut = read_interfaces(compiled.text, "sample.sv").get("TopModule")
    issues = interface_issues(ref, dut)
    if issues:
        return StrictResult(
            problem.name, sample.sample, StrictStatus.INTERFACE, interface_issues=issues
        )
    ports = diff_ports(ref)
    domain = domain_of(problem.name)
    spec = {
        "ports": [p.to_json() for p in ports],
        "seed": config.seed,
        "cycles": config.cycles,
        "x_strict": config.x_strict,
    }
    sources = {
        "wrapper.sv": diff_wrapper(ports, domain.assume if domain else ()).encode("utf-8"),
        "sample.sv": compiled.text.encode("utf-8"),
        "ref.sv": ref_source.encode("utf-8"),
        _SPEC: json.dumps(spec).encode("utf-8"),
    }
    job = {
        "sources": ["wrapper.sv", "sample.sv", "ref.sv"],
        "toplevel": WRAPPER_TOP,
        "test_module": DIFF_TEST_MODULE,
        "python_path": [str(resource_dir("sims"))],
        "results_xml": _RESULTS_XML,
        "seed": config.seed,
        "env": {SPEC_ENV: _SPEC, **QUIET_COCOTB_ENV},
    }
    nonce = secrets.token_hex(16)
    simulation = cocotb_simulation(job, sources, config.timeout_s, nonce)
    (simulated,) = simulate_files(runner(workdir, sandboxed), sample, simulation)
    result = _result(problem.name, sample.sample, config, simulated.result, nonce)
    if not result.passed:
        return result
    # A sample that acts on the harness can tell the test's wrapper from the official
    # testbench (its instance path) and be right only here: the test vouches for none.
    # Scanned after the test, so a failing sample keeps the verdict that says how it fails
    # and only a would-be pass pays for the scan.
    findings = scan_compiled(sample.code, compiled, problem, timeout_s=config.timeout_s)
    return replace(result, status=StrictStatus.REFUSED, tamper=findings) if findings else result


def _message(output: str) -> str:
    """The child's output cut to about its last _MESSAGE_TAIL characters at a line start;
    the first compiler complaint, the one that says what is wrong, is kept in front."""
    if len(output) <= _MESSAGE_TAIL:
        return output
    tail = output[-_MESSAGE_TAIL:].partition("\n")[2]
    first = next((line for line in output.splitlines() if COMPILER_COMPLAINT.search(line)), None)
    return (f"{first}\n" if first and first not in tail else "") + "...\n" + tail


def refused_by_log(result: StrictResult, official_log: str) -> StrictResult:
    """`result`, REFUSED when it passed but the tamper scan flags the official log its
    sample passed on (a verdict line of the sample's own, the simulation cut short): the
    official pass it rests on may be forged, and a design can tell the two harnesses
    apart by time (the official testbench ends before the differential test's first
    compare), which no scan of the sample text shows."""
    if not result.passed:
        return result
    findings = scan_log(official_log)
    if not findings:
        return result
    return replace(result, status=StrictStatus.REFUSED, tamper=result.tamper + findings)

def _result(
    problem: str, sample: int, config: StrictConfig, simulated: SimResult, nonce: str
) -> StrictResult:
    """Read the exit codes of the build and the test, and the test's one report line
    tagged with `nonce`.

    No file the commands leave is read: the simulation could have rewritten it after
    cocotb did. A test that compared nothing is no pass.
    """
    build, test = simulated.compile, simulated.run
    steps = (build,) if test is None else (build, test)
    tail = _message("".join(step.output for step in steps))
    failed = StrictResult(
        problem,
        sample,
        StrictStatus.ERROR,
        x_strict=config.x_strict,
        message=tail,
        duration_s=round(sum(step.duration_s for step in steps), 3),
    )
    if any(step.timed_out for step in steps):
        return replace(failed, status=StrictStatus.TIMEOUT)
    if build.returncode == EXIT_BUILD_FAILED:
        return replace(failed, status=StrictStatus.COMPILE)
    report = None if test is None else _tagged_report(test.output, nonce)
    if test is None or test.returncode != EXIT_OK or report is None:
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
