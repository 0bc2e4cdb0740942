"""One cocotb_child job (build and/or test) as one sandbox Command."""

from __future__ import annotations

import json
from collections.abc import Mapping

from verilogeval.execution.sandbox.host import PYTHON, Command, Execution, Runner

# cocotb's own INFO lines cost time and bury the lines that matter.
QUIET_COCOTB_ENV = {
    "COCOTB_LOG_LEVEL": "WARNING",
    "COCOTB_ANSI_OUTPUT": "0",
    "GPI_LOG_LEVEL": "WARNING",
}


def run_cocotb_job(
    commands: Runner,
    job: dict,
    inputs: Mapping[str, bytes],
    outputs: tuple[str, ...],
    timeout_s: float,
    nonce: str = "",
) -> Execution:
    """Run one cocotb_child job (build and/or test): `cocotb_command`, executed."""
    return commands.execute(cocotb_command(job, inputs, outputs, timeout_s, nonce))


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
