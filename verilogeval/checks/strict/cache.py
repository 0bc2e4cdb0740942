"""The differential test's result cache, for the `strict` command.

A result is kept under a key of everything it depends on: the reference and the sample,
the testbench it is preprocessed with, the settings, the simulator, the sandbox, and the
sources of the test itself (this package, the preprocessing, the tamper scan, the cocotb
test in sims/ and the input domains), so an edit to the test never serves an old verdict.
Only verdicts are kept: a test that could not run (error, timeout) is run again next time,
and so is a refusal.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path

from verilogeval.checks import tamper
from verilogeval.checks.strict.check import DIFF_TEST_MODULE, StrictConfig
from verilogeval.checks.strict.result import StrictResult, StrictStatus
from verilogeval.grading import preprocess
from verilogeval.grading.grader import result_store
from verilogeval.grading.ports import domains
from verilogeval.records import Problem, Sample
from verilogeval.resources import resource_dir

STRICT_CACHE_FORMAT = 2  # bump when a kept StrictResult would read differently
# A test that could not run, and a refusal (the scan could have been cut by its deadline;
# it is cheap to scan again, as plus scans again), are not kept.
_NOT_KEPT = (StrictStatus.ERROR, StrictStatus.TIMEOUT, StrictStatus.REFUSED)


@cache
def _test_sources_digest() -> str:
    """The sha256 of the differential test's own code and data."""
    files = sorted(Path(__file__).parent.glob("*.py"))
    files += [resource_dir("sims") / f"{DIFF_TEST_MODULE}.py", Path(domains.__file__)]
    files += [Path(preprocess.__file__)]  # the sample is tested as it preprocesses
    files += sorted(Path(tamper.__file__).parent.glob("*.py"))  # and scanned first
    files += sorted(Path(domains.__file__).parent.glob("*.toml"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class StrictCache:
    """Differential-test results by key, in the result cache's folder."""

    def __init__(self, folder: Path, config: StrictConfig, simulator: str, sandboxed: bool):
        self._store = result_store(folder)
        self._settings = json.dumps(
            [
                "strict",
                STRICT_CACHE_FORMAT,
                asdict(config),
                simulator,
                metadata.version("cocotb"),
                sandboxed,
                _test_sources_digest(),
            ]
        )

    def key(self, problem: Problem, sample: Sample) -> str:
        digest = hashlib.sha256(self._settings.encode())
        # The testbench too: the sample is preprocessed followed by it, as officially.
        testbench = problem.test_path.read_bytes() if problem.test_path else b""
        for text in (
            problem.ref_path.read_bytes(),
            testbench,
            sample.code.encode("utf-8", "surrogatepass"),
        ):
            digest.update(hashlib.sha256(text).digest())
        return digest.hexdigest()

    def get(self, problem: Problem, sample: Sample) -> StrictResult | None:
        data = self._store.get(self.key(problem, sample))
        if data is None:
            return None
        try:
            return StrictResult.from_json(problem.name, sample.sample, data)
        except (KeyError, TypeError, ValueError):  # an entry of an older shape: test again
            return None

    def put(self, problem: Problem, sample: Sample, result: StrictResult) -> None:
        if result.status not in _NOT_KEPT:
            self._store.put(self.key(problem, sample), result.to_json())

    def close(self) -> None:
        self._store.close()
