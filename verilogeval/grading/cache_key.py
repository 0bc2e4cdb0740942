"""The result cache's key: everything a verdict depends on, and nothing else.

The sample's code, the problem's testbench and reference, the simulator and its flags,
the limits (the per-sample time limit included). A problem graded by its cocotb `_test.py`
also depends on the shared testbench helpers (sims/verilogeval_tb.py), on the code that
writes the wrapper and runs the test, and on the cocotb version: each is in its key.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from verilogeval.grading import simulate as sim
from verilogeval.grading.v1.streams import SCRIPT as V1_SCRIPT
from verilogeval.grading.v1.streams import STREAM_CAP_BYTES
from verilogeval.records import Harness, Problem
from verilogeval.resources import resource_dir

CACHE_FORMAT = 1  # bump when a cached SimResult would no longer be what simulate returns


def _cocotb_inputs() -> bytes:
    """What a `_test.py` verdict depends on besides the problem's own files."""
    from verilogeval.grading.ports import wrapper  # cocotb's side: only when needed
    from verilogeval.grading.testbench import cocotb_child, cocotb_job, python_tb

    digest = hashlib.sha256()
    sources = [resource_dir("sims") / "verilogeval_tb.py"]
    modules = (wrapper, python_tb, cocotb_job, cocotb_child)
    sources += [Path(module.__file__ or "") for module in modules]
    for path in sources:
        digest.update(path.read_bytes() + b"\0")
    try:
        digest.update(metadata.version("cocotb").encode())
    except metadata.PackageNotFoundError:
        digest.update(b"no cocotb")
    return digest.digest()


class CacheKeys:
    """Keys for one simulator; each problem's files are read and hashed once."""

    def __init__(self, simulator: str) -> None:
        self._simulator = simulator
        self._file_digests: dict[str, bytes] = {}
        self._cocotb: bytes | None = None

    def key(self, problem: Problem, code: str, time_limits: str, sandboxed: bool) -> str:
        """`time_limits`: the fixed limit or the per-problem policy, as JSON; `sandboxed`:
        whether it ran in the bubblewrap sandbox (--no-sandbox verdicts are kept apart)."""
        settings = json.dumps(
            [
                CACHE_FORMAT,
                self._simulator,
                sim.COMPILE_FLAGS,
                time_limits,
                sim.MEMORY_LIMIT_BYTES,
                sim.FILE_LIMIT_BYTES,
                sim.OUTPUT_CAP_BYTES,
                sandboxed,
                # v1's own command, its streams' cap and its verdict (not in the key of a v2
                # problem: its cache stays)
                *(
                    (str(problem.harness), V1_SCRIPT, STREAM_CAP_BYTES)
                    if problem.harness is Harness.V1
                    else ()
                ),
            ]
        )
        digest = hashlib.sha256(settings.encode() + b"\0" + self._files(problem) + b"\0")
        digest.update(code.encode("utf-8", errors="surrogatepass"))
        return digest.hexdigest()

    def _files(self, problem: Problem) -> bytes:
        files = self._file_digests.get(problem.name)
        if files is None:
            testbench = problem.test_path or problem.test_py_path
            if testbench is None:
                raise ValueError(f"{problem.name}: no testbench (_test.sv or _test.py) to simulate")
            digest = hashlib.sha256(testbench.read_bytes())
            digest.update(b"\0" + problem.ref_path.read_bytes())
            if problem.test_path is None:
                if self._cocotb is None:
                    self._cocotb = _cocotb_inputs()
                digest.update(b"\0" + self._cocotb)
            files = self._file_digests[problem.name] = digest.digest()
        return files
