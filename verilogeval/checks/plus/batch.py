"""The plus check as a pool job, its client-side cache, and its results.jsonl fields.

The job (`plus_job`) runs wherever the run's pool sends it (verilogeval.execution.pools); the
cache stays with the client and is read before anything is sent, as the official
grading's is.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.checks.formal.result import FormalResult
from verilogeval.checks.plus.check import PlusConfig, PlusResult, plus_check, plus_settings
from verilogeval.checks.plus.harness import Counters, harness_source
from verilogeval.checks.plus.verdict import plus_verdict
from verilogeval.checks.strict.result import StrictResult
from verilogeval.checks.tamper.scan import SCAN_RULES
from verilogeval.errors import error_reason
from verilogeval.execution.pools import Place, Pool, then
from verilogeval.execution.sandbox.host import SandboxError
from verilogeval.grading import simulate as sim
from verilogeval.grading.grader import result_store
from verilogeval.records import Problem, Sample

PLUS_CACHE_FORMAT = 2  # bump when a cached PlusResult would no longer be what plus_check gives


@dataclass(frozen=True)
class PlusInput:
    """A plus job's payload: the settings and the sample's official log."""

    config: PlusConfig
    official_log: str


def plus_job(problem: Problem, sample: Sample, given: PlusInput, place: Place) -> PlusResult:
    """The plus check of one sample; a check that cannot run is an error result."""
    try:
        return plus_check(
            problem,
            sample,
            given.official_log,
            given.config,
            workdir=place.workdir,
            sandboxed=place.sandboxed,
            cache_dir=place.cache_dir,
        )
    except (OSError, ValueError, SandboxError) as error:
        return plus_error(sample, error)


def plus_error(sample: Sample, error: BaseException) -> PlusResult:
    """The record of a plus check that could not run (no trusted verdict)."""
    return PlusResult((), 0, False, error=error_reason(error))


class PlusChecks:
    """Plus checks on `pool`, each looked up in the result cache first."""

    def __init__(
        self, config: PlusConfig, pool: Pool, *, sandboxed: bool, cache_dir: Path | None
    ) -> None:
        self._config = config
        self._pool = pool
        self._sandboxed = sandboxed
        self._cache = None if cache_dir is None else result_store(cache_dir)

    def submit(self, problem: Problem, sample: Sample, official_log: str) -> Future[PlusResult]:
        key = self._key(problem, sample, official_log)
        cached = None if self._cache is None else self._cache.get(key)
        if cached is not None:
            try:
                known: Future[PlusResult] = Future()
                known.set_result(PlusResult.from_json(cached))
                return known
            except ValueError:
                pass  # an entry of an older shape: check again
        given = PlusInput(self._config, official_log)
        checked = self._pool.submit(plus_job, problem, sample, given)
        return then(checked, lambda result: self._keep(key, result))

    def _keep(self, key: str, result: PlusResult) -> PlusResult:
        """Cache a verdict that rests on neither a finding nor an error: a tampering
        sample is checked again every time, under that run's own secret shifts."""
        if self._cache is not None and result.error is None and not result.tamper:
            self._cache.put(key, result.to_json())
        return result

    def _key(self, problem: Problem, sample: Sample, official_log: str) -> str:
        """Everything a plus verdict depends on."""
        settings = [
            "plus",
            PLUS_CACHE_FORMAT,
            SCAN_RULES,
            self._pool.simulator,
            sim.COMPILE_FLAGS,
            sim.MEMORY_LIMIT_BYTES,
            sim.FILE_LIMIT_BYTES,
            sim.OUTPUT_CAP_BYTES,
            harness_source(Counters("errors", "total"), ("$random", "$urandom")),
            plus_settings(self._config),  # the shifts, their policy, the trust rules
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
        if self._cache is not None:
            self._cache.close()


def plus_fields(
    plus: PlusResult | None,
    *,
    strict: StrictResult | None = None,
    strict_required: bool = False,
    formal: FormalResult | None = None,
    formal_required: bool = False,
) -> dict[str, Any]:
    """results.jsonl's compatibility fields `plus_passed` and `plus` of the trusted verdict
    (verilogeval.checks.plus.verdict.plus_verdict says when it passes)."""
    verdict = plus_verdict(
        plus,
        strict=strict,
        strict_required=strict_required,
        formal=formal,
        formal_required=formal_required,
    )
    details = verdict.details
    return {"plus_passed": verdict.passed, "plus": None if details is None else details.to_json()}
