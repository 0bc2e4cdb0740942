"""A cocotb_child job (build and/or test) as one sandbox Command, and a cocotb testbench as
a Simulation: the build, then the test of what it built (grading.simulate.simulate_files)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from verilogeval.execution.sandbox.host import PYTHON, Command
from verilogeval.grading.simulate import Simulation

# cocotb's own INFO lines cost time and bury the lines that matter.
QUIET_COCOTB_ENV = {
    "COCOTB_LOG_LEVEL": "WARNING",
    "COCOTB_ANSI_OUTPUT": "0",
    "GPI_LOG_LEVEL": "WARNING",
}
BUILT = ("sim.vvp", "cmds.f")  # what cocotb's Icarus build leaves for its test step


def cocotb_command(
    job: dict,
    inputs: Mapping[str, bytes],
    outputs: tuple[str, ...],
    timeout_s: float,
    nonce: str = "",
) -> Command:
    """One cocotb_child job (build and/or test) as one Command, with `inputs` and the job
    file in its workspace; `outputs` come back as bytes.

    `-I`: nothing a sample writes into the workspace can shadow a Python module. `nonce`
    reaches the test through its environment, never through a file (see cocotb_child).
    """
    job_file = f"job-{'-'.join(job['steps'])}.json"
    argv: tuple[str, ...] = (str(PYTHON), "-I", "-m", "verilogeval.grading.testbench.cocotb_child")
    argv += (job_file, nonce) if nonce else (job_file,)
    files = {**inputs, job_file: json.dumps(job).encode("utf-8")}
    return Command(argv, files, outputs, timeout_s)


def cocotb_simulation(
    job: dict, sources: Mapping[str, bytes], timeout_s: float, nonce: str = ""
) -> Simulation:
    """`job` (without its steps) as a build, then a test that runs the build's own files and
    the sources, read-only, in a fresh workspace; each step within `timeout_s`. Only the
    test, which runs the sample's code, gets `nonce`."""
    build = cocotb_command({**job, "steps": ["build"]}, sources, BUILT, timeout_s)
    test = cocotb_command({**job, "steps": ["test"]}, sources, (), timeout_s, nonce)
    return Simulation(
        build=build, runs=(test.argv,), run_inputs=test.inputs, build_must_succeed=True
    )
