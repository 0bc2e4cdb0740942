"""Plus checks of many samples in parallel, cached, and their results.jsonl fields.

Shaped like the strict pool: `PlusPool.submit(problem, sample, official_log) -> Future`,
`plus_fields(...) -> dict`. Each check's compile and runs go through the sandbox of the
thread that runs it, so a thread per running check keeps `jobs` simulations busy.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from verilogeval import simulate as sim
from verilogeval.grade import result_store
from verilogeval.plus.amplify import SHIFT_SOURCE
from verilogeval.plus.check import PlusConfig, PlusResult, plus_check, plus_settings
from verilogeval.plus.tamper import SCAN_RULES
from verilogeval.records import Problem, Sample
from verilogeval.sandbox import SandboxError, ensure_available
from verilogeval.strict.result import StrictResult

PLUS_CACHE_FORMAT = 1  # bump when a cached PlusResult would no longer be what plus_check gives


class PlusPool:
    """`jobs` plus checks at a time, each looked up in the result cache first."""

    def __init__(
        self,
        config: PlusConfig,
        *,
        jobs: int,
        workdir: Path | None = None,
        sandboxed: bool = True,
        cache_dir: Path | None = None,
    ) -> None:
        if sandboxed:
            ensure_available()
        self._config = config
        self._workdir = workdir
        self._sandboxed = sandboxed
        self._cache = None if cache_dir is None else result_store(cache_dir)
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs))

    def submit(self, problem: Problem, sample: Sample, official_log: str) -> Future[PlusResult]:
        return self._pool.submit(self._run, problem, sample, official_log)

    def _run(self, problem: Problem, sample: Sample, official_log: str) -> PlusResult:
        key = self._key(problem, sample, official_log)
        cached = None if self._cache is None else self._cache.get(key)
        if cached is not None:
            try:
                return PlusResult.from_json(cached)
            except (TypeError, KeyError):
                pass  # an entry of an older shape: check again
        try:
            result = plus_check(
                problem,
                sample,
                official_log,
                self._config,
                workdir=self._workdir,
                sandboxed=self._sandboxed,
            )
        except (OSError, ValueError, SandboxError) as error:  # never cached
            return PlusResult((), 0, False, error=f"{type(error).__name__}: {error}")
        if self._cache is not None:
            self._cache.put(key, result.to_json())
        return result

    def _key(self, problem: Problem, sample: Sample, official_log: str) -> str:
        """Everything a plus verdict depends on."""
        settings = [
            "plus",
            PLUS_CACHE_FORMAT,
            SCAN_RULES,
            sim.simulator_version(),
            sim.COMPILE_FLAGS,
            sim.MEMORY_LIMIT_BYTES,
            sim.FILE_LIMIT_BYTES,
            sim.OUTPUT_CAP_BYTES,
            SHIFT_SOURCE,
            plus_settings(self._config),
            self._sandboxed,
        ]
        digest = hashlib.sha256(json.dumps(settings).encode())
        for text in (
            (problem.test_path or problem.ref_path).read_bytes(),
            problem.ref_path.read_bytes(),
            official_log.encode("utf-8", errors="surrogatepass"),
            sample.code.encode("utf-8", errors="surrogatepass"),
        ):
            digest.update(hashlib.sha256(text).digest())
        return digest.hexdigest()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> PlusPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def plus_fields(
    plus: PlusResult | None,
    *,
    strict: StrictResult | None = None,
    strict_required: bool = False,
    formal_disproved: bool = False,
) -> dict[str, Any]:
    """results.jsonl `plus_passed` and `plus`; None for a sample that failed officially.

    `plus_passed`: the official verdict passed (else there is no plus result), no tamper,
    every shifted seed passed, the cocotb check passed when --strict asked for it, and the
    formal check (when one ran) did not disprove the sample.
    """
    if plus is None:
        return {"plus_passed": False, "plus": None}
    passed = plus.passed and not formal_disproved
    if strict_required:
        passed = passed and strict is not None and strict.passed
    return {"plus_passed": passed, "plus": plus.to_json()}
