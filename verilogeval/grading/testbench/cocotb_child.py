"""Child-process entry: build and/or run one cocotb test with cocotb's Python runner.

`python -m verilogeval.grading.testbench.cocotb_child JOB.json [NONCE]`, run as one sandbox Command:
the job and the sources are files of its working folder, which is also cocotb's build and
test folder (every path in the job is relative to it), and the parent gets back the exit
code and the captured output, never a file the simulation could have written: a test
that reports (sims/diff_test.py) prints its report tagged with NONCE, which reaches the
simulator's Python through its environment and no Verilog code can read. A fresh process
per sample keeps cocotb's runner state and any `sys.exit` from the runner away from the
parent.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

NONCE_ENV = "VERILOGEVAL_DIFF_NONCE"  # read by sims/diff_test.py
# Exit codes the parent interprets; anything else is a crash of this process.
EXIT_OK = 0
EXIT_BUILD_FAILED = 3
EXIT_SIMULATOR_FAILED = 4

TIMESCALE = ("1ns", "1ps")
# The official flow's warning flags, so the compile log reads like the official one.
BUILD_ARGS = ("-Wall", "-Winfloop", "-Wno-timescale")


def run_job(job: dict, nonce: str | None = None) -> int:
    from cocotb_tools.runner import get_runner

    # Under pytest the runner changes where results.xml goes and exits on failures.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    runner = get_runner("icarus")
    here = Path.cwd()
    # the runner hands sys.path to the simulator's Python
    sys.path[:0] = [str(here / path) for path in job["python_path"]]
    if "build" in job["steps"]:
        try:
            runner.build(
                sources=job["sources"],
                hdl_toplevel=job["toplevel"],
                build_args=list(BUILD_ARGS),
                always=True,
                build_dir=here,
                timescale=TIMESCALE,
            )
        except (RuntimeError, SystemExit) as error:
            print(f"verilogeval: build failed: {error}", flush=True)
            return EXIT_BUILD_FAILED
    if "test" in job["steps"]:
        try:
            runner.test(
                test_module=job["test_module"],
                hdl_toplevel=job["toplevel"],
                hdl_toplevel_lang="verilog",
                build_dir=here,
                test_dir=here,
                results_xml=str(here / job["results_xml"]),
                seed=job["seed"],
                extra_env=job["env"] | ({} if nonce is None else {NONCE_ENV: nonce}),
            )
        except SystemExit as error:
            print(f"verilogeval: simulator exited with {error.code}", flush=True)
            return EXIT_SIMULATOR_FAILED
    return EXIT_OK


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    return run_job(job, argv[1] if len(argv) > 1 else None)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
